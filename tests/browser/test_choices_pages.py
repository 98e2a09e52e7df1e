"""Issue 14: the learner's own number of choices. Amira's profile says two picture cards: at
tablet and phone size she sees two on every list and step, then More, and Guess my job offers
one Play. Each screen passes axe-core."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from student_app.db import get_db
from tests.browser.conftest import assert_accessible, expect_heading, sign_in_learner, tap, wait_for

pytestmark = pytest.mark.browser

SIZES = [(1024, 768), (390, 844)]


@pytest.fixture
def amira_plays_put_back(live_app):
    """What Amira plays here is taken away after, so later tests find her as the demo has her."""
    with live_app.app_context():
        before = get_db().execute("SELECT coalesce(max(id), 0) FROM plays").fetchone()[0]
    yield
    with live_app.app_context():
        db = get_db()
        db.execute("DELETE FROM responses WHERE play_id > ?", [before])
        db.execute("DELETE FROM plays WHERE id > ?", [before])


def cards(driver):
    """The picture cards a step shows (not the ticks carried from its other screens)."""
    return [e.get_attribute("value") for e in driver.find_elements(
        By.CSS_SELECTOR, 'ul.choices input[name="choice"], ul.choices button[name="choice"]')]


def tiles(driver):
    return driver.find_elements(By.CSS_SELECTOR, "#main ul.tiles .tile")


@pytest.mark.parametrize("size", SIZES, ids=["tablet", "phone"])
def test_amira_sees_two_choices_then_more_everywhere(driver, live_url, live_app, size, amira_plays_put_back):
    sign_in_learner(driver, live_url, "Amira")
    driver.set_window_size(*size)

    # Guess my job: one Play, no wall of question marks; it starts a job not guessed yet. The
    # jobs she has guessed show two at a time, then More.
    with live_app.app_context():
        db = get_db()
        amira = db.execute("SELECT id FROM learners WHERE name = 'Amira'").fetchone()[0]
        for job_id in ("admin-assistant", "artist", "barista"):
            db["plays"].insert({"learner_id": amira, "activity": "guess-my-job", "item": job_id,
                                "started_at": "2026-11-01T10:00:00", "finished_at": "2026-11-01T10:05:00"})
        guessed = {row["item"] for row in db.query(
            """SELECT item FROM plays WHERE learner_id = ? AND activity = 'guess-my-job'
               AND finished_at IS NOT NULL""", [amira])}
    driver.get(live_url + "/activities/guess-my-job")
    expect_heading(driver, "Guess my job")
    assert "Mystery job" not in driver.page_source
    assert len(driver.find_elements(By.CSS_SELECTOR, "form.play-next button")) == 1
    assert len(tiles(driver)) == 2
    assert_accessible(driver)
    tap(driver, 'a[href="/activities/guess-my-job?page=2"]')
    wait_for(driver, ec.url_contains("page=2"))
    assert len(tiles(driver)) == min(2, len(guessed) - 2)
    assert_accessible(driver)
    tap(driver, "form.play-next button")
    wait_for(driver, ec.url_contains("/clue/1"))
    job = driver.current_url.split("/activities/guess-my-job/")[1].split("/")[0]
    assert job not in guessed
    assert_accessible(driver)

    # Who can do this job?: two jobs, then More brings the next two.
    driver.get(live_url + "/a/who-can")
    first = [t.text for t in tiles(driver)]
    assert len(first) == 2
    assert_accessible(driver)
    tap(driver, 'a.big-button[href="/a/who-can?page=2"]')
    wait_for(driver, ec.url_contains("page=2"))
    second = [t.text for t in tiles(driver)]
    assert len(second) == 2 and not set(first) & set(second)
    assert "Screen 2 of" in driver.find_element(By.ID, "main").text
    assert_accessible(driver)

    # A survey step: two cards; More keeps what was ticked and shows the next two.
    driver.get(live_url + "/a/all-about-me")
    tap(driver, "main form button")
    wait_for(driver, ec.url_contains("/1"))
    assert cards(driver) == ["animals", "outdoors"]
    driver.find_element(By.CSS_SELECTOR, 'label.check-card:has(input[value="animals"])').click()
    assert_accessible(driver)
    tap(driver, 'button[name="more"]')
    wait_for(driver, ec.url_contains("page=2"))
    assert cards(driver) == ["people", "computers"]
    assert "You chose these too" in driver.find_element(By.ID, "main").text
    assert_accessible(driver)
    driver.find_element(By.CSS_SELECTOR, 'label.check-card:has(input[value="computers"])').click()
    tap(driver, 'button[value="next"]')
    expect_heading(driver, "Things I am good at")
    driver.get(live_url + "/a/all-about-me/mine/1")  # both screens' ticks were kept
    assert driver.find_element(By.CSS_SELECTOR, 'input[value="animals"]').is_selected()
    driver.get(live_url + "/a/all-about-me/mine/1?page=2")
    assert driver.find_element(By.CSS_SELECTOR, 'input[value="computers"]').is_selected()

    # An either/or step: one tap answers it; there are no boxes to tick both.
    driver.get(live_url + "/a/all-about-me/mine/4")
    expect_heading(driver, "Where would I like to work?")
    assert cards(driver) == ["inside", "outside"]
    assert not driver.find_elements(By.CSS_SELECTOR, 'input[type="checkbox"]')
    assert_accessible(driver)
    tap(driver, 'button[value="inside"]')
    expect_heading(driver, "A quiet place or a busy place?")
