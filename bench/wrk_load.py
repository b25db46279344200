"""GET load from wrk (Debian's HTTP benchmarking tool, written in C), for bench/scale.py.

A Python client spends about as much CPU per request as the server it measures: on a machine of two
cores that CPU is taken from the servers, and adding a second app process then seems to add little.
wrk costs a small share of that, so what is measured is the service. It keeps `clients` connections
open, each sending its next request as soon as the last is answered, for a fixed time.

Requests come from a Lua script written for each case: a list of (path, headers) that each of wrk's
threads walks from its own starting point, so many different plans are read with their owners' tokens.
"""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

THREADS = 2
QUANTILES = 1000
"""How finely the latency distribution is reported (every 0.1 %), so rounds can be added together."""

SCRIPT = """
local requests = %(requests)s
local threads = 0
function setup(thread)
  thread:set("first", threads)
  threads = threads + 1
end
function init(args)
  turn = first * math.floor(#requests / %(threads)d)
end
function request()
  turn = turn + 1
  local chosen = requests[(turn %% #requests) + 1]
  return wrk.format("GET", chosen[1], chosen[2])
end
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
  local quantiles = {}
  for step = 1, %(quantiles)d do
    quantiles[step] = latency:percentile(step * 100 / %(quantiles)d)
  end
  io.write("QUANTILES " .. table.concat(quantiles, " ") .. "\\n")
end
"""


def lua_table(requests: list[tuple[str, dict[str, str]]]) -> str:
    """The requests as a Lua table of {path, {header = value}} (JSON strings are valid Lua strings here)."""
    rows = []
    for path, headers in requests:
        fields = ", ".join(f"[{json.dumps(name)}] = {json.dumps(value)}" for name, value in headers.items())
        rows.append(f"{{{json.dumps(path)}, {{{fields}}}}}")
    return "{\n" + ",\n".join(rows) + "\n}"


def available() -> bool:
    return shutil.which("wrk") is not None


def run(
    base_url: str, requests: list[tuple[str, dict[str, str]]], clients: int, seconds: float, timeout: float
) -> dict[str, object]:
    """One round of wrk: answered (2xx/3xx), seconds, errors by kind, unanswered, latency quantiles (s)."""
    with tempfile.TemporaryDirectory(prefix="oneplan-wrk-") as folder:
        script = Path(folder) / "requests.lua"
        script.write_text(
            SCRIPT % {"requests": lua_table(requests), "threads": THREADS, "quantiles": QUANTILES}
        )
        command = [
            "wrk",
            f"--threads={min(THREADS, clients)}",
            f"--connections={clients}",
            f"--duration={max(1, round(seconds))}s",
            f"--timeout={max(1, round(timeout))}s",
            f"--script={script}",
            base_url,
        ]
        finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + timeout + 30)
    lines = {line.split(" ", 1)[0]: line.split()[1:] for line in finished.stdout.splitlines() if line}
    if finished.returncode != 0 or "RESULT" not in lines:
        raise RuntimeError(f"wrk failed ({finished.returncode}): {finished.stdout}\n{finished.stderr}")
    done, duration, connect, read, write, status, timeouts = (int(value) for value in lines["RESULT"])
    errors = {"connect": connect, "read": read, "write": write, "status": status}
    return {
        "answered": done - status,
        "seconds": duration / 1e6,
        "errors": {kind: count for kind, count in errors.items() if count},
        "unanswered": timeouts,
        "quantiles": [float(value) / 1e6 for value in lines["QUANTILES"]],
    }
