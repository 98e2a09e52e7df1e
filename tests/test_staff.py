import re

from student_app.db import get_db
from student_app.demo import load_demo
from tests.conftest import sign_in_staff, learner_id, sign_in_as, text_of

BASE = "/activities/guess-my-job/nurse"


def play_nurse(client):
    client.post(f"{BASE}/start")
    client.post(f"{BASE}/clue/1", data={"go": "guess"})
    client.post(f"{BASE}/guess", data={"job": "nurse"})


def test_staff_see_their_own_class_on_the_home_and_every_class_a_link_away(client, app):
    sign_in_as(client, app, "staff")  # Jo Evans teaches Class 4 (Maple)
    names = ("Amira", "Ben", "Chloe", "Dylan", "Ellie", "Farhan", "Grace", "Harry")
    home = text_of(client.get("/staff/"))
    assert all(name in home for name in names) and "8 learners" in home
    admin = app.test_client()
    sign_in_staff(admin, app, "admin@oaktree.example", "oak-tree-admin")  # teaches no class
    home = admin.get("/staff/")
    assert "Class 4 (Maple)" in home.text and "Amira" not in text_of(home).split("Preview an activity")[0]
    assert 'href="/staff/classes/1"' in home.text
    page = text_of(admin.get("/staff/classes/1"))
    assert all(name in page for name in names) and "Start a class session with Class 4 (Maple)" in page


def test_staff_find_a_learner_by_part_of_their_name_within_the_classes_they_may_reach(client, app):
    from student_app.lookups import LEARNERS_FOUND
    from tests.test_school_classes import new_assistant

    with app.app_context():
        get_db()["learners"].insert_all({"school_id": 1, "class_id": 1, "name": f"Pupil {n:02d}", "avatar": "avatar-fox",
                                         "code_hash": "", "created_at": "2026-09-01"} for n in range(LEARNERS_FOUND + 5))
    sign_in_as(client, app, "staff")
    found = text_of(client.get("/staff/?q=BEN"))
    assert "Learners whose name has “BEN”" in found and "Class 4 (Maple), Career SEND Group" in found
    many = text_of(client.get("/staff/?q=pupil")).split("Learners whose name has")[1]
    many = many.split(f"{8 + LEARNERS_FOUND + 5} learners")[0]  # not the teacher's own class below
    assert many.count("Pupil ") == LEARNERS_FOUND and f"The first {LEARNERS_FOUND} by name" in many
    assert "No learner in your classes has that" in text_of(client.get("/staff/?q=Zebedee"))
    # The folded name the search reads is kept by the database whenever a name changes.
    with app.app_context():
        get_db().execute("UPDATE learners SET name = 'ŁUCJA Nowak' WHERE name = 'Ben'")
    assert "ŁUCJA Nowak" in text_of(client.get("/staff/?q=łucja"))
    assert "No learner in your classes has that" in text_of(client.get("/staff/?q=BEN"))
    refused = client.get("/staff/", query_string={"q": "a" * 101})
    assert refused.status_code == 400 and "100 at most" in text_of(refused)
    # A teaching assistant of no class finds nobody, whatever they type.
    ta = app.test_client()
    new_assistant(app, ta)
    assert "No learner in your classes has that" in text_of(ta.get("/staff/?q=Ben"))


def test_portfolio_shows_answers_in_time_order_and_who_gave_them(client, app):
    sign_in_as(client, app, "learner", "Amira")
    play_nurse(client)
    client.post("/sign-out")
    sign_in_as(client, app, "staff")
    amira = learner_id(app, "Amira")
    client.post(
        f"/staff/learners/{amira}/observations",
        data={"job": "nurse", "reaction": "liked", "note": "Smiled at the uniform"},
    )
    page = client.get(f"/staff/learners/{amira}")
    words = text_of(page)
    assert page.status_code == 200
    assert "Heard clue 1" in words and "Guessed Nurse: right!" in words
    assert "Learner's own answer" in words
    assert "Seen by Jo Evans (staff)" in words and "Smiled at the uniform" in words
    assert words.index("Heard clue 1") < words.index("Guessed Nurse") < words.index("Liked it")
    assert "/symbols/feeling-happy" in page.text
    with app.app_context():
        given = [r[0] for r in get_db().execute("SELECT given_by FROM responses ORDER BY id")]
    assert given[-1] == "observed" and set(given[:-1]) == {"learner"}


def test_staff_changes_choices_per_learner(client, app):
    amira = learner_id(app, "Amira")
    sign_in_as(client, app, "staff")
    response = client.post(
        f"/staff/learners/{amira}/settings", data={"career_group": "2", "choices": "4"}
    )
    assert response.status_code == 302
    client.post("/sign-out")
    sign_in_as(client, app, "learner", "Amira")
    client.post(f"{BASE}/start")
    assert client.get(f"{BASE}/guess").text.count('name="job"') == 4
    assert "data-autoplay" not in client.get(f"{BASE}/clue/1").text


def test_bad_settings_get_a_kind_400(client, app):
    sign_in_as(client, app, "staff")
    response = client.post(
        f"/staff/learners/{learner_id(app, 'Amira')}/settings", data={"career_group": "7"}
    )
    assert response.status_code == 400 and "Please choose" in response.text


def test_bad_observation_gets_a_kind_400(client, app):
    sign_in_as(client, app, "staff")
    response = client.post(
        f"/staff/learners/{learner_id(app, 'Amira')}/observations",
        data={"job": "nurse", "reaction": "ecstatic"},
    )
    assert response.status_code == 400


def test_learner_cannot_open_another_learners_portfolio(client, app):
    sign_in_as(client, app, "learner", "Amira")
    for name in ("Ben", "Amira"):
        assert client.get(f"/staff/learners/{learner_id(app, name)}").status_code == 403


def test_learner_pages_only_ever_show_the_signed_in_learner(client, app):
    sign_in_as(client, app, "learner", "Ben")
    play_nurse(client)
    client.post("/sign-out")
    sign_in_as(client, app, "learner", "Amira")
    passport = client.get("/passport")
    words = text_of(passport)
    assert "Nothing here yet" in words and not re.search(r"\bBen\b", words)
    assert "College taster day" not in words  # Ben's passport page
    # Guessing a job that Ben solved does not show Amira his answer page.
    assert client.get(f"{BASE}/answer").status_code == 302


def test_staff_of_another_school_cannot_reach_these_learners(client, app):
    with app.app_context():
        db = get_db()
        other = db["schools"].insert({"name": "Elm School"}).last_pk
        db["classes"].insert({"school_id": other, "name": "Elm 1"})
        from student_app.passwords import hashed

        db["staff"].insert(
            {"school_id": other, "email": "elm@example.org", "name": "Elm Teacher",
             "password_hash": hashed("elm-password-1"), "staff_role": "teacher"}
        )
    sign_in_staff(client, app, "elm@example.org", "elm-password-1")
    amira = learner_id(app, "Amira")
    assert client.get(f"/staff/learners/{amira}").status_code == 404
    assert client.post(f"/staff/learners/{amira}/badges").status_code == 404
    assert client.post(f"/staff/learners/{amira}/settings", data={"career_group": "1", "choices": "2"}).status_code == 404
    assert client.post("/staff/classes/1/badges/void").status_code == 404
    assert "Amira" not in client.get("/staff/").text


def test_demo_data_is_added_once(app):
    with app.app_context():
        assert load_demo(get_db()) is False
        assert get_db()["learners"].count == 8
        assert get_db()["staff"].count == 2
