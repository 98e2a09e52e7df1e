"""The careers programme (issue 16): planning it by year group, who may change it, and its
public page, which holds no learner data."""

import re

import pytest
from werkzeug.datastructures import MultiDict
from student_app.passwords import hashed

from student_app.db import get_db, now
from tests.conftest import sign_in_as, sign_in_staff, text_of

URL = "/staff/programme"
PUBLIC = "/schools/1/careers"


@pytest.fixture
def staff(client, app):
    sign_in_as(client, app, "staff")
    return client


def entry(**changes):
    found = {"year_group": "9", "term": "spring", "what": "event:workplace-visit", "title": "Visit to the bakery",
             "benchmark": ["6", "5"], "cdi_area": ["explore-possibilities"]}
    found.update(changes)
    return MultiDict([(key, value) for key, values in found.items()
                      for value in (values if isinstance(values, list) else [values])])


def details(**changes):
    found = {"leader_name": "Jo Evans", "leader_email": "careers@oaktree.example", "leader_phone": "",
             "learners_text": "Lessons and visits.", "families_text": "Come to the careers evening.",
             "employers_text": "Give a talk.", "impact_text": "We ask what helped.", "next_review_on": "2027-07-15",
             "public": "1"}
    found.update(changes)
    return found


def new_staff(app, email, role="teacher", school_id=1):
    with app.app_context():
        db = get_db()
        if school_id != 1:
            school_id = db["schools"].insert({"name": "Elm School", "created_at": now()}).last_pk
        db["staff"].insert({"school_id": school_id, "email": email, "name": email.split("@")[0], "staff_role": role,
                            "password_hash": hashed("a-long-password-1")})
    return email, "a-long-password-1"


def entries(app, school_id=1):
    with app.app_context():
        return list(get_db().query("SELECT * FROM programme_entries WHERE school_id = ? ORDER BY id", [school_id]))


def test_staff_add_then_remove_an_entry_audited(staff, app):
    before = len(entries(app))
    response = staff.post(f"{URL}/entries", data=entry())
    assert response.status_code == 302 and response.headers["Location"].endswith("#year-9")
    added = entries(app)[-1]
    assert len(entries(app)) == before + 1
    assert (added["kind"], added["title"], added["benchmarks"], added["cdi_areas"]) == (
        "workplace-visit", "Visit to the bakery", "5,6", "explore-possibilities")
    page = text_of(staff.get(URL))
    assert "Visit to the bakery" in page and "Trying out workplaces" in page and "Find out what is possible" in page
    assert staff.post(f"{URL}/entries/{added['id']}/remove").status_code == 302
    assert len(entries(app)) == before and "Visit to the bakery" not in text_of(staff.get(URL))
    with app.app_context():
        actions = [row["action"] for row in get_db().query("SELECT action FROM audit_log WHERE school_id = 1")]
    assert "added to the careers programme (Year 9, spring)" in actions
    assert "removed from the careers programme (Year 9, spring)" in actions


def test_an_activity_of_the_app_shows_its_title(staff, app):
    assert staff.post(f"{URL}/entries", data=entry(what="activity:who-can", title="ignored", year_group="14")).status_code == 302
    added = entries(app)[-1]
    assert (added["kind"], added["activity_id"], added["title"]) == ("activity", "who-can", None)
    assert "Who can do this job?" in text_of(staff.get(URL))


@pytest.mark.parametrize("changes, message", [
    ({"benchmark": []}, "Please tick at least one Gatsby Benchmark"),
    ({"cdi_area": []}, "Please tick at least one area of the Career Development Framework."),
    ({"year_group": "6"}, "Please choose a year group from Year 7 to Year 14."),
    ({"year_group": "nine"}, "Please choose a year group from Year 7 to Year 14."),
    ({"term": "winter"}, "Please choose the term"),
    ({"what": "event:party"}, "Please choose what it is"),
    ({"what": "activity:no-such-activity"}, "Please choose what it is"),
    ({"title": "  "}, "Please give the event a short title"),
    ({"title": "x" * 121}, "Please keep the title to 120 letters or fewer."),
    ({"benchmark": ["9"]}, "Please choose from the lists."),
    ({"cdi_area": ["be-happy"]}, "Please choose from the lists."),
])
def test_a_wrong_entry_gets_a_kind_400(staff, app, changes, message):
    before = len(entries(app))
    response = staff.post(f"{URL}/entries", data=entry(**changes))
    assert response.status_code == 400 and message in text_of(response)
    assert len(entries(app)) == before


def test_a_teaching_assistant_reads_but_cannot_change_it(client, app):
    sign_in_staff(client, app, *new_staff(app, "ta@oaktree.example", "assistant"))
    page = client.get(URL)
    assert page.status_code == 200 and "Riverside College open morning" in text_of(page)
    assert f'action="{URL}/entries"' not in page.text and "/remove" not in page.text
    first = entries(app)[0]["id"]
    for url, data in ((f"{URL}/entries", entry()), (f"{URL}/entries/{first}/remove", {}), (f"{URL}/details", details())):
        refused = client.post(url, data=data)
        assert refused.status_code == 403 and "teaching assistants cannot change this" in text_of(refused)
    assert entries(app)[0]["id"] == first


def test_a_teacher_saves_the_details(staff, app):
    assert staff.post(f"{URL}/details", data=details(leader_phone="01234 567890")).status_code == 302
    with app.app_context():
        saved = get_db()["careers_programme"].get(1)
    assert (saved["leader_name"], saved["leader_phone"], saved["public"]) == ("Jo Evans", "01234 567890", 1)


@pytest.mark.parametrize("changes, message", [
    ({"leader_name": ""}, "Please give the Careers Leader's name."),
    ({"leader_email": "", "leader_phone": ""}, "Please give an email address or a phone number"),
    ({"leader_email": "careers.oaktree.example"}, "Please check the email address"),
    ({"leader_phone": "call me"}, "Please give the phone number in digits"),
    ({"next_review_on": "next July"}, "Please give dates like 2026-09-01."),
    ({"impact_text": "x" * 1001}, "That is a lot of words!"),
])
def test_wrong_details_get_a_kind_400(staff, changes, message):
    response = staff.post(f"{URL}/details", data=details(**changes))
    assert response.status_code == 400 and message in text_of(response)


def test_staff_of_another_school_neither_see_nor_change_it(client, app):
    sign_in_staff(client, app, *new_staff(app, "elm@example.org", school_id=2))
    assert "Riverside College open morning" not in text_of(client.get(URL))
    first = entries(app)[0]["id"]
    assert client.post(f"{URL}/entries/{first}/remove").status_code == 404
    assert client.post(f"{URL}/entries", data=entry(title="Elm's own visit")).status_code == 302
    assert [row["title"] for row in entries(app, school_id=2)] == ["Elm's own visit"]
    assert "Elm's own visit" not in text_of(client.application.test_client().get(PUBLIC))
    assert entries(app)[0]["id"] == first


def test_the_public_page_for_anyone_and_switched_off(staff, app, client):
    visitor = app.test_client()
    page = text_of(visitor.get(PUBLIC))
    assert "Careers at Oak Tree School (demo)" in page and "Jo Evans" in page and "careers@oaktree.example" in page
    assert "Riverside College open morning" in page and "Meeting colleges and training providers" in page
    assert "Year 8" in page and "Year 13" not in page  # only the years with something planned
    assert visitor.get("/schools/999/careers").status_code == 404
    assert staff.post(f"{URL}/details", data=details(public="")).status_code == 302
    assert visitor.get(PUBLIC).status_code == 404
    assert "The public page is switched off." in text_of(staff.get(URL))


def test_the_public_page_shows_no_learner_data(app):
    with app.app_context():
        db = get_db()
        db["learners"].insert({"school_id": 1, "class_id": 1, "name": "Łucja Nowak", "avatar": "avatar-fox",
                               "code": "", "code_hash": "", "created_at": now(), "left_on": "2025-07"})
        names = [row["name"] for row in db.query("SELECT name FROM learners WHERE school_id = 1")]
    assert len(names) >= 9
    for language in ("en_GB", "cy", "pl", "ar"):
        visitor = app.test_client()
        visitor.post("/preferences", data={"language": language})
        response = visitor.get(PUBLIC)
        assert response.status_code == 200
        page = text_of(response)
        found = [name for name in names if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", page)]
        assert not found, f"learner names on the public page ({language}): {found}"


def test_names_and_texts_in_any_alphabet_round_trip(staff, app):
    arabic, polish = "أمل الحسن", "Zażółć gęślą jaźń: targi pracy w Łodzi"
    assert staff.post(f"{URL}/details", data=details(leader_name=arabic, families_text=polish)).status_code == 302
    assert staff.post(f"{URL}/entries", data=entry(title="زيارة إلى المخبز")).status_code == 302
    visitor = app.test_client()
    visitor.post("/preferences", data={"language": "ar"})
    response = visitor.get(PUBLIC)
    assert '<html lang="ar" dir="rtl">' in response.text
    page = text_of(response)
    assert arabic in page and polish in page and "زيارة إلى المخبز" in page
    assert f'value="{arabic}"' in staff.get(URL).text  # the form shows it back as saved
