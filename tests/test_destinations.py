"""Leavers' destinations for three years (issue 16): the checks, consent, sustained, the CSV."""

import csv
import io
from datetime import date

import pytest

from student_app.db import get_db
from student_app.desk import destinations as dest
from tests.conftest import learner_id, sign_in_as, sign_in_staff, text_of

TODAY = date.today()
TWO_YEARS_AGO = f"{TODAY.year - 2}-07"


@pytest.fixture
def staff(client, app):
    sign_in_as(client, app, "staff")
    return client


def leaves(app, name, left_on=TWO_YEARS_AGO, consent=None):
    learner = learner_id(app, name)
    with app.app_context():
        db = get_db()
        db.execute("UPDATE learners SET left_on = ? WHERE id = ?", [left_on, learner])
        if consent is not None:
            db["follow_up_consent"].insert({"learner_id": learner, "consent": consent, "given_by": "parent",
                                            "recorded_on": "2026-06-01"})
    return learner


def form(**changes):
    found = {"checkpoint": "leaving", "activity": "460", "provider": "Riverside Hospital", "started_on": "",
             "checked_on": TODAY.isoformat(), "how_found": "provider", "plan": ""}
    found.update(changes)
    return found


def test_the_checks_a_leaver_is_due():
    assert dest.checks_for("2026-07", consent=1) == {
        "leaving": "2026-11", "year-1": "2027-07", "year-2": "2028-07", "year-3": "2029-07"}
    assert dest.checks_for("2026-12", consent=0) == {"leaving": "2027-11"}  # left after November
    assert dest.checks_for("2026-07", consent=None) == {"leaving": "2026-11"}  # no consent: leaving only


@pytest.mark.parametrize("activity, started, checked, expected", [
    ("230", "2026-09-04", "2027-03-31", True),  # college from September to the end of March
    ("230", "2026-11-02", "2027-04-30", False),  # started after October
    ("230", "2026-09-04", "2027-02-01", False),  # not yet the end of March
    ("310", "2026-09-01", "2027-03-01", True),  # an apprenticeship for six months
    ("310", "2026-09-01", "2027-02-01", False),
    ("460", "2026-09-01", "2027-02-01", True),  # an internship for five months
    ("410", "2026-09-01", "2027-01-15", False),  # a job for four months and a half
    ("810", "2026-09-01", "2027-09-01", None),  # not known: nothing to sustain
    ("420-supported", "2026-09-01", "2027-02-01", True),  # supported employment is a job: five months
    ("540", "2026-09-01", "2027-09-01", None),  # volunteering: not a place the measure sustains
])
def test_sustained_follows_the_rules(activity, started, checked, expected):
    row = {"checkpoint": "leaving", "activity": activity, "started_on": started, "checked_on": checked}
    assert dest.sustained(row) is expected


def test_year_groups_from_the_month_of_birth():
    assert dest.school_year_group("2010-11", date(2026, 12, 1)) == 11
    assert dest.school_year_group("2011-08", date(2026, 12, 1)) == 11  # August: the youngest of the year
    assert dest.school_year_group("2011-09", date(2026, 12, 1)) == 10


def test_a_learner_still_here_has_an_intended_destination_only(staff, app):
    amira = learner_id(app, "Amira")
    url = f"/staff/learners/{amira}/destinations"
    assert staff.post(url, data=form(checkpoint="intended", plan="A supported internship at the hospital")).status_code == 302
    refused = staff.post(url, data=form())
    assert refused.status_code == 400 and "Please choose from the lists." in text_of(refused)
    page = text_of(staff.get(url))
    assert "Intended destination" in page and "A supported internship at the hospital" in page


def test_without_consent_only_the_destination_at_leaving_is_kept(staff, app):
    ben = leaves(app, "Ben")
    url = f"/staff/learners/{ben}/destinations"
    assert staff.post(url, data=form()).status_code == 302
    assert staff.post(url, data=form(checkpoint="year-1")).status_code == 400
    assert staff.post(f"/staff/learners/{ben}/follow-up-consent", data={"consent": "1", "given_by": "learner"}).status_code == 302
    assert staff.post(url, data=form(checkpoint="year-1", activity="230", provider="Riverside College")).status_code == 302
    assert "Consent given by the young person" in text_of(staff.get(url))


@pytest.mark.parametrize("changes, message", [
    ({"checked_on": ""}, "Please give the day it was checked."),
    ({"checked_on": "yesterday"}, "Please give dates like 2026-09-01."),
    ({"checked_on": "2999-01-01"}, "please give a day up to today"),
    ({"activity": "999"}, "Please choose from the lists."),
    ({"how_found": "guess"}, "Please choose from the lists."),
    ({"provider": "x" * 1001}, "That is a lot of words!"),
])
def test_a_wrong_destination_gets_a_kind_400(staff, app, changes, message):
    ben = leaves(app, "Ben")
    response = staff.post(f"/staff/learners/{ben}/destinations", data=form(**changes))
    assert response.status_code == 400 and message in text_of(response)


def test_checks_due_then_done_and_the_summary(staff, app):
    ben = leaves(app, "Ben", consent=1)
    leaves(app, "Chloe")
    page = text_of(staff.get("/staff/destinations"))
    assert page.count("(past its date)") >= 3  # Ben: leaving, year 1; Chloe: leaving
    assert "Ben" in page and "Chloe" in page
    staff.post(f"/staff/learners/{ben}/destinations", data=form())
    with app.test_request_context():
        due = [(d["learner"]["name"], d["checkpoint"]) for d in dest.checks_due(1)]
        summary = dict(dest.summary(1))
    assert ("Ben", "leaving") not in due and ("Ben", "year-1") in due and ("Chloe", "leaving") in due
    left_in = summary[TODAY.year - 3]  # July, two years ago: the school year that began three Septembers ago
    assert (left_in["leavers"], left_in["internship"], left_in["none"]) == (2, 1, 1)


def test_the_csv_for_the_local_authority(staff, app):
    ben = leaves(app, "Ben", consent=1)
    with app.app_context():
        get_db().execute("UPDATE learners SET name = '=Łucja Ünal' WHERE id = ?", [ben])
    staff.post(f"/staff/learners/{ben}/destinations", data=form(started_on=f"{TODAY.year - 2}-09-01"))
    staff.post(f"/staff/learners/{ben}/destinations", data=form(checkpoint="year-1", activity="810", provider=""))
    response = staff.get("/staff/destinations.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode())))
    assert rows[0][:6] == ["Name", "UPN", "Month of birth", "Left", "Check", "NCCIS code"]
    assert [(r[0], r[4], r[5]) for r in rows[1:]] == [("'=Łucja Ünal", "leaving", "460"), ("'=Łucja Ünal", "year-1", "810")]
    assert rows[1][11] == "yes"  # an internship from September, still there now


def test_supported_employment_and_volunteering_go_by_their_nccis_code(staff, app):
    ben = leaves(app, "Ben", consent=1)
    url = f"/staff/learners/{ben}/destinations"
    assert staff.post(url, data=form(activity="420-supported", provider="Riverside Café")).status_code == 302
    assert staff.post(url, data=form(checkpoint="year-1", activity="540", provider="The food bank")).status_code == 302
    page = text_of(staff.get(url))
    assert "Supported employment (a job with a job coach) (420)" in page and "Volunteering (540)" in page
    rows = list(csv.reader(io.StringIO(staff.get("/staff/destinations.csv").data.decode())))
    assert [(r[4], r[5], r[6]) for r in rows[1:]] == [
        ("leaving", "420", "Supported employment (a job with a job coach)"), ("year-1", "540", "Volunteering")]
    with app.test_request_context():
        summary = dict(dest.summary(1))
    assert summary[TODAY.year - 3]["volunteering"] == 1  # the latest check counts


def test_a_teaching_assistant_reads_their_class_and_records_nothing(app):
    from student_app.passwords import hashed

    with app.app_context():
        db = get_db()
        assistant = db["staff"].insert({"school_id": 1, "email": "ta@oaktree.example", "name": "TA", "staff_role": "assistant",
                                        "password_hash": hashed("assistant-password-1")}).last_pk
        db["staff_classes"].insert({"staff_id": assistant, "class_id": 1})
    ta = app.test_client()
    sign_in_staff(ta, app, "ta@oaktree.example", "assistant-password-1")
    ben = leaves(app, "Ben")
    assert ta.get("/staff/destinations").status_code == 403
    assert ta.get("/staff/destinations.csv").status_code == 403
    page = ta.get(f"/staff/learners/{ben}/destinations")
    assert page.status_code == 200 and "Record a destination" not in page.text
    assert ta.post(f"/staff/learners/{ben}/destinations", data=form()).status_code == 403


def test_erasing_a_leaver_erases_their_destinations(staff, app):
    from student_app.staff import erase_learner_data

    ben = leaves(app, "Ben", consent=1)
    staff.post(f"/staff/learners/{ben}/destinations", data=form())
    with app.test_request_context():
        erase_learner_data(ben)
        db = get_db()
        for table in ("destinations", "follow_up_consent"):
            assert db.execute(f"SELECT count(*) FROM {table} WHERE learner_id = ?", [ben]).fetchone()[0] == 0


def test_another_schools_staff_see_none_of_these_leavers(app):
    from student_app.passwords import hashed

    ben = leaves(app, "Ben", consent=1)
    with app.app_context():
        db = get_db()
        elm = db["schools"].insert({"name": "Elm School"}).last_pk
        db["staff"].insert({"school_id": elm, "email": "elm@example.org", "name": "Elm", "staff_role": "teacher",
                            "password_hash": hashed("elm-password-1")})
    other = app.test_client()
    sign_in_staff(other, app, "elm@example.org", "elm-password-1")
    assert "Ben" not in other.get("/staff/destinations").text
    assert "Ben" not in other.get("/staff/destinations.csv").data.decode()
    assert other.get(f"/staff/learners/{ben}/destinations").status_code == 404
    assert other.post(f"/staff/learners/{ben}/destinations", data=form()).status_code == 404
