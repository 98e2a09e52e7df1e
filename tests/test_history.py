"""A record that spans many school years (issue 17): the passport and the portfolio show one
school year, with a link to each other, and their queries do not grow with the record."""

from datetime import date

import pytest

import student_app.db
from student_app.db import get_db
from tests.conftest import learner_id, sign_in_as, text_of

TODAY = date.today()
THIS_YEAR = TODAY.year if TODAY.month >= 9 else TODAY.year - 1


def add_plays(app, name, count, year, words):
    """`count` finished plays of All about me in the school year that began in `year`, each
    with three answers, the first typed `words`."""
    learner = learner_id(app, name)
    with app.app_context():
        db = get_db()
        for number in range(count):
            stamp = f"{year}-10-{1 + number % 28:02d}T10:{number % 60:02d}:00+00:00"
            play = db["plays"].insert({"learner_id": learner, "activity": "all-about-me", "item": "mine",
                                       "started_at": stamp, "finished_at": stamp}).last_pk
            db["responses"].insert_all({"play_id": play, "learner_id": learner, "step": step, "answer": answer,
                                        "given_by": "learner", "created_at": stamp}
                                       for step, answer in (("likes", f"words:{words}"), ("good-at", "choice:x"),
                                                            ("help", "choice:y")))
    return learner


@pytest.fixture
def statements(monkeypatch):
    """The SQL statements each request runs, as a list that fills as requests are made."""
    found = []
    connect = student_app.db.connect

    def traced(path):
        db = connect(path)
        db.conn.set_trace_callback(found.append)
        return db

    monkeypatch.setattr(student_app.db, "connect", traced)
    return found


def answers_queries(found):
    return [sql for sql in found if "FROM responses" in sql]


def test_history_pages_ask_for_answers_once_however_many_plays(client, app, statements):
    sign_in_as(client, app, "staff")
    ben = add_plays(app, "Ben", 3, THIS_YEAR, "A few")
    family = app.test_client()
    family.post("/family/sign-in", data={"email": "family@oaktree.example", "password": "oak-tree-family"})
    urls = (f"/staff/learners/{ben}", f"/staff/learners/{ben}/passport")
    counts = []
    for more in (0, 40):
        add_plays(app, "Ben", more, THIS_YEAR, "Many more")
        found = []
        for url in urls:
            statements.clear()
            assert client.get(url).status_code == 200
            found.append((len(answers_queries(statements)), len(statements)))
        counts.append(found)
    assert counts[0] == counts[1], "a history page ran more queries for more plays"


def test_the_passport_and_portfolio_show_one_school_year_with_the_others_a_tap_away(client, app):
    ben = add_plays(app, "Ben", 2, THIS_YEAR - 3, "Gardening long ago")
    add_plays(app, "Ben", 1, THIS_YEAR, "Cooking this year")
    sign_in_as(client, app, "learner", "Ben")
    book = text_of(client.get("/passport"))
    assert "Cooking this year" in book and "Gardening long ago" not in book
    older = f"School year {THIS_YEAR - 3} to {THIS_YEAR - 2}"
    assert older in book and f"School year {THIS_YEAR} to {THIS_YEAR + 1}" in book
    then = text_of(client.get(f"/passport?from={THIS_YEAR - 3}-09-01&to={THIS_YEAR - 2}-08-31"))
    assert "Gardening long ago" in then and "Cooking this year" not in then
    staff = app.test_client()
    sign_in_as(staff, app, "staff")
    portfolio = text_of(staff.get(f"/staff/learners/{ben}"))
    assert "Cooking this year" in portfolio and "Gardening long ago" not in portfolio and older in portfolio
    picked = staff.get(f"/staff/learners/{ben}?from={THIS_YEAR - 3}-09-01&to={THIS_YEAR - 2}-08-31&activity=all-about-me")
    assert "Gardening long ago" in text_of(picked) and 'aria-current="page"' in picked.text
    assert "Gardening long ago" not in text_of(staff.get(
        f"/staff/learners/{ben}?from={THIS_YEAR - 3}-09-01&to={THIS_YEAR - 2}-08-31&activity=who-can"))
    # The print keeps the whole record between its dates.
    printed = text_of(staff.get(f"/staff/learners/{ben}/passport/print"))
    assert "Gardening long ago" in printed and "Cooking this year" in printed


def test_the_portfolio_counts_every_version_but_shows_the_latest(client, app):
    ben = add_plays(app, "Ben", 9, THIS_YEAR, "A version")
    sign_in_as(client, app, "staff")
    page = text_of(client.get(f"/staff/learners/{ben}"))
    with app.app_context():
        total = get_db().execute("""SELECT count(*) FROM plays WHERE learner_id = ? AND activity = 'all-about-me'
                                    AND finished_at IS NOT NULL""", [ben]).fetchone()[0]
    assert f"{total - 1} earlier versions" in page


def pages_of_history(client, url, link_words, after=""):
    """Each page of a history from `url`, following the link to older activities: the
    answers typed on each (as "Answer N") after the words `after`, in the order shown."""
    import re

    found = []
    while url:
        page = client.get(url)
        assert page.status_code == 200
        found.append([int(n) for n in re.findall(r"Answer (\d+)\b", text_of(page).split(after)[-1] if after else text_of(page))])
        links = re.findall(r'<a class="[^"]*" href="([^"]+)"><img[^>]*> ' + link_words + "</a>", page.text)
        url = links[0].replace("&amp;", "&") if links else None
    return found


def test_a_long_year_comes_a_page_at_a_time_with_older_ones_a_link_away(client, app):
    from student_app.responses import PLAYS_SHOWN

    for number in range(2 * PLAYS_SHOWN + 5):  # all at one moment: the play's id orders them
        ben = add_plays(app, "Ben", 1, THIS_YEAR, f"Answer {number}")
    everything = list(range(2 * PLAYS_SHOWN + 5))
    sign_in_as(client, app, "learner", "Ben")
    shown = pages_of_history(client, "/passport", "Older activities")
    assert [len(page) for page in shown] == [PLAYS_SHOWN, PLAYS_SHOWN, 5]
    assert sum(shown, []) == everything[::-1], "newest first, each play once"
    assert "My experiences" not in text_of(client.get(
        f"/passport?older={everything[0]}"))  # going on: the passport pages are not shown again
    staff = app.test_client()
    sign_in_as(staff, app, "staff")
    shown = pages_of_history(staff, f"/staff/learners/{ben}?activity=all-about-me", "Earlier activities in these dates",
                             after="Activities and answers, oldest first")
    assert [len(page) for page in shown] == [PLAYS_SHOWN, PLAYS_SHOWN, 5]
    assert [n for page in shown[::-1] for n in page] == everything, "oldest first on each page"
    # A link that was tampered with gets a kind 400.
    refused = client.get("/passport?older=first")
    assert refused.status_code == 400 and "link to older activities is not right" in text_of(refused)
