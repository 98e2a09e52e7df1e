"""Time and peak memory to import 1,000 learners (10 classes) from an MIS export.

Run from the project folder (no server needed; it uses a throwaway database and folder):

    .venv/bin/python bench/import_learners.py

Target on the 2-core development machine: under 10 seconds for all of it. It times the
preview (reading the file and planning every row), the commit (the writes, in one
transaction), and a re-import of the same file (preview and commit, all unchanged), and gives
the process's peak resident set size (resource.getrusage) before and after the imports, which
includes Python and Flask themselves (and the demo's password hashing, its peak before the
imports); and, from one more import of 1,000 other learners into a second school, run after the
timed ones because tracing slows Python down, the peak memory the import allocates (tracemalloc).
"""

import os
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.figures import figure  # noqa: E402

LEARNERS, CLASSES = 1000, 10
FIRST = ["Łucja", "Siân", "محمد", "Amira", "Ben", "Chloe", "Dylan", "Ellie", "Farhan", "Grace", "Harry", "Zoë"]
LAST = ["Nowak", "Evans", "علي", "Khan", "Jones", "Smith", "Patel", "O'Brien", "Müller", "Lee"]


def mis_file(upn):
    """An export as SIMS writes it from Excel: a BOM, `;`, day-first dates, a column not read."""
    lines = ["Legal Surname;Legal Forename;Date of Birth;Reg Group;UPN;Gender"]
    for number in range(LEARNERS):
        lines.append(";".join([
            LAST[number % len(LAST)], f"{FIRST[number % len(FIRST)]} {chr(ord('A') + number // 40 % 26)}",
            f"{1 + number % 28:02d}/{1 + number % 12:02d}/{2008 + number % 8}", f"Class {number % CLASSES + 1}",
            upn(number), "F" if number % 2 else "M"]))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n\r\n").encode()


def upn(digits):
    from student_app.school.records import upn_check_letter

    return upn_check_letter(f"{digits:012d}") + f"{digits:012d}"


def main():
    folder = tempfile.mkdtemp(prefix="import-bench-")
    os.environ["STUDENT_APP_INSTANCE"] = folder
    from student_app import create_app
    from student_app.db import get_db, migrate
    from student_app.demo import load_demo
    from student_app.school import importer

    app = create_app({"DATABASE": os.path.join(folder, "bench.sqlite3"), "AUDIO_DIR": os.path.join(folder, "audio")})
    actor = {"actor_role": "system", "actor_id": 0, "actor_name": "bench"}
    figures = []
    try:
        with app.app_context():
            db = get_db()
            migrate(db)
            load_demo(db)
            data = mis_file(lambda n: upn(900000000000 + n))
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started = time.perf_counter()
            for label in ("first import", "re-import"):
                begin = time.perf_counter()
                plan = importer.plan(db, 1, importer.read_rows(data))
                planned = time.perf_counter()
                result = importer.apply(db, 1, plan, actor)
                done = time.perf_counter()
                figures.append((label, planned - begin, done - planned, result))
            total = time.perf_counter() - started
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            count = db.execute("SELECT count(*) FROM learners WHERE school_id = 1").fetchone()[0]
            # Untimed: what the import allocates, for a second school's 1,000 learners.
            other = db["schools"].insert({"name": "Second school"}).last_pk
            other_data = mis_file(lambda n: upn(800000000000 + n))
            tracemalloc.start()
            traced = importer.apply(db, other, importer.plan(db, other, importer.read_rows(other_data)), actor)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            assert traced["added"] == LEARNERS, traced
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{LEARNERS} learners in {CLASSES} classes, a {len(data) / 1024:.0f} KB file")
    for label, preview, commit, result in figures:
        print(f"  {label}: preview {preview:.2f} s, commit {commit:.2f} s ({result})")
    print(f"  all of it: {total:.2f} s (target under 10 s); learners in the school now: {count}")
    figure(f"import {LEARNERS} learners, all of it", total, "s", 10)
    figure(f"one import of {LEARNERS} learners allocates", peak / 1024 / 1024, "MB")
    print(f"  peak memory: {rss_after / 1024:.0f} MB resident for the process "
          f"({(rss_after - rss_before) / 1024:.0f} MB more than before the imports); "
          f"one import of 1,000 learners allocates at most {peak / 1024 / 1024:.1f} MB (tracemalloc)")
    assert figures[0][3]["added"] == LEARNERS and figures[1][3]["unchanged"] == LEARNERS, figures


if __name__ == "__main__":
    main()
