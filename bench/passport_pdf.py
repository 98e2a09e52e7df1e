"""Time and peak memory to make the passport PDF of a learner with 100 pages and 20 photos.

Run from the project folder (no server needed; it uses a throwaway database and folder):

    .venv/bin/python bench/passport_pdf.py

Target on the 2-core development machine: under 3 seconds and under 300 MB. The PDF is made
three times in one process; the report gives each time and the process's peak memory
(maximum resident set size), which includes Python, Flask and WeasyPrint themselves.
"""

import io
import os
import resource
import sys
import tempfile
import time
from datetime import date, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.figures import figure  # noqa: E402

from PIL import Image  # noqa: E402

PAGES, PHOTOS = 100, 20
RUNS = int(os.environ.get("RUNS", 3))


def photo(number):
    image = Image.new("RGB", (3000, 2000), (40 + number * 9 % 200, 120, 90))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def fill_passport(db, learner, pages=PAGES, photos=PHOTOS):
    """`pages` passport pages over three school years for the learner, the first `photos` with
    a photo each (cleaned and stored as an upload is)."""
    from student_app import media
    from student_app.db import now
    from student_app.passport import KINDS

    kinds = list(KINDS)
    first = date(2025, 9, 1)
    for number in range(pages):
        page_id = db["passport_pages"].insert({
            "learner_id": learner["id"], "kind": kinds[number % len(kinds)],
            "what": f"Experience number {number + 1}: a visit to a local employer",
            "place": "The high street", "place_symbol": "place-shop",
            "happened_on": (first + timedelta(days=3 * number)).isoformat(),
            "who_with": "My class and Ms Patel",
            "did": "I looked around, asked two questions and tried the till.",
            "feeling": "feeling-happy" if number % 4 else "feeling-worried", "learnt": "People at work help each other.",
            "again": "yes" if number % 3 else "no", "given_by": "learner", "created_at": now()}).last_pk
        if number < photos:
            media_id = media.store_upload(learner["id"], ("photo", media.clean_photo(photo(number)), "jpg", None))
            db["passport_photos"].insert({"page_id": page_id, "media_id": media_id})


def time_pdf(prefix, fill, make, name):
    """Make a throwaway demo school, `fill(db, learner)` Amira's record, then time `make(learner)`
    (the PDF's bytes, made as an admin of her school would ask for it) RUNS times. Returns the
    times, the PDF and where it was written."""
    folder = tempfile.mkdtemp(prefix=prefix)
    os.environ["STUDENT_APP_INSTANCE"] = folder
    from flask import g

    from student_app import create_app
    from student_app.db import get_db, migrate
    from student_app.demo import load_demo

    app = create_app({"DATABASE": f"{folder}/bench.sqlite3", "AUDIO_DIR": f"{folder}/audio",
                      "SERVER_NAME": "localhost"})
    with app.app_context():
        db = get_db()
        migrate(db)
        load_demo(db)
        learner = next(db.query("SELECT * FROM learners WHERE name = 'Amira'"))
        with app.test_request_context("/"):
            fill(db, learner)
        times = []
        for _ in range(RUNS):
            with app.test_request_context("/"):
                g.user = dict(next(db.query("SELECT * FROM staff WHERE staff_role = 'admin'")), role="staff")
                g.owner = learner
                started = time.perf_counter()
                pdf = make(learner)
                times.append(time.perf_counter() - started)
    path = os.path.join(folder, name)
    with open(path, "wb") as out:
        out.write(pdf)
    return times, pdf, path


def report(what, times, pdf, path, label="passport PDF"):
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{what}: {len(pdf) / 1024:.0f} KiB")
    print("time per PDF: " + ", ".join(f"{t:.2f} s" for t in times) + f" (best {min(times):.2f} s)")
    print(f"peak memory of the process: {peak_mb:.0f} MB")
    print(f"the PDF is at {path} (not kept in the repository)")
    figure(f"{label}: best time", min(times), "s", 3)
    figure(f"{label}: peak memory", peak_mb, "MB", 300)
    figure(f"{label}: size", len(pdf) / 1024, "KiB")


def main():
    from student_app.passport import make_pdf

    times, pdf, path = time_pdf("passport-bench-", fill_passport, lambda learner: make_pdf(), "passport.pdf")
    report(f"passport PDF, {PAGES} pages and {PHOTOS} photos", times, pdf, path)


if __name__ == "__main__":
    main()
