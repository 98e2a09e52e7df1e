"""Privacy screens in headless Chromium, each checked with axe-core."""

import pytest
from selenium.webdriver.common.by import By

from student_app import media
from student_app.db import get_db
from student_app.demo import STAFF
from tests.browser.conftest import assert_accessible, expect_heading, staff_sign_in, tap
from tests.test_library import jpeg_with_gps

pytestmark = pytest.mark.browser


def test_staff_say_who_is_in_a_passport_photo(driver, live_url, live_app):
    with live_app.app_context():
        db = get_db()
        ben, page = db.execute(
            """SELECT learners.id, passport_pages.id FROM passport_pages
               JOIN learners ON learners.id = passport_pages.learner_id WHERE learners.name = 'Ben'""").fetchone()
        photo = media.store_photo(ben, jpeg_with_gps())
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
    assert_accessible(driver)
