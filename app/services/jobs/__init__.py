"""The worker's jobs (`oneplan worker`): what runs beside the web processes, on a schedule.

`schedule` keeps the leases that let several workers share one job list; `housekeeping` removes what
has outlived its use; `worker` is the loop that runs them all.
"""
