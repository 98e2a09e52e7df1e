import base64
import itertools

import pytest

from student_app.auth import token_hash
from student_app.db import get_db
from student_app.badges import new_badge_secret
from tests.conftest import learner_id, sign_in_as


@pytest.fixture
def secrets_made(monkeypatch):
    """Make badge secrets predictable so a test can 'scan' the badge it printed."""
    made = []
    counter = itertools.count(1)

    def fake_secret():
        made.append(f"test-secret-{next(counter)}")
        return made[-1]

    monkeypatch.setattr("student_app.badges.new_badge_secret", fake_secret)
    return made


def test_badge_secrets_are_random_with_at_least_112_bits():
    made = {new_badge_secret() for _ in range(100)}
    assert len(made) == 100
    assert all(len(base64.urlsafe_b64decode(s + "==")) * 8 >= 112 for s in made)


def test_staff_prints_a_badge_that_signs_in_that_learner_only(client, app, secrets_made):
    amira = learner_id(app, "Amira")
    sign_in_as(client, app, "staff")
    sheet = client.post(f"/staff/learners/{amira}/badges")
    assert sheet.status_code == 200
    assert "<svg" in sheet.text and "Amira" in sheet.text
    assert sheet.headers["Cache-Control"] == "no-store"
    client.post("/sign-out")

    confirm = client.get(f"/badge/{secrets_made[0]}")
    assert confirm.status_code == 200 and "Amira" in confirm.text and "Is this you?" in confirm.text
    assert client.get("/home").status_code == 302  # looking at the badge page signs nobody in
    response = client.post("/badge", data={"secret": secrets_made[0]})
    assert response.headers["Location"] == "/home"
    assert "Amira" in client.get("/home").text


def test_badge_secret_is_stored_only_as_a_hash(client, app, secrets_made):
    sign_in_as(client, app, "staff")
    client.post(f"/staff/learners/{learner_id(app, 'Ben')}/badges")
    with app.app_context():
        stored = [r[0] for r in get_db().execute("SELECT secret_hash FROM badges")]
    assert stored == [token_hash(secrets_made[0])]


def test_voided_badge_no_longer_signs_in(client, app, secrets_made):
    amira = learner_id(app, "Amira")
    sign_in_as(client, app, "staff")
    client.post(f"/staff/learners/{amira}/badges")
    response = client.post(f"/staff/learners/{amira}/badges/void")
    assert response.status_code == 302
    client.post("/sign-out")
    assert client.get(f"/badge/{secrets_made[0]}").status_code == 404
    response = client.post("/badge", data={"secret": secrets_made[0]})
    assert response.status_code == 404 and "does not work any more" in response.text
    assert client.get("/home").status_code == 302


def test_reissue_voids_the_old_badge(client, app, secrets_made):
    amira = learner_id(app, "Amira")
    sign_in_as(client, app, "staff")
    client.post(f"/staff/learners/{amira}/badges")
    client.post(f"/staff/learners/{amira}/badges")
    old, new = secrets_made
    assert client.get(f"/badge/{old}").status_code == 404
    assert client.get(f"/badge/{new}").status_code == 200


def test_whole_class_badges_print_and_void(client, app, secrets_made):
    sign_in_as(client, app, "staff")
    sheet = client.post("/staff/classes/1/badges")
    assert sheet.text.count("<svg") == 8
    assert all(client.get(f"/badge/{s}").status_code == 200 for s in secrets_made)
    client.post("/staff/classes/1/badges/void")
    assert all(client.get(f"/badge/{s}").status_code == 404 for s in secrets_made)


def test_learners_cannot_issue_badges(client, app):
    sign_in_as(client, app, "learner", "Amira")
    assert client.post(f"/staff/learners/{learner_id(app, 'Amira')}/badges").status_code == 403
    assert client.post("/staff/classes/1/badges").status_code == 403
