"""Speed and size budgets, measured in one run on this machine, printed as ratios.

Starts `oneplan serve` on a free loopback port with a throw-away SQLite database and the demo
data, times each page against the health check (the cheapest request, measured in the same run,
so machine speed cancels out), and checks the size of what a browser downloads. Exits 1 when a
budget is exceeded. Run it with `.venv/bin/python bench/run.py` after `scripts/setup`; the plan
page's own budgets are in `bench/plan_page.py`.
"""

import gzip
import subprocess
import sys

from serving import ONEPLAN, PROJECT, demo_environment, median_ms, serving

REQUESTS = 200
# Each page may take at most this many times as long as GET /healthz (median latency).
TIME_BUDGETS = {"/": 6.0, "/sign-in": 6.0, "/api/v1/me": 4.0}
# Compressed bytes a first visit downloads.
SIZE_BUDGETS = {"oneplan.css": 30_000, "govuk-frontend.min.js": 20_000, "htmx.min.js": 20_000}


def main() -> int:
    env = demo_environment()
    token = subprocess.run(
        [ONEPLAN, "token", "create", "alex.taylor@family.example"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    failures = []
    with serving(env) as client:
        auth = {"Authorization": f"Bearer {token}"}
        baseline = median_ms(client, "/healthz", REQUESTS)
        print(f"{'request':<22}{'median ms':>10}{'x healthz':>11}{'budget':>8}")
        print(f"{'GET /healthz':<22}{baseline:>10.2f}{1.0:>11.2f}")
        for path, budget in TIME_BUDGETS.items():
            ms = median_ms(client, path, REQUESTS, headers=auth if path.startswith("/api") else {})
            ratio = ms / baseline
            print(f"{'GET ' + path:<22}{ms:>10.2f}{ratio:>11.2f}{budget:>8.1f}")
            if ratio > budget:
                failures.append(f"GET {path} took {ratio:.1f}x the health check (budget {budget}x)")
        page_bytes = len(gzip.compress(client.get("/").content))
    print(f"\n{'asset (gzip)':<22}{'bytes':>10}{'budget':>11}")
    print(f"{'start page HTML':<22}{page_bytes:>10}")
    for name, budget in SIZE_BUDGETS.items():
        size = len(gzip.compress((PROJECT / "static" / name).read_bytes()))
        print(f"{name:<22}{size:>10}{budget:>11}")
        if size > budget:
            failures.append(f"{name} is {size} bytes compressed (budget {budget})")
    for failure in failures:
        print("OVER BUDGET:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
