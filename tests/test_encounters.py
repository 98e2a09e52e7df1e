"""Encounters recorded once for a group, provider access per learner, and the termly review
against the Gatsby Benchmarks (issue 16)."""

import csv
import io
import json
import threading
from datetime import date

import pytest
from student_app.passwords import hashed

from student_app.db import get_db
from student_app.desk import encounters, termly
from tests.conftest import learner_id, sign_in_as, sign_in_staff, text_of

TODAY = date.today()


@pytest.fixture
def staff(client, app):
    sign_in_as(client, app, "staff")
    return client


def encounter_form(**changes):
    found = {"audience": "class-1", "kind": "provider", "provider": "Riverside College", "what": "",
             "happened_on": TODAY.isoformat(), "provider_access": "1"}
    found.update(changes)
    return found


def class_ids(app, *names):
    return [str(learner_id(app, name)) for name in names]


def test_an_encounter_gives_each_learner_there_a_page(staff, app):
    shown = text_of(staff.get("/staff/encounters/new?audience=class-1"))
    assert "Who was there?" in shown and "Amira" in shown and "Harry" in shown
    there = class_ids(app, "Amira", "Ben", "Chloe")
    response = staff.post("/staff/encounters/new", data=dict(encounter_form(what="A college taster day"), learner=there))
    assert response.status_code == 302
    with app.app_context():
        pages = list(get_db().query(
            """SELECT learner_id, kind, what, who_with, given_by, encounter_id FROM passport_pages
               WHERE encounter_id IS NOT NULL ORDER BY learner_id"""))
    assert [str(p["learner_id"]) for p in pages] == sorted(there, key=int)
    assert {(p["kind"], p["what"], p["who_with"], p["given_by"]) for p in pages} == {
        ("provider", "A college taster day", "Class 4 (Maple)", "staff")}
    listed = text_of(staff.get("/staff/encounters"))
    assert "A college taster day" in listed and "(provider access)" in listed


@pytest.mark.parametrize("changes, message", [
    ({"kind": "party"}, "Please choose what kind of encounter it was."),
    ({"provider": " "}, "Please write the name of the employer, college or provider."),
    ({"provider": "x" * 201}, "Please keep each answer under 200 letters."),
    ({"happened_on": "soon"}, "Please give the date of the encounter."),
    ({"happened_on": "2999-01-01"}, "on or after the day it happened"),
    ({"place_symbol": "nav-home"}, "Please choose a place from the list."),
])
def test_a_wrong_encounter_gets_a_kind_400_and_saves_nothing(staff, app, changes, message):
    response = staff.post("/staff/encounters/new", data=dict(encounter_form(**changes), learner=class_ids(app, "Ben")))
    assert response.status_code == 400 and message in text_of(response)
    with app.app_context():
        assert get_db().execute("SELECT count(*) FROM encounters").fetchone()[0] == 0


def test_only_learners_of_the_group_may_be_ticked(staff, app):
    with app.app_context():
        db = get_db()
        school = db["schools"].insert({"name": "Elm"}).last_pk
        other_class = db["classes"].insert({"school_id": school, "name": "Elm 1"}).last_pk
        other = db["learners"].insert({"school_id": school, "class_id": other_class, "name": "Zed", "avatar": "avatar-fox",
                                       "code_hash": ""}).last_pk
    refused = staff.post("/staff/encounters/new", data=dict(encounter_form(), learner=[str(other)]))
    assert refused.status_code == 400 and "Please tick only learners of the group shown." in text_of(refused)
    nobody = staff.post("/staff/encounters/new", data=encounter_form())
    assert nobody.status_code == 400 and "Please tick at least one learner" in text_of(nobody)
    assert staff.get(f"/staff/encounters/new?audience=class-{other_class}").status_code == 404  # another school's class


def test_a_year_group_is_every_learner_of_that_year(staff, app):
    with app.test_request_context():
        year = str(encounters.school_year_group("2010-11"))  # Ben's year
        names = {row["name"] for row in encounters.learners_of_group(1, f"year-{year}")}
    assert "Ben" in names and "Chloe" not in names
    assert f"Year {year}" in text_of(staff.get(f"/staff/encounters/new?audience=year-{year}"))


def test_a_learner_adds_to_their_encounter_page(client, app):
    staff = app.test_client()
    sign_in_as(staff, app, "staff")
    ben = learner_id(app, "Ben")  # Group 2: types
    staff.post("/staff/encounters/new", data=dict(encounter_form(kind="employer", provider="Riverside Hospital",
                                                                 provider_access=""), learner=[str(ben)]))
    with app.app_context():
        page_id = get_db().execute("SELECT id FROM passport_pages WHERE encounter_id IS NOT NULL").fetchone()[0]
    sign_in_as(client, app, "learner", "Ben")
    shown = text_of(client.get(f"/passport/pages/{page_id}"))
    assert "Add to my page: what I did and how I felt" in shown
    started = client.post(f"/passport/pages/{page_id}/add")
    assert started.status_code == 302
    first = started.headers["Location"].rsplit("/", 1)[1]
    assert first in ("photos", "did")
    client.post("/passport/new/did", data={"go": "next", "words": "Ich habe Blut gemessen"})
    client.post("/passport/new/learnt", data={"go": "next", "words": "نتعلم كيف نعتني بالمرضى"})
    client.post("/passport/new/feeling", data={"go": "next", "choice": "feeling-proud"})
    save = client.get("/passport/new/save")
    assert "Riverside Hospital" in text_of(save) and "/passport/new/kind" not in save.text  # no changing the encounter
    saved = client.post("/passport/new/save", data={"go": "save"})
    assert saved.headers["Location"].endswith(f"/passport/pages/{page_id}")
    with app.app_context():
        page = get_db().execute("SELECT did, learnt, feeling, kind FROM passport_pages WHERE id = ?", [page_id]).fetchone()
        assert get_db().execute("SELECT count(*) FROM passport_pages WHERE learner_id = ?", [ben]).fetchone()[0] >= 1
    assert tuple(page) == ("Ich habe Blut gemessen", "نتعلم كيف نعتني بالمرضى", "feeling-proud", "employer")
    assert "Add my photos and words" in text_of(client.get(f"/passport/pages/{page_id}"))


def test_adding_waits_for_a_page_in_progress_and_is_for_own_pages(client, app):
    staff = app.test_client()
    sign_in_as(staff, app, "staff")
    staff.post("/staff/encounters/new", data=dict(encounter_form(), learner=class_ids(app, "Ben", "Chloe")))
    with app.app_context():
        pages = dict(get_db().execute(
            """SELECT learners.name, passport_pages.id FROM passport_pages JOIN learners ON learners.id = learner_id
               WHERE encounter_id IS NOT NULL""").fetchall())
        own = get_db().execute("SELECT id FROM passport_pages WHERE learner_id = ? AND encounter_id IS NULL",
                               [learner_id(app, "Ben")]).fetchone()
    sign_in_as(client, app, "learner", "Ben")
    assert client.post(f"/passport/pages/{pages['Chloe']}/add").status_code == 404  # another learner's page
    if own is not None:
        assert client.post(f"/passport/pages/{own[0]}/add").status_code == 404  # not an encounter's page
    client.post("/passport/new/kind", data={"go": "next", "choice": "tried"})  # a new page begun
    waiting = client.post(f"/passport/pages/{pages['Ben']}/add")
    assert waiting.status_code == 409 and "Finish it first" in text_of(waiting)
    assert staff.post(f"/staff/learners/{learner_id(app, 'Ben')}/passport/pages/{pages['Ben']}/add").status_code == 403


def test_provider_access_counts_by_the_year_on_the_day(staff, app):
    amira = learner_id(app, "Amira")  # born March 2009
    with app.app_context():
        get_db().execute("UPDATE learners SET date_of_birth = '2012-03' WHERE id = ?", [amira])
    # Born March 2012: Year 7 from September 2023, so Year 8 in 2024-25 and Year 10 in 2026-27.
    for day in ("2023-10-01", "2024-10-01", "2025-06-01", "2026-10-01"):
        staff.post("/staff/encounters/new", data=dict(encounter_form(happened_on=day), learner=[str(amira)]))
    staff.post("/staff/encounters/new", data=dict(encounter_form(happened_on="2024-02-01", provider_access=""),
                                                 learner=[str(amira)]))  # not a provider access encounter
    with app.test_request_context():
        counts = encounters.provider_access_counts("learners.id = ?", [amira])
        rows, missing = encounters.class_provider_access(1)
    assert counts[amira] == {"8-9": 2, "10-11": 1}
    row = next(r for r in rows if r["learner"]["id"] == amira)
    assert row["phases"] == [("8-9", 2, "done"), ("10-11", 1, "missing" if row["year"] >= 10 else None),
                             ("12-13", 0, None)]
    page = text_of(staff.get("/staff/classes/1/encounters"))
    assert "Provider encounters: Class 4 (Maple)" in page and "2 / 2 (done)" in page


def test_terms_end_on_the_national_reading_days():
    assert termly.term_end(date(2026, 10, 5)) == date(2026, 12, 31)
    assert termly.term_end(date(2027, 2, 1)) == date(2027, 3, 31)
    assert termly.term_end(date(2027, 8, 20)) == date(2027, 7, 31)  # August: the summer term's
    assert termly.previous_term_end(date(2027, 3, 31)) == date(2026, 12, 31)
    assert termly.previous_term_end(date(2026, 12, 31)) == date(2026, 7, 31)
    assert termly.read_term("2026-12-30") is None and termly.read_term("2099-12-31") is None
    assert termly.read_term("", today=date(2027, 1, 4)) == date(2027, 3, 31)


def test_the_review_works_out_the_benchmarks_and_the_change(staff, app):
    ben, amira = learner_id(app, "Ben"), learner_id(app, "Amira")
    this_term = termly.term_end(TODAY)
    with app.test_request_context():
        before = termly.measures(1, TODAY)
    staff.post("/staff/encounters/new", data=dict(encounter_form(kind="employer", provider="Riverside Hospital",
                                                                 provider_access=""), learner=[str(ben), str(amira)]))
    with app.test_request_context():
        after = termly.measures(1, TODAY)
        rows, saved = termly.review(1, this_term)
    assert after["b5-year"][1] == before["b5-year"][1] == 8  # every learner on roll is counted
    assert after["b5-year"][0] >= 2 and after["b5-year"][0] >= before["b5-year"][0]
    assert not saved and [row["key"] for row in rows] == list(termly.MEASURES)
    page = text_of(staff.get("/staff/termly-review"))
    assert "Termly review" in page and "Learners with an employer encounter this school year" in page
    previous = termly.previous_term_end(this_term)
    with app.app_context():
        kept = get_db().execute("SELECT measures FROM termly_snapshots WHERE term_end = ?",
                                [previous.isoformat()]).fetchone()
    assert kept is not None and "b8-by-16" in json.loads(kept[0])  # last term was saved when first asked for


def test_a_saved_snapshot_stays_as_it_was(staff, app):
    previous = termly.previous_term_end(termly.term_end(TODAY))
    with app.app_context():
        get_db()["termly_snapshots"].insert({"school_id": 1, "term_end": previous.isoformat(), "saved_at": "x",
                                             "measures": json.dumps({"b5-year": [1, 4]})})
    with app.test_request_context():
        rows, saved = termly.review(1, previous)
        again = termly.save_snapshot(1, previous)
    b5 = next(row for row in rows if row["key"] == "b5-year")
    assert saved and (b5["count"], b5["of"], b5["percent"]) == (1, 4, 25) and again["b5-year"] == (1, 4)
    assert staff.get(f"/staff/termly-review?term={previous.isoformat()}").status_code == 200
    assert staff.get("/staff/termly-review?term=2026-12-30").status_code == 404
    assert staff.get("/staff/termly-review?term=2099-12-31").status_code == 404


def test_snapshots_hold_under_concurrent_requests(app):
    previous = termly.previous_term_end(termly.term_end(TODAY))
    errors = []

    def save():
        try:
            with app.test_request_context():
                termly.save_snapshot(1, previous)
        except Exception as error:  # noqa: BLE001 - the test reports any failure
            errors.append(error)

    threads = [threading.Thread(target=save) for _n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        assert get_db().execute("SELECT count(*) FROM termly_snapshots").fetchone()[0] == 1
    assert not errors


def test_notes_and_actions_of_a_term(staff, app):
    term = termly.term_end(TODAY).isoformat()
    assert staff.post(f"/staff/termly-review/notes?term={term}", data={"text": "Book two employer talks for Year 9",
                                                                       "benchmark": "5", "due_on": f"{TODAY.year + 1}-03-01"}).status_code == 302
    assert staff.post(f"/staff/termly-review/notes?term={term}", data={"text": "Ça progresse 👍"}).status_code == 302
    for bad, message in (({"text": ""}, "Please write the note or the action."),
                         ({"text": "x", "benchmark": "9"}, "Please choose a benchmark from the list."),
                         ({"text": "x", "due_on": "March"}, "Please give dates like 2026-09-01.")):
        refused = staff.post(f"/staff/termly-review/notes?term={term}", data=bad)
        assert refused.status_code == 400 and message in text_of(refused)
    page = text_of(staff.get("/staff/termly-review"))
    assert "Benchmark 5: Book two employer talks for Year 9" in page and "Ça progresse 👍" in page
    with app.app_context():
        action = get_db().execute("SELECT id FROM termly_notes WHERE due_on IS NOT NULL").fetchone()[0]
        note = get_db().execute("SELECT id FROM termly_notes WHERE due_on IS NULL").fetchone()[0]
    assert staff.post(f"/staff/termly-review/actions/{action}", data={"done": "1"}).status_code == 302
    assert "done on" in text_of(staff.get("/staff/termly-review"))
    assert staff.post(f"/staff/termly-review/actions/{note}", data={"done": "1"}).status_code == 404  # a note, not an action
    assert staff.post(f"/staff/termly-review/actions/{action}", data={"done": "maybe"}).status_code == 400


def test_the_review_csv(staff, app):
    response = staff.get("/staff/termly-review.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode())))
    assert rows[0][:4] == ["term_end", "benchmark", "measure", "learners_met"]
    assert len(rows) == 1 + len(termly.MEASURES) and {row[1] for row in rows[1:]} == {"1", "2", "3", "4", "5", "6", "7", "8"}


def test_a_teaching_assistant_records_no_encounter_and_sees_no_review(app):
    with app.app_context():
        db = get_db()
        assistant = db["staff"].insert({"school_id": 1, "email": "ta2@oaktree.example", "name": "TA", "staff_role": "assistant",
                                        "password_hash": hashed("assistant-password-1")}).last_pk
        db["staff_classes"].insert({"staff_id": assistant, "class_id": 1})
    ta = app.test_client()
    sign_in_staff(ta, app, "ta2@oaktree.example", "assistant-password-1")
    assert ta.get("/staff/classes/1/encounters").status_code == 200  # their class's provider encounters
    for url in ("/staff/encounters", "/staff/encounters/new", "/staff/termly-review", "/staff/termly-review.csv"):
        assert ta.get(url).status_code == 403, url
    refused = ta.post("/staff/encounters/new", data=dict(encounter_form(), learner=class_ids(app, "Ben")))
    assert refused.status_code == 403 and "teaching assistants cannot change this" in text_of(refused)
