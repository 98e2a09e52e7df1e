import re

import pytest

from student_app.db import get_db
from tests.conftest import is_full_page, learner_id, sign_in_as, text_of

JOB = "nurse"
BASE = f"/activities/guess-my-job/{JOB}"


def answers(app, name):
    with app.app_context():
        return [
            dict(r)
            for r in get_db().query(
                "SELECT step, answer, correct, given_by FROM responses WHERE learner_id = ? ORDER BY id",
                [learner_id(app, name)],
            )
        ]


def clue_count(app):
    return len(app.extensions["catalogue"].clues[JOB])


def wrong_choice(client):
    page = client.get(f"{BASE}/guess").text
    offered = re.findall(r'name="job" value="([a-z-]+)"', page)
    return offered, next(job for job in offered if job != JOB)


@pytest.fixture
def learner(client, app):
    sign_in_as(client, app, "learner", "Amira")
    return client


def test_home_shows_a_big_tile_for_every_activity_and_the_passport(learner, app):
    page = learner.get("/home")
    activities = app.extensions["catalogue"].activities
    for activity in activities.values():
        assert activity.title in page.text
    assert "My passport" in page.text
    assert page.text.count('class="tile"') == len(activities) + 2  # and passport, settings


def start_action(page):
    return re.findall(r'action="/activities/guess-my-job/([a-z-]+)/start"', page)


def guessed(app, name, jobs):
    """Finished plays of these jobs, as if the learner had guessed each."""
    with app.app_context():
        for job_id in jobs:
            get_db()["plays"].insert({"learner_id": learner_id(app, name), "activity": "guess-my-job",
                                      "item": job_id, "started_at": "2026-11-01T10:00:00",
                                      "finished_at": "2026-11-01T10:05:00"})


def test_one_play_button_goes_to_a_job_not_played_yet(learner, app):
    order = sorted(app.extensions["catalogue"].clues)
    page = learner.get("/activities/guess-my-job").text
    assert "Mystery job" not in page and "Play" in text_of(learner.get("/activities/guess-my-job"))
    assert start_action(page) == [order[0]]  # one Play, nothing guessed yet to list
    guessed(app, "Amira", order[:3])
    page = learner.get("/activities/guess-my-job").text
    # Play, then the guessed jobs two at a time (Amira's own number), then More.
    assert start_action(page) == [order[3], order[0], order[1]]
    assert 'href="/activities/guess-my-job?page=2"' in page
    assert "Jobs I have guessed: 3 of" in text_of(learner.get("/activities/guess-my-job"))
    more = learner.get("/activities/guess-my-job?page=2").text
    assert start_action(more) == [order[3], order[2]]
    assert 'href="/activities/guess-my-job?page=3"' not in more and "See the first ones again" in more
    assert learner.post(f"/activities/guess-my-job/{order[3]}/start").status_code == 302
    assert learner.get("/activities/guess-my-job?page=3").status_code == 404
    assert learner.get("/activities/guess-my-job?page=x").status_code == 404


def test_when_every_job_is_guessed_play_starts_again_kindly(learner, app):
    order = sorted(app.extensions["catalogue"].clues)
    guessed(app, "Amira", order)
    response = learner.get("/activities/guess-my-job")
    assert "You have guessed every job" in text_of(response) and "Play again" in text_of(response)
    assert start_action(response.text)[0] == order[0]


def test_clue_shows_symbol_words_and_listen_button(learner, app):
    learner.post(f"{BASE}/start")
    page = learner.get(f"{BASE}/clue/1")
    clue = app.extensions["catalogue"].clues[JOB][0]
    assert clue.text in page.text
    assert f"/symbols/{clue.symbol}" in page.text
    assert 'data-narration' in page.text and "/narration/" in page.text
    # Amira's setting: narration starts by itself.
    assert "data-autoplay" in page.text


def test_autoplay_follows_the_learner_setting(client, app):
    sign_in_as(client, app, "learner", "Ben")  # Ben's narration does not start by itself
    assert "data-autoplay" not in client.get(f"{BASE}/clue/1").text


def test_clue_as_fragment_and_as_page(learner):
    page = learner.get(f"{BASE}/clue/1")
    assert is_full_page(page) and "HX-Request" in page.headers["Vary"]
    fragment = learner.get(f"{BASE}/clue/1", headers={"HX-Request": "true"})
    assert not is_full_page(fragment) and 'id="clue"' in fragment.text
    boosted = learner.get(f"{BASE}/clue/1", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert is_full_page(boosted)
    restore = learner.get(f"{BASE}/clue/1", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert is_full_page(restore)


def test_play_a_job_to_the_end(learner, app):
    total = clue_count(app)
    response = learner.post(f"{BASE}/start")
    assert response.headers["Location"] == f"{BASE}/clue/1"
    for number in range(1, total + 1):
        response = learner.post(f"{BASE}/clue/{number}", data={"go": "next"})
        expected = f"{BASE}/clue/{number + 1}" if number < total else f"{BASE}/guess"
        assert response.headers["Location"] == expected
    offered, wrong = wrong_choice(learner)
    assert len(offered) == 2 and JOB in offered  # Amira: Career SEND Group 1, two cards

    response = learner.post(f"{BASE}/guess", data={"job": wrong})
    assert response.status_code == 200
    words = text_of(response)
    assert "Have another go" in words
    assert "wrong" not in words.lower() and "✗" not in words and "❌" not in words

    response = learner.post(f"{BASE}/guess", data={"job": JOB})
    assert response.headers["Location"] == f"{BASE}/answer"
    page = text_of(learner.get(f"{BASE}/answer"))
    job = app.extensions["catalogue"].jobs[JOB]
    assert "Well done" in page
    for part in (job.what_simple, job.where, job.route_text):  # Amira: Career SEND Group 1's words
        assert part in page

    steps = [(a["step"], a["answer"], a["correct"]) for a in answers(app, "Amira")]
    assert steps == [(f"clue-{n}", "heard", None) for n in range(1, total + 1)] + [
        ("guess", wrong, 0), ("guess", JOB, 1)
    ]
    assert {a["given_by"] for a in answers(app, "Amira")} == {"learner"}

    passport = learner.get("/passport")
    assert job.name in passport.text and f"/symbols/{job.symbol}" in passport.text


def test_skip_to_guess_early(learner):
    learner.post(f"{BASE}/start")
    response = learner.post(f"{BASE}/clue/1", data={"go": "guess"})
    assert response.headers["Location"] == f"{BASE}/guess"


def test_wrong_guess_as_htmx_fragment(learner):
    learner.post(f"{BASE}/start")
    _, wrong = wrong_choice(learner)
    response = learner.post(f"{BASE}/guess", data={"job": wrong}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert not is_full_page(response) and 'id="guess"' in response.text
    assert "aria-disabled" in response.text  # the tried card cannot be chosen again


def test_group_two_learner_gets_four_cards(client, app):
    sign_in_as(client, app, "learner", "Ben")
    client.post(f"{BASE}/start")
    offered, _ = wrong_choice(client)
    assert len(offered) == 4 and JOB in offered


def test_choices_stay_the_same_on_reload(learner):
    learner.post(f"{BASE}/start")
    assert wrong_choice(learner)[0] == wrong_choice(learner)[0]


def test_double_submit_stores_one_answer(learner, app):
    learner.post(f"{BASE}/start")
    learner.post(f"{BASE}/clue/1", data={"go": "next"})
    learner.post(f"{BASE}/clue/1", data={"go": "next"})
    _, wrong = wrong_choice(learner)
    learner.post(f"{BASE}/guess", data={"job": wrong})
    learner.post(f"{BASE}/guess", data={"job": wrong})
    assert [a["step"] for a in answers(app, "Amira")] == ["clue-1", "guess"]


def test_answer_page_needs_a_right_guess_first(learner):
    learner.post(f"{BASE}/start")
    assert learner.get(f"{BASE}/answer").headers["Location"] == f"{BASE}/guess"


@pytest.mark.parametrize(
    "url", ["/activities/nonsense", "/activities/guess-my-job/astronaut-cat/clue/1",
            f"{BASE}/clue/0", f"{BASE}/clue/99"]
)
def test_unknown_ids_get_a_plain_404_with_a_way_home(learner, url):
    response = learner.get(url)
    assert response.status_code == 404
    assert "can't find that page" in text_of(response) and "Go home" in response.text


@pytest.mark.parametrize("form", [{}, {"job": "astronaut-cat"}, {"job": "x" * 5000}])
def test_garbage_guess_gets_a_kind_400(learner, form):
    learner.post(f"{BASE}/start")
    response = learner.post(f"{BASE}/guess", data=form)
    assert response.status_code == 400
    assert "Tap one of the pictures" in response.text


def test_oversized_post_gets_413(learner):
    response = learner.post(f"{BASE}/guess", data={"job": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too big" in response.text and "Traceback" not in response.text


def test_empty_passport_says_so_kindly(learner):
    assert "Nothing here yet" in learner.get("/passport").text


# issue 14: a job's own capitals, and the answer's heading names the job
def test_job_names_keep_their_capitals_and_the_heading_names_the_job(learner, app):
    base = "/activities/guess-my-job/it-support"
    learner.post(f"{base}/start")
    guess = text_of(learner.get(f"{base}/guess"))
    assert "IT support worker" in guess and "It support" not in guess
    learner.post(f"{base}/guess", data={"job": "it-support"})
    answer = text_of(learner.get(f"{base}/answer"))
    assert "How to get this job: IT support worker" in answer
    assert "How to get this job: job" not in answer
    with app.test_request_context():
        from student_app.web import capital_first, symbol_label
        assert capital_first("IT support worker") == "IT support worker"
        assert capital_first("nurse") == "Nurse" and symbol_label("route-t-level", capital=True) == "T level"


def test_the_other_choices_are_fair(app):
    """No other card is a near twin of the job or of each other (the same sector, or a picture in
    common: a mechanic and a plumber both use a spanner), so only the clues tell them apart."""
    from student_app.kinds import guess_my_job as gmj

    catalogue = app.extensions["catalogue"]
    assert "plumber" in catalogue.twins["mechanic"]
    for job_id in catalogue.clues:
        for play_id in range(1, 40):
            picked = [job.id for job in gmj.choices_for({"id": play_id, "item": job_id}, 4, catalogue)]
            assert job_id in picked and len(set(picked)) == 4
            assert not [(a, b) for a in picked for b in picked if b in catalogue.twins[a]], (job_id, picked)
