"""Pages of a long record at scale (issue 17): a school of 10,000 learners and 2 million
answers, and one learner (Ben) with 1,000 plays over five years, ten answers each.

Run from the project folder (no server needed; it makes its own throwaway database, which
takes a minute or two):

    .venv/bin/python bench/record_scale.py

Each page is fetched 20 times through Flask's test client, signed in as the person who sees
it. Targets on the 2-core development machine: p95 under 50 ms and under 150 KB of HTML for
every page.
"""

import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.figures import figure  # noqa: E402

RUNS = int(os.environ.get("RUNS", 20))
LEARNERS, PLAYS_EACH, ANSWERS_EACH, BEN_PLAYS, YEARS = 10_000, 20, 10, 1_000, 5


def fill(db):
    """10,000 learners in 50 classes, 20 plays each with ten answers; Ben with 1,000 plays and two
    photos to say who is in."""
    from datetime import date

    from flask import current_app

    this_year = date.today().year if date.today().month >= 9 else date.today().year - 1
    activities = ("all-about-me", "my-skills", "who-can", "future-routes", "job-explorer")
    # Each answer to a real step of its activity, so that a page shows its question as a
    # learner's record does (a step the content no longer has is said in a longer sentence).
    catalogue = current_app.extensions["catalogue"]
    steps = {a: [step.id for step in catalogue.activities[a].steps] or ["step"] for a in activities}
    conn = db.conn
    conn.execute("BEGIN")
    classes = [conn.execute("INSERT INTO classes (school_id, name) VALUES (1, ?)", [f"Class {n}"]).lastrowid
               for n in range(50)]
    learners = []
    for n in range(LEARNERS):
        learners.append(conn.execute(
            """INSERT INTO learners (school_id, class_id, name, avatar, code_hash, date_of_birth, created_at)
               VALUES (1, ?, ?, 'avatar-fox', '', '2010-05', '2020-09-01')""", [classes[n % 50], f"Learner {n}"]).lastrowid)
    ben = conn.execute("SELECT id FROM learners WHERE name = 'Ben'").fetchone()[0]
    plays = [(learner, number) for learner in learners for number in range(PLAYS_EACH)]
    plays += [(ben, number) for number in range(BEN_PLAYS)]
    answers = 0
    for first in range(0, len(plays), 5_000):
        rows = []
        for learner, number in plays[first:first + 5_000]:
            year = this_year - number % YEARS
            month = (8 + number % 10) % 12 + 1
            stamp = f"{year + (month < 9)}-{month:02d}-{1 + number % 28:02d}T10:00:00+00:00"
            activity = activities[number % len(activities)]
            play = conn.execute(
                "INSERT INTO plays (learner_id, activity, item, started_at, finished_at) VALUES (?, ?, 'mine', ?, ?)",
                [learner, activity, stamp, stamp]).lastrowid
            # Ten answers, to the steps in turn (a step with more than one, as a step of many picks has).
            rows.extend((play, learner, steps[activity][k % len(steps[activity])], f"words:answer {k}", "learner",
                         stamp) for k in range(ANSWERS_EACH))
        conn.executemany("""INSERT INTO responses (play_id, learner_id, step, answer, given_by, created_at)
                            VALUES (?, ?, ?, ?, ?, ?)""", rows)
        answers += len(rows)
    # A photo Ben gave as an answer and one on a passport page: the forms that say who a photo
    # shows list his class and whoever is ticked, not the school's 10,000 learners.
    stamp = f"{date.today().isoformat()}T10:00:00+00:00"
    answer_photo = conn.execute("""INSERT INTO media (learner_id, kind, file, mimetype, created_at)
                                   VALUES (?, 'photo', 'bench-answer.jpg', 'image/jpeg', ?)""", [ben, stamp]).lastrowid
    conn.execute("INSERT INTO photo_people (media_id, learner_id) VALUES (?, ?)", [answer_photo, learners[7]])
    page = conn.execute("SELECT id FROM passport_pages WHERE learner_id = ? ORDER BY id LIMIT 1", [ben]).fetchone()[0]
    page_photo = conn.execute("""INSERT INTO media (learner_id, kind, file, mimetype, created_at)
                                 VALUES (?, 'photo', 'bench-page.jpg', 'image/jpeg', ?)""", [ben, stamp]).lastrowid
    conn.execute("INSERT INTO passport_photos (page_id, media_id) VALUES (?, ?)", [page, page_photo])
    conn.execute("COMMIT")
    return ben, page, len(plays), answers


def p95(times):
    return statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]


def main():
    folder = tempfile.mkdtemp(prefix="record-scale-bench-")
    os.environ["STUDENT_APP_INSTANCE"] = folder
    from student_app import create_app
    from student_app.db import get_db, migrate
    from student_app.demo import load_demo
    from tests.conftest import sign_in_as

    app = create_app({"DATABASE": f"{folder}/bench.sqlite3", "AUDIO_DIR": f"{folder}/audio", "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "SERVER_NAME": "localhost"})
    started = time.perf_counter()
    with app.app_context():
        db = get_db()
        migrate(db)
        load_demo(db)
        ben, page, plays, answers = fill(db)
        db.conn.execute("ANALYZE")
        # A play half-way down Ben's school year: where "Older activities" goes on from.
        older = db.execute("""SELECT id FROM plays WHERE learner_id = ? ORDER BY started_at DESC, id DESC
                              LIMIT 1 OFFSET 100""", [ben]).fetchone()[0]
    made = time.perf_counter() - started
    clients = {role: app.test_client() for role in ("learner", "staff", "family")}
    sign_in_as(clients["learner"], app, "learner", "Ben")
    sign_in_as(clients["staff"], app, "staff")
    clients["family"].post("/family/sign-in", data={"email": "family@oaktree.example", "password": "oak-tree-family"})
    pages = [
        ("learner", "/home"), ("learner", "/passport"), ("learner", f"/passport?older={older}"),
        ("learner", "/a/all-about-me"),
        ("staff", "/staff/"), ("staff", "/staff/?q=learner 12"), ("staff", "/staff/classes/2"),
        ("staff", f"/staff/learners/{ben}"), ("staff", f"/staff/learners/{ben}?older={older}"),
        ("staff", f"/staff/learners/{ben}/passport"), ("staff", f"/staff/learners/{ben}/passport/pages/{page}"),
        ("staff", f"/staff/learners/{ben}?who=learner 99"),
        ("staff", "/staff/classes/1/benchmarks"), ("staff", f"/staff/learners/{ben}/review"),
        ("family", "/family/"), ("family", f"/family/children/{ben}/passport"),
    ]
    print(f"record scale: {LEARNERS + 8} learners, {plays} plays, {answers} answers; Ben has {BEN_PLAYS} plays "
          f"of {ANSWERS_EACH} answers over {YEARS} years (made in {made:.0f} s); {RUNS} runs a page")
    print(f"  {'who':8} {'page':40} {'p50 ms':>7} {'p95 ms':>7} {'KB':>6}")
    worst = (0, 0)  # the slowest p95 (s) and the biggest page (bytes)
    for role, url in pages:
        client, times, size = clients[role], [], 0
        for run in range(RUNS + 1):  # the first run warms up
            began = time.perf_counter()
            response = client.get(url)
            if run:
                times.append(time.perf_counter() - began)
            assert response.status_code == 200, (url, response.status_code)
            size = len(response.data)
        worst = (max(worst[0], p95(times)), max(worst[1], size))
        print(f"  {role:8} {url:40} {statistics.median(times) * 1000:7.1f} {p95(times) * 1000:7.1f} "
              f"{size / 1024:6.0f}")
    print("  targets: p95 under 50 ms, under 150 KB")
    figure("slowest page's p95", worst[0] * 1000, "ms", 50)
    figure("biggest page", worst[1] / 1024, "KB", 150)


if __name__ == "__main__":
    main()
