"""Privacy screens in headless Chromium, each checked with axe-core."""

import pytest
from selenium.webdriver.common.by import By

from student_app import media
from student_app.db import get_db
from student_app.demo import STAFF
from tests.browser.conftest import (
    assert_accessible, expect_heading, focus_and_press, make_driver, sign_in_learner, staff_sign_in, tap,
    wait_for,
)
from tests.test_library import jpeg_with_gps

pytestmark = pytest.mark.browser


def test_staff_say_who_is_in_a_passport_photo(driver, live_url, live_app):
    with live_app.app_context():
        db = get_db()
        ben, page = db.execute(
            """SELECT learners.id, passport_pages.id FROM passport_pages
               JOIN learners ON learners.id = passport_pages.learner_id WHERE learners.name = 'Ben'""").fetchone()
        photo = media.store_upload(ben, ("photo", media.clean_photo(jpeg_with_gps()), "jpg", None))
        db["passport_photos"].insert({"page_id": page, "media_id": photo})
    staff_sign_in(driver, live_url, live_app, STAFF[1])
    driver.get(f"{live_url}/staff/learners/{ben}/passport/pages/{page}")
    expect_heading(driver, "College taster day")
    assert_accessible(driver)
    box = driver.find_element(By.CSS_SELECTOR, f'form[action$="/photos/{photo}/people"] input[type=checkbox]')
    box.click()  # the first learner of the class, Amira
    tap(driver, f'form[action$="/photos/{photo}/people"] button')
    assert "Saved who is in the photo." in driver.find_element(By.TAG_NAME, "body").text
    assert driver.find_element(By.CSS_SELECTOR, f'form[action$="/photos/{photo}/people"] input[type=checkbox]').is_selected()
    # Someone from another class is found by name (here nobody is: the demo has one class).
    driver.find_element(By.ID, "people-heading-who").send_keys("Nobody Here")
    tap(driver, "form.photo-search button")
    assert "No one else of the school has a name with “Nobody Here” in it." in driver.find_element(By.ID, "main").text
    assert_accessible(driver)


def test_a_learner_of_16_chooses_who_sees_their_work_by_keyboard(driver, live_url):
    sign_in_learner(driver, live_url, "Amira")
    assert "My family can see my work" in driver.find_element(By.ID, "main").text
    focus_and_press(driver, 'a[href="/sharing"]')
    expect_heading(driver, "Who can see my work")
    assert_accessible(driver)
    share, keep = driver.find_elements(By.CSS_SELECTOR, "li.choice")
    assert share.size == keep.size and share.location["y"] == keep.location["y"]  # as big, side by side
    keep.find_element(By.TAG_NAME, "label").click()
    tap(driver, "form.passport-form button.big-button")
    expect_heading(driver, "Who can see my work")
    assert driver.find_element(By.CSS_SELECTOR, 'input[value="keep"]').is_selected()
    assert_accessible(driver)
    driver.find_element(By.CSS_SELECTOR, "label.check-card:has(input[value=share])").click()
    tap(driver, "form.passport-form button.big-button")
    assert driver.find_element(By.CSS_SELECTOR, 'input[value="share"]').is_selected()


def test_the_screen_says_so_while_the_microphone_is_on(live_url):
    """With Chromium's fake microphone: a symbol and words show only while recording."""
    driver = make_driver(flags=("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"))
    try:
        sign_in_learner(driver, live_url, "Grace")
        driver.get(live_url + "/passport/new/did")
        expect_heading(driver, "What did I do?")
        recorder = driver.find_element(By.CSS_SELECTOR, ".recorder")
        mic = recorder.find_element(By.CSS_SELECTOR, 'img[src$="/symbols/tool-microphone"]')
        assert not mic.is_displayed()
        recorder.find_element(By.TAG_NAME, "button").click()
        wait_for(driver, lambda d: mic.is_displayed())
        assert "the microphone is on" in recorder.find_element(By.CSS_SELECTOR, ".recorder-status").text
        # and read out from the page's one live region
        wait_for(driver, lambda d: "the microphone is on" in d.find_element(By.ID, "announcer").get_attribute("textContent"))
        assert "is-recording" in recorder.get_attribute("class")
        assert_accessible(driver)
        recorder.find_element(By.TAG_NAME, "button").click()  # Stop
        wait_for(driver, lambda d: not mic.is_displayed())
        assert "Recorded." in recorder.find_element(By.CSS_SELECTOR, ".recorder-status").text
    finally:
        driver.quit()
