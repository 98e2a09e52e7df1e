"""Time of the leavers' destinations page and CSV for a school of 300 learners with five years
of records (issue 16).

Run from the project folder (no server needed; it uses a throwaway database):

    .venv/bin/python bench/destinations.py

Target on the 2-core development machine: p95 under 200 ms for each. The school has 300
learners: 60 leave each July for five years, each with an intended destination, consent for
most, and every check made so far; the page and the CSV are made 20 times each.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

RUNS = int(os.environ.get("RUNS", 20))
LEARNERS, YEARS = 300, 5


def fill(db, school_id, class_id):
    from student_app.db import now
    from student_app.desk import destinations as dest

    rng = random.Random(16)
    codes = list(dest.ACTIVITIES)
    this_month = date.today().isoformat()[:7]
    for n in range(LEARNERS):
        year = date.today().year - 1 - n % YEARS
        learner = db["learners"].insert({
            "school_id": school_id, "class_id": class_id, "name": f"Leaver {n}", "avatar": "avatar-fox",
            "code": "", "code_hash": "", "created_at": now(), "date_of_birth": f"{year - 16}-0{1 + n % 8}",
            "left_on": f"{year}-07"}).last_pk
        consent = n % 5 != 0
        db["follow_up_consent"].insert({"learner_id": learner, "consent": int(consent), "given_by": "parent",
                                        "recorded_on": f"{year}-06-01"})
        rows = [("intended", f"{year}-03-01")]
        for checkpoint, month in dest.checks_for(f"{year}-07", consent).items():
            if month <= this_month:
                rows.append((checkpoint, f"{month}-10"))
        db["destinations"].insert_all({
            "learner_id": learner, "checkpoint": checkpoint, "activity": rng.choice(codes), "provider": "A college",
            "started_on": f"{year}-09-05", "checked_on": checked, "how_found": "provider", "created_at": now()}
            for checkpoint, checked in rows)


def p95(times):
    return statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]


def main():
    folder = tempfile.mkdtemp(prefix="destinations-bench-")
    os.environ["STUDENT_APP_INSTANCE"] = folder
    from flask import g

    from student_app import create_app
    from student_app.db import get_db, migrate
    from student_app.demo import load_demo
    from student_app.desk import destinations as dest
    from student_app.desk import views

    app = create_app({"DATABASE": f"{folder}/bench.sqlite3", "AUDIO_DIR": f"{folder}/audio", "SERVER_NAME": "localhost"})
    with app.app_context():
        db = get_db()
        migrate(db)
        load_demo(db)
        fill(db, 1, 1)
        rows = db.execute("SELECT count(*) FROM destinations").fetchone()[0]
        timings = {"page": [], "csv": []}
        for run in range(RUNS + 1):  # the first run warms up (templates compiled, catalogues read)
            with app.test_request_context("/staff/destinations"):
                g.user = dict(next(db.query("SELECT * FROM staff WHERE staff_role = 'admin'")), role="staff")
                started = time.perf_counter()
                views.destinations()
                page = time.perf_counter() - started
                started = time.perf_counter()
                dest.csv_rows(1)
                if run:
                    timings["page"].append(page)
                    timings["csv"].append(time.perf_counter() - started)
    print(f"destinations: {LEARNERS} leavers over {YEARS} years, {rows} destination records, {RUNS} runs each")
    for what, times in timings.items():
        print(f"  {what}: median {statistics.median(times) * 1000:.0f} ms, p95 {p95(times) * 1000:.0f} ms "
              f"(target under 200 ms)")


if __name__ == "__main__":
    main()
