"""Run every benchmark in bench/ and print one table: each figure, its target, and whether it
is met, so that a change that slows one is seen before it lands.

    .venv/bin/python bench/run_all.py            # every benchmark, about 8 minutes
    .venv/bin/python bench/run_all.py passport_pdf classroom_load   # only these

Run it on a quiet machine (nothing else busy): the figures are times. A benchmark that needs
what is not installed is listed as skipped, with what to install: classroom_load needs Locust
(`.venv/bin/pip install -e ".[bench]"`), throughput needs wrk (`sudo apt-get install wrk`),
and page_weight needs the app serving the demo school at http://127.0.0.1:5000 (`bash
scripts/run.sh` in another terminal). It exits with 1 if a figure misses its target or a
benchmark fails.

The table's first row times a fixed piece of plain Python work (best of three) on the machine
as it is now. The figures are times on a shared machine whose speed varies from day to day
(the same code made the passport PDF in 1.9 s one day and 8 s another): when that row is well
above 0.52 s (its time on 2026-12-04, a quick day, when the passport PDF took 1.9 s), the
machine is slow today, not the code. Compare a change by running the old and the new code in
turns in one sitting.
"""

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from bench.figures import MARK, met  # noqa: E402


def app_serving():
    try:
        socket.create_connection(("127.0.0.1", 5000), timeout=0.5).close()
        return None
    except OSError:
        return "the app serving at http://127.0.0.1:5000 (bash scripts/run.sh)"


# Each benchmark, and what it needs that may be missing (None: nothing).
NEEDS = {
    "passport_pdf": lambda: None,
    "review_pack": lambda: None,
    "classroom_load": lambda: None if importlib.util.find_spec("locust") else 'Locust (.venv/bin/pip install -e ".[bench]")',
    "careers_desk": lambda: None,
    "record_scale": lambda: None,
    "import_learners": lambda: None,
    "upload_memory": lambda: None,
    "school_content": lambda: None,
    "throughput": lambda: None if shutil.which("wrk") else "wrk (sudo apt-get install wrk)",
    "page_weight": app_serving,
}


def run(name):
    """(figures, seconds, problem): the figures a benchmark reported, or why it gave none."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, os.path.join(HERE, f"{name}.py")], cwd=os.path.dirname(HERE),
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    figures = [json.loads(line[len(MARK):]) for line in done.stdout.splitlines() if line.startswith(MARK)]
    if done.returncode:
        return figures, seconds, f"failed (exit {done.returncode}): {why(done.stderr or done.stdout)}"
    return figures, seconds, None if figures else "reported no figures"


def why(output):
    """The line of a failed benchmark's output that says why (its exception's, if any), short
    enough for one row of the table."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    said = next((line for line in reversed(lines) if "Error" in line.split(":")[0] or "Exception" in line.split(":")[0]),
                lines[-1] if lines else "no output")
    return said if len(said) <= 160 else said[:157] + "..."


def machine_seconds(rounds=3):
    """Best time of `rounds` runs of fixed plain-Python work much like a page's or a PDF's:
    building, sorting and joining strings and dicts."""
    best = None
    for _ in range(rounds):
        started = time.perf_counter()
        for n in range(200):
            rows = [{"id": i, "word": f"word {i * n % 977}", "size": (i * 7919) % 104729} for i in range(4000)]
            rows.sort(key=lambda row: (row["word"], row["size"]))
            "".join(f"<li>{row['word']}</li>" for row in rows)
        seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
    return best


def shown(value):
    return f"{value:g}" if isinstance(value, (int, float)) else "-"


def main(names):
    unknown = [name for name in names if name not in NEEDS]
    if unknown:
        raise SystemExit(f"no such benchmark: {', '.join(unknown)} (there are: {', '.join(NEEDS)})")
    rows, missed = [("machine", "fixed Python work, best of 3 (0.52 s on a quick day)", f"{machine_seconds():.2f} s", "", "")], False
    for name in names or NEEDS:
        missing = NEEDS[name]()
        if missing:
            rows.append((name, f"skipped: needs {missing}", "", "", ""))
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        figures, seconds, problem = run(name)
        for found in figures:
            ok = met(found)
            missed |= ok is False
            target = "" if found["target"] is None else f"{found['rule']} {shown(found['target'])} {found['unit']}"
            rows.append((name, found["name"], f"{shown(found['value'])} {found['unit']}", target,
                         {True: "met", False: "MISSED", None: ""}[ok]))
        if problem:
            missed = True
            rows.append((name, problem, "", "", "FAILED"))
        print(f"  {name}: {seconds:.0f} s", file=sys.stderr, flush=True)
    widths = [max(len(str(row[i])) for row in rows + [("benchmark", "figure", "value", "target", "")])
              for i in range(5)]
    for row in [("benchmark", "figure", "value", "target", ""), *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
