"""Learners and staff use the app in headless Chromium; axe-core checks every page."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from student_app.demo import STAFF
from tests.browser.conftest import (
    assert_accessible, code_of, expect_heading, focus_and_press, gone, heading, make_driver,
    sign_in_learner, staff_sign_in, tap, wait_for,
)


pytestmark = pytest.mark.browser


def play_job(driver, live_url, check=lambda: None):
    """Open Guess my job, tap Play, hear every clue, guess wrong once, then right; the job's
    name, as the answer shows it."""
    tap(driver, 'a[href="/activities/guess-my-job"]')
    check()
    driver.find_element(By.CSS_SELECTOR, "form.play-next button").click()
    wait_for(driver, ec.url_contains("/clue/1"))
    job = played_job(driver)
    number = 1
    while True:
        assert f"Clue {number} of" in driver.find_element(By.ID, "clue-heading").text
        check()
        buttons = driver.find_elements(By.CSS_SELECTOR, 'button[value="next"]')
        if not buttons:
            break
        tap(driver, 'button[value="next"]')
        number += 1
    tap(driver, 'button[value="guess"]')
    expect_heading(driver, "What is my job?")
    check()
    cards = driver.find_elements(By.CSS_SELECTOR, 'button[name="job"]')
    wrong = next(c.get_attribute("value") for c in cards if c.get_attribute("value") != job)
    tap(driver, f'button[value="{wrong}"]')
    assert "Have another go" in driver.find_element(By.ID, "guess").text
    check()
    tap(driver, f'button[value="{job}"]')
    wait_for(driver, ec.url_contains("/answer"))
    expect_heading(driver, "Well done")
    check()
    return driver.find_element(By.CSS_SELECTOR, ".answer-name").text


def played_job(driver):
    """The job Play started, from the clue page's address."""
    return driver.current_url.split("/activities/guess-my-job/")[1].split("/")[0]


def test_learner_taps_to_sign_in_and_plays_a_job_to_the_end(driver, live_url):
    checked = []

    def check():
        assert_accessible(driver)
        checked.append(driver.current_url)

    sign_in_learner(driver, live_url, "Chloe", check)
    check()  # home
    name = play_job(driver, live_url, check)
    tap(driver, 'a[href="/passport"]')
    expect_heading(driver, "My passport")
    assert name.lower() in driver.find_element(By.ID, "main").text.lower()
    check()
    assert len(checked) >= 9


def test_narration_plays_and_is_real_audio(driver, live_url):
    sign_in_learner(driver, live_url, "Grace")
    link = driver.find_element(By.CSS_SELECTOR, "a[data-narration]")
    response = driver.execute_async_script(
        "const done = arguments[1];"
        "fetch(arguments[0]).then(r => r.arrayBuffer().then(b => done([r.status, r.headers.get('content-type'), b.byteLength])));",
        link.get_attribute("href"),
    )
    status, kind, size = response
    assert status == 200 and kind == "audio/mpeg" and size > 2000


@pytest.mark.parametrize("account", STAFF, ids=["admin", "teacher"])
def test_staff_pages_are_accessible(driver, live_url, live_app, account):
    driver.get(live_url + "/staff/sign-in")
    assert_accessible(driver)
    staff_sign_in(driver, live_url, live_app, account)
    assert_accessible(driver)
    driver.get(live_url + "/staff/classes/1")  # the admin teaches no class: the class's own page
    driver.find_element(By.PARTIAL_LINK_TEXT, "Chloe").click()
    expect_heading(driver, "Portfolio of Chloe")
    assert_accessible(driver)
    # Print a badge, then follow it as a learner's tablet would after scanning it.
    tap(driver, 'form[action$="/badges"] button')
    expect_heading(driver, "Sign-in card for Chloe")
    assert driver.find_elements(By.CSS_SELECTOR, ".qr svg")
    assert_accessible(driver)


def test_other_pages_are_accessible(driver, live_url):
    for path in ("/about", "/activities/nonsense", "/badge/not-a-real-badge", "/staff/sign-in"):
        driver.get(live_url + path)
        assert_accessible(driver)
    driver.get(live_url + "/sign-in")
    driver.find_element(By.LINK_TEXT, "Ellie").click()
    for _ in range(3):
        tap(driver, 'button[value="code-ball"]')
    assert "not quite right" in driver.find_element(By.ID, "code").text
    assert_accessible(driver)


def test_phone_width_pages_are_accessible(driver, live_url):
    driver.set_window_size(390, 844)
    sign_in_learner(driver, live_url, "Dylan")
    assert_accessible(driver)
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390


def test_keyboard_alone_signs_in_and_plays(driver, live_url):
    driver.get(live_url + "/sign-in")
    grace = driver.find_element(By.LINK_TEXT, "Grace").get_attribute("href")
    focus_and_press(driver, f'a[href="{grace.removeprefix(live_url)}"]')
    for pick in code_of("Grace"):
        focus_and_press(driver, f'button[value="{pick}"]')
    wait_for(driver, ec.url_contains("/home"))
    focus_and_press(driver, 'a.tile[href="/activities/guess-my-job"]')
    focus_and_press(driver, "form.play-next button")
    job = played_job(driver)
    focus_and_press(driver, 'button[value="guess"]')
    focus_and_press(driver, f'button[value="{job}"]')
    expect_heading(driver, "Well done")


def test_back_after_not_me_shows_nothing(driver, live_url):
    sign_in_learner(driver, live_url, "Farhan")
    tap(driver, 'a[href="/passport"]')
    assert "Farhan" in driver.page_source
    tap(driver, "a.not-me")
    expect_heading(driver, "Is this you?")  # a stray tap does not sign out
    tap(driver, 'main form[action="/sign-out"] button')
    expect_heading(driver, "Who are you?")
    driver.back()
    heading(driver)
    assert "My passport" not in driver.find_element(By.ID, "main").text
    assert "Not me" not in driver.page_source


def test_everything_works_with_javascript_off(live_url):
    driver = make_driver(javascript=False)
    try:
        sign_in_learner(driver, live_url, "Harry")
        name = play_job(driver, live_url)
        link = driver.find_element(By.LINK_TEXT, "My passport")
        link.click()
        wait_for(driver, lambda d: gone(link))  # a whole new page, with JavaScript off
        assert name.lower() in driver.find_element(By.ID, "main").text.lower()
    finally:
        driver.quit()


def test_a_learner_who_walks_away_is_signed_out(driver, live_url):
    sign_in_learner(driver, live_url, "Ben")
    # Shorten the idle time to about a second, then leave the tablet alone.
    driver.execute_script(
        "document.getElementById('sign-out').setAttribute('data-idle-minutes', '0.02');"
        "document.dispatchEvent(new KeyboardEvent('keydown'));"
    )
    expect_heading(driver, "Who are you?")
    driver.get(live_url + "/home")
    expect_heading(driver, "Who are you?")


def test_setting_up_two_step_sign_in_is_accessible(driver, live_url, live_app):
    import pyotp
    from student_app.passwords import hashed

    from student_app.db import get_db

    with live_app.app_context():
        get_db()["staff"].insert({"school_id": 1, "email": "kim@oaktree.example", "name": "Kim New",
                                  "password_hash": hashed("kim-password-1"), "staff_role": "teacher"})
    driver.get(live_url + "/staff/sign-in")
    driver.find_element(By.ID, "email").send_keys("kim@oaktree.example")
    driver.find_element(By.ID, "password").send_keys("kim-password-1")
    tap(driver, "form.stacked button")
    expect_heading(driver, "Set up two-step sign-in")
    assert_accessible(driver)
    secret = driver.find_element(By.CSS_SELECTOR, "code.code").text
    driver.find_element(By.ID, "code").send_keys(pyotp.TOTP(secret).now())
    tap(driver, "form.stacked button")
    expect_heading(driver, "Your recovery codes")
    assert len(driver.find_elements(By.CSS_SELECTOR, ".recovery-codes code")) == 10
    assert_accessible(driver)
