"""Statutory timelines: deadlines (rules), the timeline service, reminders and GOV.UK Notify."""
