"""A school's own content (issue 19): staff make drafts with the app's checks, their own photos
and voice; an admin publishes; learners of that school, and nobody else, meet it."""

import io
import json
import re
import zipfile

import pytest

from student_app.db import get_db
from tests.conftest import learner_id, sign_in_as, sign_in_staff, text_of
from tests.test_library import jpeg_with_gps

BAKERY = {
    "name": "Bakery assistant", "sector": "hospitality",
    "what": "A bakery assistant helps to make and sell bread and cakes in a shop.",
    "what_simple": "I help in a bakery shop. I sell bread.",
    "where": "In the bakery on Mill Street.", "where_symbol": "place-bakery",
    "wear": "An apron and a hat.", "wear_symbol": "clothes-uniform",
    "skills": ["careful", "on-time"], "subjects": ["food", "maths"],
    "route.kind": "job-coach", "route.text": "A job coach can help you start here.",
    "employers": "The Mill Bakery takes work experience students.",
}
CLUES = {"clue.1.text": "I put loaves on the shelves.", "clue.1.symbol": "tool-bread",
         "clue.2.text": "I help people choose a cake.", "clue.2.symbol": "tool-cake"}


def post(client, url, data, **files):
    form = dict(data)
    form.update({key: (io.BytesIO(value), "photo.jpg") for key, value in files.items()})
    return client.post(url, data=form, content_type="multipart/form-data")


@pytest.fixture
def teacher(app):
    client = app.test_client()
    sign_in_as(client, app, "staff")
    return client


@pytest.fixture
def admin(app):
    client = app.test_client()
    sign_in_as(client, app, "admin")
    return client


def test_a_teacher_makes_a_job_an_admin_publishes_and_a_learner_plays_it(app, teacher, admin):
    made = post(teacher, "/staff/content/jobs/new", BAKERY, **{"photo:symbol": jpeg_with_gps()})
    assert made.status_code == 302, text_of(made)
    assert made.headers["Location"].endswith("/staff/content/jobs/bakery-assistant")
    clues = post(teacher, "/staff/content/guess-my-job/bakery-assistant/edit", CLUES)
    assert clues.status_code == 302, text_of(clues)
    learner = app.test_client()
    sign_in_as(learner, app, "learner", "Ben")
    assert learner.get("/activities/guess-my-job/bakery-assistant/clue/1").status_code == 404  # a draft
    assert teacher.get("/staff/content/guess-my-job/bakery-assistant/preview/2").status_code == 200
    assert admin.post("/staff/content/guess-my-job/bakery-assistant/publish").status_code == 409  # its job first
    assert admin.post("/staff/content/jobs/bakery-assistant/publish").status_code == 302
    assert admin.post("/staff/content/guess-my-job/bakery-assistant/publish").status_code == 302
    page = learner.get("/activities/guess-my-job/bakery-assistant/clue/1")
    assert page.status_code == 200 and "I put loaves on the shelves." in text_of(page)
    card = learner.get("/a/job-explorer/bakery-assistant")
    assert "The Mill Bakery takes work experience students." in text_of(card)
