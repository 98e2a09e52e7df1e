"""Classroom sessions: the state machine, joining, answering once, and ending."""

import threading
from datetime import datetime, timedelta, timezone

import pytest
from student_app.passwords import hashed

from student_app.db import get_db
from tests.conftest import sign_in_staff, demo_code, enter_code, learner_id, sign_in_as, text_of


def open_session(client, app, jobs=("nurse", "chef")):
    sign_in_as(client, app, "staff")
    response = client.post("/staff/classes/1/sessions/new", data={"job": list(jobs)})
    assert response.status_code == 302
    session_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return session_id, session_row(app, session_id)["code"]


def session_row(app, session_id):
    with app.app_context():
        return next(get_db().query("SELECT * FROM class_sessions WHERE id = ?", [session_id]))


def step(client, session_id, action, version=None):
    data = {"action": action}
    if version is not None:
        data["version"] = version
    return client.post(f"/staff/sessions/{session_id}/step", data=data)


def learner_client(app, name):
    client = app.test_client()
    sign_in_as(client, app, "learner", name)
    return client


def join(client, code):
    response = client.post(f"/join/{code}")
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def guesses(app, session_id):
    with app.app_context():
        return list(get_db().query(
            """SELECT plays.learner_id, plays.item, responses.answer, responses.given_by
               FROM responses JOIN plays ON plays.id = responses.play_id
               WHERE plays.session_id = ? AND responses.step = 'guess'""", [session_id]))


def test_a_whole_session_from_lobby_to_summary(client, app):
    session_id, code = open_session(client, app)
    control = text_of(client.get(f"/staff/sessions/{session_id}"))
    assert code in control and "Waiting to start" in control
    projector = client.get(f"/staff/sessions/{session_id}/projector")
    assert code in projector.text and "<svg" in projector.text and "0 have joined" in text_of(projector)

    amira = learner_client(app, "Amira")
    assert "Join the class" in amira.get("/home").text
    live_url = join(amira, code)
    assert live_url == f"/sessions/{session_id}"
    assert "Wait for your teacher to start" in text_of(amira.get(live_url))
    assert "Amira" in text_of(client.get(f"/staff/sessions/{session_id}/projector"))

    clues = app.extensions["catalogue"].clues["nurse"]
    assert step(client, session_id, "start").status_code == 302
    assert clues[0].text in text_of(amira.get(live_url))
    assert clues[0].text in text_of(client.get(f"/staff/sessions/{session_id}/projector"))
    for _ in clues:
        step(client, session_id, "next")
    assert session_row(app, session_id)["phase"] == "choices"
    page = amira.get(live_url).text
    assert page.count('name="job"') == 2  # Amira's setting: 2 cards
    assert text_of(client.get(f"/staff/sessions/{session_id}/projector")).count("0 of 1 have answered") == 1

    assert amira.post(f"{live_url}/answer", data={"job": "nurse"}).status_code == 302
    assert "Wait for the answer" in text_of(amira.get(live_url))
    assert "1 of 1 have answered" in text_of(client.get(f"/staff/sessions/{session_id}/projector"))
    step(client, session_id, "reveal")
    assert "Yes! I am a nurse." in text_of(amira.get(live_url))
    assert "Nurse: 1" in text_of(client.get(f"/staff/sessions/{session_id}/projector"))
    step(client, session_id, "next-job")
    assert app.extensions["catalogue"].clues["chef"][0].text in text_of(amira.get(live_url))
    response = step(client, session_id, "end")
    assert response.headers["Location"].endswith(f"/staff/sessions/{session_id}/summary")
    summary = text_of(client.get(response.headers["Location"]))
    assert "1 learner joined" in summary and "Nurse 1 1" in summary
    assert "finished" in text_of(amira.get(live_url))
    portfolio = text_of(client.get(f"/staff/learners/{learner_id(app, 'Amira')}"))
    assert "Guessed Nurse: right!" in portfolio and "In a class session" in portfolio


def test_actions_that_do_not_fit_the_state_are_refused(client, app):
    session_id, _ = open_session(client, app)
    assert step(client, session_id, "reveal").status_code == 409
    assert step(client, session_id, "next-job").status_code == 409
    assert step(client, session_id, "dance").status_code == 400
    step(client, session_id, "pause")
    assert step(client, session_id, "start").status_code == 409  # resume first
    step(client, session_id, "resume")
    assert step(client, session_id, "start").status_code == 302


def test_a_double_click_moves_the_class_on_once(client, app):
    session_id, _ = open_session(client, app)
    step(client, session_id, "start")
    version = session_row(app, session_id)["version"]
    step(client, session_id, "next", version)
    step(client, session_id, "next", version)  # the same click, sent again
    assert session_row(app, session_id)["clue"] == 2


def test_polling_answers_204_until_something_changes(client, app):
    session_id, code = open_session(client, app)
    amira = learner_client(app, "Amira")
    join(amira, code)
    version = session_row(app, session_id)["version"]
    assert amira.get(f"/sessions/{session_id}?seen={version}").status_code == 204
    step(client, session_id, "start")
    assert amira.get(f"/sessions/{session_id}?seen={version}").status_code == 200
    token = f"{session_row(app, session_id)['version']}-1-0"
    assert client.get(f"/staff/sessions/{session_id}/projector?seen={token}").status_code == 204


def test_pause_stops_answers_and_a_learner_rejoins_where_the_class_is(client, app):
    session_id, code = open_session(client, app)
    ben = learner_client(app, "Ben")
    join(ben, code)
    step(client, session_id, "choices")
    step(client, session_id, "pause")
    assert "Paused" in text_of(ben.get(f"/sessions/{session_id}"))
    assert ben.post(f"/sessions/{session_id}/answer", data={"job": "nurse"}).status_code == 409
    step(client, session_id, "resume")
    ben.post(f"/sessions/{session_id}/answer", data={"job": "nurse"})
    # Ben swaps tablet: signs in again, rejoins, and is not asked again.
    other_tablet = learner_client(app, "Ben")
    assert "Join the class" in other_tablet.get("/home").text
    join(other_tablet, code)
    assert "Wait for the answer" in text_of(other_tablet.get(f"/sessions/{session_id}"))
    assert len(guesses(app, session_id)) == 1


def test_two_taps_and_retries_store_one_answer(client, app):
    session_id, code = open_session(client, app)
    ben = learner_client(app, "Ben")
    join(ben, code)
    step(client, session_id, "choices")
    cards = [c for c in ("nurse",) + tuple(app.extensions["catalogue"].clues) if f'value="{c}"' in ben.get(f"/sessions/{session_id}").text]
    for job in (cards[0], cards[0], cards[1]):
        ben.post(f"/sessions/{session_id}/answer", data={"job": job})
    assert [g["answer"] for g in guesses(app, session_id)] == [cards[0]]
    assert ben.post(f"/sessions/{session_id}/answer", data={"job": "astronaut"}).status_code == 400


def test_a_whole_class_answering_at_once_stores_one_answer_each(client, app):
    session_id, code = open_session(client, app)
    names = ["Amira", "Ben", "Chloe", "Dylan", "Ellie", "Farhan", "Grace", "Harry"]
    tablets = [learner_client(app, name) for name in names]
    for tablet in tablets:
        join(tablet, code)
    step(client, session_id, "choices")
    barrier = threading.Barrier(len(tablets) * 3)
    statuses = []

    def tap(tablet):
        barrier.wait()
        statuses.append(tablet.post(f"/sessions/{session_id}/answer", data={"job": "nurse"}).status_code)

    threads = [threading.Thread(target=tap, args=(t,)) for t in tablets for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(statuses) == {302}
    stored = guesses(app, session_id)
    assert len(stored) == len(names)
    assert len({g["learner_id"] for g in stored}) == len(names)


def test_staff_answer_on_a_learners_behalf(client, app):
    session_id, code = open_session(client, app)
    join(learner_client(app, "Harry"), code)
    step(client, session_id, "choices")
    harry = learner_id(app, "Harry")
    response = client.post(f"/staff/sessions/{session_id}/answer", data={"learner": harry, "job": "nurse"})
    assert response.status_code == 302
    assert guesses(app, session_id)[0]["given_by"] == "staff"
    assert "Answered (by staff)" in text_of(client.get(f"/staff/sessions/{session_id}"))


def test_scanning_the_code_signed_out_leads_to_picture_sign_in_then_back(client, app):
    session_id, code = open_session(client, app)
    tablet = app.test_client()
    response = tablet.get(f"/join/{code}")
    assert response.headers["Location"].endswith("/sign-in/class/1")
    after = enter_code(tablet, learner_id(app, "Grace"), demo_code("Grace"))
    assert after.headers["Location"] == f"/join/{code}"
    assert "Join the class session?" in text_of(tablet.get(after.headers["Location"]))


def test_another_class_cannot_join_and_guessing_codes_is_limited(client, app):
    session_id, code = open_session(client, app)
    with app.app_context():
        db = get_db()
        other = db["classes"].insert({"school_id": 1, "name": "Class 5 (Ash)"}).last_pk
        db["learners"].insert({"school_id": 1, "class_id": other, "name": "Zed", "avatar": "avatar-bee",
                               "code_hash": hashed("code-cat-code-cat-code-cat")})
        zed = db.execute("SELECT id FROM learners WHERE name = 'Zed'").fetchone()[0]
    tablet = app.test_client()
    enter_code(tablet, zed, ("code-cat",) * 3)
    assert tablet.post(f"/join/{code}").status_code == 404
    assert tablet.get(f"/sessions/{session_id}").status_code == 404
    for _ in range(9):
        tablet.post("/join/AAAAAA")
    assert tablet.post(f"/join/{code}").status_code == 429


def test_a_session_left_open_ends_by_itself(client, app):
    session_id, code = open_session(client, app)
    amira = learner_client(app, "Amira")
    join(amira, code)
    step(client, session_id, "choices")
    amira.post(f"/sessions/{session_id}/answer", data={"job": "nurse"})
    old = (datetime.now(timezone.utc) - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)).isoformat()
    with app.app_context():
        get_db().execute("UPDATE class_sessions SET updated_at = ?", [old])
    assert "finished" in text_of(amira.get(f"/sessions/{session_id}"))
    row = session_row(app, session_id)
    assert row["phase"] == "ended" and row["ended_at"]
    with app.app_context():
        assert get_db().execute("SELECT count(*) FROM plays WHERE session_id = ? AND finished_at IS NULL",
                                [session_id]).fetchone()[0] == 0
    assert "Join the class" not in amira.get("/home").text


def test_staff_of_another_school_cannot_see_the_session(client, app):
    session_id, _ = open_session(client, app)
    with app.app_context():
        db = get_db()
        other = db["schools"].insert({"name": "Elm School"}).last_pk
        db["staff"].insert({"school_id": other, "email": "elm@example.org", "name": "Elm",
                            "password_hash": hashed("elm-password-1"), "staff_role": "teacher"})
    elm = app.test_client()
    sign_in_staff(elm, app, "elm@example.org", "elm-password-1")
    for url in (f"/staff/sessions/{session_id}", f"/staff/sessions/{session_id}/projector",
                f"/staff/sessions/{session_id}/summary"):
        assert elm.get(url).status_code == 404
    assert step(elm, session_id, "end").status_code == 404
    assert elm.get("/staff/classes/1/sessions/new").status_code == 404


@pytest.mark.parametrize("jobs", [[], ["nurse"] * 6, ["astronaut"]])
def test_a_session_needs_one_to_five_real_jobs(client, app, jobs):
    sign_in_as(client, app, "staff")
    assert client.post("/staff/classes/1/sessions/new", data={"job": jobs}).status_code == 400


# issue 14: the projector view and the session summary

FOCUSABLE = ("<a ", "<button", "<input", "<select", "<textarea", "tabindex", "<form")


def test_the_projector_is_its_own_full_screen_page_with_nothing_to_press(client, app):
    session_id, code = open_session(client, app)
    join(learner_client(app, "Amira"), code)
    url = f"/staff/sessions/{session_id}/projector"
    for action in (None, "start", "choices", "reveal", "pause", "end"):
        if action == "end":
            step(client, session_id, "resume")
        if action:
            assert step(client, session_id, action).status_code == 302
        page = client.get(url).text
        assert '<html lang="en-GB" dir="ltr">' in page and "<title>Projector - My Career Steps</title>" in page
        assert page.count("<main") == 1 and page.count("<h1") == 1, action
        # None of the page chrome: no top bar, sign-out, pickers, skip link or listen buttons.
        for chrome in ("top-bar", "sign-out", "preference-picker", "skip-link", "data-narration", "Sign out"):
            assert chrome not in page, (action, chrome)
        assert not [tag for tag in FOCUSABLE if tag in page], action
        fragment = client.get(url, headers={"HX-Request": "true"}).text
        assert "<html" not in fragment and 'id="live"' in fragment and "<h1" in fragment
    assert '<meta http-equiv="refresh"' in page  # without JavaScript, it looks again by itself


def test_the_projector_shows_each_step_large_and_counts_without_names(client, app):
    session_id, code = open_session(client, app)
    url = f"/staff/sessions/{session_id}/projector"
    lobby = client.get(url).text
    assert f'<p class="pj-code">{code}</p>' in lobby
    # The QR is sized by the stylesheet, dark on white so it scans in the dark theme too.
    assert '<svg viewBox="0 0 ' in lobby and '<path fill="#fff"' in lobby and 'stroke="#000"' in lobby
    assert f"<title>Join code {code}</title>" in lobby and "0 have joined" in text_of(client.get(url))
    for name in ("Amira", "Ben"):
        join(learner_client(app, name), code)
    assert "2 have joined" in text_of(client.get(url))
    step(client, session_id, "start")
    clue = app.extensions["catalogue"].clues["nurse"][0]
    page = client.get(url).text
    assert f'<h1 class="pj-text">{clue.text}</h1>' in page and f"/symbols/{clue.symbol}" in page
    assert "Clue 1 of" in text_of(client.get(url))
    step(client, session_id, "choices")
    assert "0 of 2 have answered" in text_of(client.get(url))
    learner_client(app, "Ben").post(f"/sessions/{session_id}/answer", data={"job": "nurse"})
    shown = text_of(client.get(url))
    assert "1 of 2 have answered" in shown and "Ben" not in shown and "Amira" not in shown
    step(client, session_id, "reveal")
    shown = text_of(client.get(url))
    assert "I am a nurse!" in shown and "Nurse: 1 ✓ Right answer" in shown
    assert shown.count(": 0") == 3 and "Ben" not in shown


def test_the_projector_follows_the_page_language_and_the_teachers_colours(client, app):
    session_id, _ = open_session(client, app)
    client.post("/preferences", data={"language": "ar", "theme": "dark"})
    page = client.get(f"/staff/sessions/{session_id}/projector").text
    assert '<html lang="ar" dir="rtl">' in page and 'class="projector-page theme-dark"' in page


def test_the_teachers_page_opens_the_projector_and_reads_the_clue(client, app):
    session_id, _ = open_session(client, app)
    page = client.get(f"/staff/sessions/{session_id}").text
    link = f'href="/staff/sessions/{session_id}/projector"\n            target="_blank" rel="noopener"'
    assert link in page and "Open the projector view (opens in a new window)" in page
    step(client, session_id, "start")
    clue = app.extensions["catalogue"].clues["nurse"][0]
    page = client.get(f"/staff/sessions/{session_id}").text
    assert clue.text in page and "data-narration" in page  # a listen button, to play it to the room


def rename(app, name, new_name):
    with app.app_context():
        get_db().execute("UPDATE learners SET name = ? WHERE name = ?", [new_name, name])


def test_the_summary_shows_each_learners_answers(client, app):
    session_id, code = open_session(client, app, jobs=("nurse", "chef"))
    tablets = {name: learner_client(app, name) for name in ("Amira", "Ben", "Chloe", "Dylan")}
    rename(app, "Ben", "Łucja")
    rename(app, "Chloe", "مريم")
    tablets["Łucja"], tablets["مريم"] = tablets.pop("Ben"), tablets.pop("Chloe")
    for tablet in tablets.values():
        join(tablet, code)
    step(client, session_id, "choices")
    cards = [c for c in app.extensions["catalogue"].clues
             if f'value="{c}"' in tablets["Łucja"].get(f"/sessions/{session_id}").text]
    wrong = next(c for c in cards if c != "nurse")
    tablets["Amira"].post(f"/sessions/{session_id}/answer", data={"job": "nurse"})
    tablets["Łucja"].post(f"/sessions/{session_id}/answer", data={"job": wrong})
    client.post(f"/staff/sessions/{session_id}/answer", data={"learner": learner_id(app, "مريم"), "job": "nurse"})
    step(client, session_id, "reveal")
    step(client, session_id, "next-job")
    step(client, session_id, "choices")
    tablets["Amira"].post(f"/sessions/{session_id}/answer", data={"job": "chef"})
    step(client, session_id, "end")
    response = client.get(f"/staff/sessions/{session_id}/summary")
    summary = text_of(response)
    assert "4 learners joined" in summary and "Nurse 3 2" in summary and "Chef 1 1" in summary
    wrong_name = app.extensions["catalogue"].jobs[wrong].name
    rows = summary.split("Each learner")[1]
    assert "Amira Nurse: right Chef: right 2 of 2" in rows
    assert "Dylan No answer No answer 0 of 0" in rows
    assert f"Łucja {wrong_name}: not this time No answer 0 of 1" in rows
    assert "مريم Nurse: right by staff No answer 1 of 1" in rows
    # Sorted by name, whatever the alphabet: the Polish and Arabic names in their places.
    assert rows.index("Amira") < rows.index("Dylan") < rows.index("Łucja") < rows.index("مريم")
    assert "<bdi>مريم</bdi>" in response.text
    assert f'href="/staff/learners/{learner_id(app, "Dylan")}"' in response.text


def test_the_summary_of_a_session_nobody_joined(client, app):
    session_id, _ = open_session(client, app)
    step(client, session_id, "end")
    summary = text_of(client.get(f"/staff/sessions/{session_id}/summary"))
    assert "0 learners joined" in summary and "Nobody joined this session." in summary and "Nurse 0 0" in summary


def test_who_can_do_this_job_as_a_class_vote(client, app):
    sign_in_as(client, app, "staff")
    new = text_of(client.get("/staff/classes/1/sessions/new?activity=who-can"))
    assert "A class vote" in new and "Play Guess my job instead" in new
    response = client.post("/staff/classes/1/sessions/new",
                           data={"activity": "who-can", "job": ["firefighter", "nurse"]})
    session_id = int(response.headers["Location"].rsplit("/", 1)[1])
    code = session_row(app, session_id)["code"]
    amira, ben = learner_client(app, "Amira"), learner_client(app, "Ben")
    for tablet in (amira, ben):
        join(tablet, code)
    item = app.extensions["catalogue"].who_can["firefighter"]
    assert "Start: show the question" in text_of(client.get(f"/staff/sessions/{session_id}"))
    assert step(client, session_id, "start").status_code == 302
    assert session_row(app, session_id)["phase"] == "choices"  # a vote has no clues
    page = amira.get(f"/sessions/{session_id}").text
    assert item.question in text_of(amira.get(f"/sessions/{session_id}"))
    # Every kind of person, whatever the learner's number of cards: a vote missing some would
    # tell the class the answer.
    assert page.count('type="checkbox" name="choice"') == 6
    nothing = amira.post(f"/sessions/{session_id}/answer", data={})
    assert nothing.status_code == 400 and "Tap the pictures of everyone who can" in text_of(nothing)
    assert amira.post(f"/sessions/{session_id}/answer", data={"choice": ["woman", "astronaut"]}).status_code == 400
    assert amira.post(f"/sessions/{session_id}/answer", data={"choice": ["woman", "man", "deaf"]}).status_code == 302
    assert amira.post(f"/sessions/{session_id}/answer", data={"choice": ["man"]}).status_code == 302  # once only
    client.post(f"/staff/sessions/{session_id}/answer",
                data={"learner": learner_id(app, "Ben"), "choice": ["woman", "wheelchair-user"]})
    assert "2 of 2 have answered" in text_of(client.get(f"/staff/sessions/{session_id}/projector"))
    step(client, session_id, "reveal")
    projector = text_of(client.get(f"/staff/sessions/{session_id}/projector"))
    assert "Many kinds of people do this job." in projector and item.example in projector
    assert item.needs in projector and "A woman: 2" in projector and "A man: 1" in projector
    assert "Right answer" not in projector  # a vote, not a test
    assert item.example in text_of(amira.get(f"/sessions/{session_id}"))
    step(client, session_id, "next-job")
    assert session_row(app, session_id)["phase"] == "choices"
    step(client, session_id, "end")
    summary = text_of(client.get(f"/staff/sessions/{session_id}/summary"))
    assert "Session summary: Who can do this job?" in summary and "Firefighter 2 Nurse 0" in summary
    assert "Amira A woman, A man, A deaf person No answer 1" in summary
    portfolio = text_of(client.get(f"/staff/learners/{learner_id(app, 'Amira')}"))
    assert item.question in portfolio and "A deaf person" in portfolio


def test_a_class_session_of_an_activity_with_no_live_kind_is_not_found(client, app):
    sign_in_as(client, app, "staff")
    assert client.get("/staff/classes/1/sessions/new?activity=my-skills").status_code == 404
    assert client.post("/staff/classes/1/sessions/new", data={"activity": "nope", "job": ["nurse"]}).status_code == 404
    assert client.post("/staff/classes/1/sessions/new",
                       data={"activity": "who-can", "job": ["baker"]}).status_code == 400  # no Who can item
