"""Time of the Careers Leader's desk for a school of 300 learners with five years of records
(issue 16): the leavers' destinations page and CSV, and the termly benchmark review and its CSV.

Run from the project folder (no server needed; it uses a throwaway database):

    .venv/bin/python bench/careers_desk.py

Target on the 2-core development machine: p95 under 200 ms for each. The school has 300
learners on roll, Years 7 to 14, each with five years of records (40 activities a year, six
passport pages a year, two of them from encounters recorded for a year group, and a guidance
meeting a year from Year 10); and 300 leavers: 60 leave each July for five years, each with an
intended destination, consent for most, and every check made so far. Each page and CSV is
made 20 times.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.figures import figure  # noqa: E402

RUNS = int(os.environ.get("RUNS", 20))
LEARNERS, YEARS = 300, 5


def fill_roll(db, school_id, class_id, staff_id):
    """300 learners on roll with five years of activities, passport pages, encounters and meetings."""
    from student_app.content import get_catalogue
    from student_app.db import now

    rng = random.Random(17)
    activities = list(get_catalogue().activities)
    this_year = date.today().year if date.today().month >= 9 else date.today().year - 1
    learners = []
    for n in range(LEARNERS):
        year_group = 7 + n % 8
        born = this_year - year_group - 4  # born September to August: Year 7 at 11
        learners.append((db["learners"].insert({
            "school_id": school_id, "class_id": class_id, "name": f"Learner {n}", "avatar": "avatar-fox", "code": "",
            "code_hash": "", "created_at": f"{this_year - YEARS}-09-01", "date_of_birth": f"{born}-{1 + n % 12:02d}"}).last_pk,
            year_group))
    plays, pages, meetings = [], [], []
    for back in range(YEARS):
        start = this_year - back
        for learner, year_group in learners:
            for number in range(40):
                month = (8 + number % 10) % 12 + 1  # September to June
                day = f"{start + (month < 9)}-{month:02d}-{1 + number % 27:02d}"
                plays.append({"learner_id": learner, "activity": rng.choice(activities), "item": "mine",
                              "started_at": f"{day}T10:00:00", "finished_at": f"{day}T10:05:00"})
            for number in range(4):
                pages.append({"learner_id": learner, "kind": rng.choice(("employer", "workplace", "tried")),
                              "what": "A page", "happened_on": f"{start + 1}-0{1 + number}-10", "given_by": "learner",
                              "created_at": now()})
            if year_group - back >= 10:
                meetings.append({"learner_id": learner, "held_on": f"{start + 1}-02-01", "adviser": "Adviser",
                                 "adviser_qualified": 1, "created_at": now()})
        # Two encounters a year for each year group, one of them with a provider (provider access).
        for year_group in range(7, 15):
            for kind, access, month in (("provider", 1, 11), ("employer", 0, 5)):
                happened = f"{start + (month < 9)}-{month:02d}-12"
                encounter = db["encounters"].insert({
                    "school_id": school_id, "kind": kind, "what": "A visit", "provider": "Riverside College",
                    "happened_on": happened, "group_name": f"Year {year_group - back}", "provider_access": access,
                    "staff_id": staff_id, "created_at": now()}).last_pk
                pages.extend({"learner_id": learner, "kind": kind, "what": "A visit", "happened_on": happened,
                              "given_by": "staff", "encounter_id": encounter, "created_at": now()}
                             for learner, group in learners if group == year_group)
    db["plays"].insert_all(plays, batch_size=2000)
    db["passport_pages"].insert_all(pages, batch_size=2000)
    db["guidance_meetings"].insert_all(meetings, batch_size=2000)
    return len(plays), len(pages), len(meetings)


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
    folder = tempfile.mkdtemp(prefix="careers-desk-bench-")
    os.environ["STUDENT_APP_INSTANCE"] = folder
    from flask import g

    from student_app import create_app
    from student_app.db import get_db, migrate
    from student_app.demo import load_demo
    from student_app.desk import destinations as dest
    from student_app.desk import termly, views

    app = create_app({"DATABASE": f"{folder}/bench.sqlite3", "AUDIO_DIR": f"{folder}/audio", "SERVER_NAME": "localhost"})
    with app.app_context():
        db = get_db()
        migrate(db)
        load_demo(db)
        fill(db, 1, 1)
        admin = dict(next(db.query("SELECT * FROM staff WHERE staff_role = 'admin'")), role="staff")
        counts = fill_roll(db, 1, 1, admin["id"])
        rows = db.execute("SELECT count(*) FROM destinations").fetchone()[0]
        timings = {"destinations page": [], "destinations CSV": [], "termly review page": [], "termly review CSV": []}
        end = termly.term_end(date.today())
        for run in range(RUNS + 1):  # the first run warms up (templates compiled, catalogues read, snapshots saved)
            for what, endpoint, call in (
                    ("destinations page", "/staff/destinations", views.destinations),
                    ("destinations CSV", "/staff/destinations.csv", lambda: dest.csv_rows(1)),
                    ("termly review page", "/staff/termly-review", views.termly_review),
                    ("termly review CSV", "/staff/termly-review.csv", lambda: termly.csv_text(1, end))):
                with app.test_request_context(endpoint):
                    g.user = admin
                    started = time.perf_counter()
                    call()
                    if run:
                        timings[what].append(time.perf_counter() - started)
    print(f"careers desk: {LEARNERS} learners on roll with {counts[0]} activities, {counts[1]} passport pages and "
          f"{counts[2]} guidance meetings over {YEARS} years; {LEARNERS} leavers with {rows} destination records; "
          f"{RUNS} runs each")
    for what, times in timings.items():
        print(f"  {what}: median {statistics.median(times) * 1000:.0f} ms, p95 {p95(times) * 1000:.0f} ms "
              f"(target under 200 ms)")
        figure(f"{what}: p95", p95(times) * 1000, "ms", 200)


if __name__ == "__main__":
    main()
