"""The learner's own view for their annual review, and their guidance meeting, by touch and by
keyboard, at tablet and phone sizes (issue 15)."""

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from student_app.db import get_db
from tests.browser.conftest import (
    assert_accessible, expect_heading, focus_and_press, sign_in_learner, tab_to, tap, wait_for,
)

pytestmark = pytest.mark.browser

SIZES = {"tablet": (1024, 768), "phone": (390, 844)}
QUESTIONS = ("What is going well?", "What is hard?", "What do I want to happen next?")


def my_view(live_app, name):
    """The step answers of the learner's last finished My review."""
    with live_app.app_context():
        db = get_db()
        play = db.execute(
            """SELECT plays.id FROM plays JOIN learners ON learners.id = plays.learner_id
               WHERE learners.name = ? AND activity = 'my-review' AND finished_at IS NOT NULL
               ORDER BY plays.id DESC""", [name]).fetchone()
        return sorted(db.execute("SELECT step, answer FROM responses WHERE play_id = ?", [play[0]]).fetchall())


@pytest.mark.parametrize("size", SIZES)
def test_a_learner_gets_their_view_ready_by_touch(driver, live_url, live_app, size):
    """One question a screen, each with its symbol, words and narration; her taps are kept."""
    driver.set_window_size(*SIZES[size])
    name = {"tablet": "Amira", "phone": "Chloe"}[size]  # each a first view, with nothing ticked yet
    sign_in_learner(driver, live_url, name)
    tap(driver, 'a.tile[href="/a/my-review"]')
    tap(driver, "main form button")
    for question, choice in zip(QUESTIONS, ("friends", "lessons", "try-work-experience")):
        expect_heading(driver, question)
        assert driver.find_element(By.CSS_SELECTOR, "h1 ~ a.listen, .say a.listen")  # narration
        if size == "phone":
            assert_accessible(driver)
        choice_card = f'label.check-card:has(input[value="{choice}"])'
        if not driver.find_elements(By.CSS_SELECTOR, choice_card):
            tap(driver, 'button[name="more"]')  # her own number of pictures a screen, then More
        driver.find_element(By.CSS_SELECTOR, choice_card).click()
        tap(driver, 'button[value="next"]')
    wait_for(driver, lambda d: "/done" in d.current_url)
    assert my_view(live_app, name) == [("going-well", "choice:friends"), ("hard", "choice:lessons"),
                                          ("next", "choice:try-work-experience")]


def test_a_learner_gets_their_view_ready_by_keyboard_alone(driver, live_url, live_app):
    sign_in_learner(driver, live_url, "Grace")
    focus_and_press(driver, 'a.tile[href="/a/my-review"]')
    focus_and_press(driver, "main form button")
    for question in QUESTIONS:
        expect_heading(driver, question)
        tab_to(driver, 'input[name="choice"]')  # the first picture
        ActionChains(driver).send_keys(Keys.SPACE).perform()
        focus_and_press(driver, 'button[value="next"]')
    wait_for(driver, lambda d: "/done" in d.current_url)
    assert [step for step, _answer in my_view(live_app, "Grace")] == ["going-well", "hard", "next"]


@pytest.mark.parametrize("size", SIZES)
def test_a_learner_reads_their_meeting_and_ticks_their_own_action(driver, live_url, live_app, size):
    """Ben's meeting from the demo: what was said in plain words, and I did it ticks his action."""
    driver.set_window_size(*SIZES[size])
    sign_in_learner(driver, live_url, "Ben")
    tap(driver, 'a.tile[href="/guidance"]')
    expect_heading(driver, "My guidance meetings")
    tap(driver, "a.tile")
    expect_heading(driver, "My meeting on")
    main = driver.find_element(By.ID, "main").text
    for words in ("What we talked about", "What I want", "What we agreed", "What I will do", "What others will do"):
        assert words in main
    assert_accessible(driver)
    mine = 'section:has(h2) .guidance-action:not(.done) button[value="1"]'
    tap(driver, mine)
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".guidance-action.done"))
    done = driver.find_element(By.CSS_SELECTOR, ".guidance-action.done")
    assert "Done" in done.text and "Ask Riverside College" in done.text
    # Only his own action has a button: what others will do is theirs to tick.
    assert len(driver.find_elements(By.CSS_SELECTOR, ".guidance-action button")) == 1
    tap(driver, '.guidance-action.done button[value="0"]')  # as it was, for the tests after
    wait_for(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, ".guidance-action.done"))
