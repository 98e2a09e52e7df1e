"""Arabic, right to left, in headless Chromium: a learner's pages and a family's, with axe."""

import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from student_app.db import get_db
from student_app.demo import FAMILY
from tests.browser.conftest import assert_accessible, post, sign_in_learner, tap, wait_for

pytestmark = pytest.mark.browser


def left(driver, css, index=0):
    return driver.find_elements(By.CSS_SELECTOR, css)[index].rect["x"]


def test_an_arabic_learner_page_mirrors_and_passes_axe(driver, live_app, live_url):
    with live_app.app_context():
        get_db().execute("UPDATE learners SET access = ? WHERE name = 'Harry'", [json.dumps({"language": "ar"})])
    try:
        sign_in_learner(driver, live_url, "Harry")
        html = driver.find_element(By.TAG_NAME, "html")
        assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
        assert "خطواتي المهنية" in driver.title
        # Navigation runs from the right: Home, the first link, is right of My passport.
        assert left(driver, ".top-nav .nav-button", 0) > left(driver, ".top-nav .nav-button", 1)
        assert_accessible(driver)
        driver.save_screenshot("/tmp/h1-arabic-home.png")
        driver.get(live_url + "/activities/guess-my-job")
        post(driver, "/activities/guess-my-job/nurse/start", {})  # one job, not the next
        driver.get(live_url + "/activities/guess-my-job/nurse/guess")
        # Choices too: the first card is the rightmost.
        assert left(driver, ".choices .choice", 0) > left(driver, ".choices .choice", 1)
        assert_accessible(driver)
        driver.save_screenshot("/tmp/h1-arabic-guess.png")
    finally:
        with live_app.app_context():
            get_db().execute("UPDATE learners SET access = '{}' WHERE name = 'Harry'")


def test_a_family_picks_arabic_at_sign_in_and_keeps_it(driver, live_app, live_url):
    _, email, password, _ = FAMILY
    try:
        driver.get(live_url + "/family/sign-in")
        tap(driver, 'footer button[value="ar"]')
        wait_for(driver, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl")
        assert_accessible(driver)
        driver.find_element(By.ID, "email").send_keys(email)
        driver.find_element(By.ID, "password").send_keys(password)
        tap(driver, "form.stacked button")
        wait_for(driver, ec.url_contains("/family/"))
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ar"
        assert driver.find_element(By.TAG_NAME, "h1").text == "أطفالي"
        assert_accessible(driver)
        # Their choice is theirs: saving it while signed in keeps it on their account.
        tap(driver, 'footer button[value="ar"]')
        tap(driver, 'a.tile[href^="/family/children/"]')
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
        assert_accessible(driver)
        driver.save_screenshot("/tmp/h1-arabic-family.png")
        with live_app.app_context():
            assert get_db().execute("SELECT language FROM families WHERE email = ?", [email]).fetchone()[0] == "ar"
    finally:
        with live_app.app_context():
            get_db().execute("UPDATE families SET language = NULL WHERE email = ?", [email])
