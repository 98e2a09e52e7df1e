"""A teacher saves a job of the school's own with four Guess my job clues: how long each save
takes to answer, and how long the narration of its texts takes to be made in the background.

Run from the project folder (no server needed; a throwaway database, media and narration
folder; espeak-ng must be installed):

    .venv/bin/python bench/school_content.py

Targets on the 2-core development machine: each save answers in under 0.5 s (the narration is
not made in the request), and every text of the job and its clues is narrated within 10 s of
the clues being saved.
"""

import io
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.figures import figure  # noqa: E402

from PIL import Image  # noqa: E402

SAVE_TARGET, NARRATION_TARGET = 0.5, 10.0
JOB = {
    "name": "Bakery assistant", "sector": "hospitality",
    "what": "A bakery assistant helps to make and sell bread and cakes in a shop.",
    "what_simple": "I help in a bakery shop. I sell bread.",
    "where": "In the bakery on Mill Street.", "where_symbol": "place-bakery",
    "wear": "An apron and a hat.", "wear_symbol": "clothes-uniform",
    "skills": ["careful", "on-time"], "subjects": ["food", "maths"],
    "route.kind": "job-coach", "route.text": "A job coach can help you start here.",
    "employers": "The Mill Bakery takes work experience students.",
}
CLUES = {
    "clue.1.text": "I put loaves on the shelves.", "clue.1.symbol": "tool-bread",
    "clue.2.text": "I help people choose a cake.", "clue.2.symbol": "tool-cake",
    "clue.3.text": "I make cups of tea for people.", "clue.3.symbol": "tool-cup",
    "clue.4.text": "I start work early in the morning.", "clue.4.symbol": "tool-coffee",
}


def photo():
    out = io.BytesIO()
    Image.new("RGB", (2400, 1800), (200, 140, 60)).save(out, "JPEG", quality=90)
    return out.getvalue()


def measure():
    """The figures: (name, value, target, unit)."""
    folder = tempfile.mkdtemp(prefix="school-content-bench-")
    os.environ["STUDENT_APP_INSTANCE"] = folder
    from student_app import create_app
    from student_app.db import get_db, migrate
    from student_app.demo import load_demo
    from tests.conftest import sign_in_as

    app = create_app({"DATABASE": f"{folder}/bench.sqlite3", "AUDIO_DIR": f"{folder}/audio",
                      "WTF_CSRF_ENABLED": False})
    if app.extensions["narration_problem"]:
        raise SystemExit(app.extensions["narration_problem"])
    with app.app_context():
        migrate(get_db())
        load_demo(get_db())
    client = app.test_client()
    sign_in_as(client, app, "staff")
    started = time.perf_counter()
    job = client.post("/staff/content/jobs/new", content_type="multipart/form-data",
                      data=dict(JOB, **{"photo:symbol": (io.BytesIO(photo()), "counter.jpg")}))
    job_seconds = time.perf_counter() - started
    assert job.status_code == 302, job.text
    started = time.perf_counter()
    clues = client.post("/staff/content/guess-my-job/bakery-assistant/edit", data=CLUES)
    clue_seconds = time.perf_counter() - started
    assert clues.status_code == 302, clues.text
    total = 0
    while True:
        ready = [re.search(r"All (\d+) texts are narrated", client.get(f"/staff/content/{folder}/bakery-assistant").text)
                 for folder in ("jobs", "guess-my-job")]
        if all(ready):
            total = sum(int(found.group(1)) for found in ready)
            break
        if time.perf_counter() - started > 120:
            raise SystemExit("the narration was not made within 2 minutes")
        time.sleep(0.1)
    narration_seconds = time.perf_counter() - started
    return [("save a job (with a photo)", job_seconds, SAVE_TARGET, "s"),
            ("save its four clues", clue_seconds, SAVE_TARGET, "s"),
            (f"narration of its {total} texts, after the clues' save", narration_seconds, NARRATION_TARGET, "s")]


def main():
    figures = measure()
    for name, value, target, unit in figures:
        print(f"{name}: {value:.2f} {unit} (target under {target} {unit}): {'met' if value < target else 'MISSED'}")
        figure(name, value, unit, target)


if __name__ == "__main__":
    main()
