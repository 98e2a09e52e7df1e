"""The activity library in headless Chromium: every new page passes axe-core, by tap and by keys."""

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec

from student_app.demo import STAFF
from tests.browser.conftest import (
    assert_accessible, expect_heading, focus_and_press, sign_in_learner, staff_sign_in, tap,
    wait_for,
)

pytestmark = pytest.mark.browser


def more_until(driver, css):
    """Tap More, as a learner would, until the list shows what `css` finds."""
    while not driver.find_elements(By.CSS_SELECTOR, css):
        tap(driver, '.more-actions a[href*="page="]')


def start(driver, css="main form button"):
    tap(driver, css)
    wait_for(driver, ec.url_contains("/1"))


def test_a_learner_goes_through_every_library_activity(driver, live_url):
    sign_in_learner(driver, live_url, "Dylan")  # Group 2: typing and more cards
    # All about me, each screen checked.
    tap(driver, 'a.tile[href="/a/all-about-me"]')
    expect_heading(driver, "All about me")
    assert_accessible(driver)
    start(driver)
    driver.find_element(By.CSS_SELECTOR, 'label.check-card:has(input[value="animals"])').click()
    driver.find_element(By.ID, "words").send_keys("I love horses")
    while True:
        assert_accessible(driver)
        button = driver.find_elements(By.CSS_SELECTOR, 'button[value="next"]')
        tap(driver, 'button[value="next"]' if button and "Finish" not in button[0].text and
            driver.find_elements(By.CSS_SELECTOR, "input:checked, textarea") and
            driver.find_element(By.ID, "words").get_attribute("value") else 'button[value="skip"]')
        if "/done" in driver.current_url:
            break
    expect_heading(driver, "Well done")
    assert "I love horses" in driver.find_element(By.ID, "main").text
    assert_accessible(driver)
    driver.get(live_url + "/a/all-about-me")
    assert "Animals" in driver.find_element(By.ID, "main").text
    assert_accessible(driver)

    # Who can do this job?
    driver.get(live_url + "/a/who-can")
    assert_accessible(driver)
    more_until(driver, 'form[action="/a/who-can/firefighter/start"]')  # Dylan: four a screen
    tap(driver, 'form[action="/a/who-can/firefighter/start"] button')
    expect_heading(driver, "Who can be a firefighter?")
    driver.find_element(By.CSS_SELECTOR, 'label.check-card:has(input[value="woman"])').click()
    assert_accessible(driver)
    tap(driver, 'button[value="next"]')
    expect_heading(driver, "Many kinds of people do this job.")
    assert_accessible(driver)
    tap(driver, 'button[value="next"]')
    expect_heading(driver, "What do you think now?")
    assert_accessible(driver)
    tap(driver, 'button[value="me-too"]')
    expect_heading(driver, "Well done")

    # The Job explorer, My skills and My future routes.
    driver.get(live_url + "/a/job-explorer")
    assert_accessible(driver)
    more_until(driver, 'a[href="/a/job-explorer/chef"]')
    tap(driver, 'a[href="/a/job-explorer/chef"]')
    expect_heading(driver, "Chef")
    assert_accessible(driver)
    for activity in ("my-skills", "future-routes"):
        driver.get(live_url + f"/a/{activity}")
        assert_accessible(driver)
        start(driver)
        assert_accessible(driver)
        tap(driver, 'button[name="choice"]')
        assert_accessible(driver)
    driver.get(live_url + "/passport")
    assert "Who can do this job?" in driver.find_element(By.ID, "main").text
    assert_accessible(driver)


def test_keyboard_alone_answers_a_step(driver, live_url):
    sign_in_learner(driver, live_url, "Grace")
    focus_and_press(driver, 'a.tile[href="/a/all-about-me"]')
    focus_and_press(driver, "main form button")
    # Space ticks a picture card; Tab then reaches Next.
    wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, 'input[value="outdoors"]'))
    for _ in range(40):
        if driver.switch_to.active_element.get_attribute("value") == "outdoors":
            ActionChains(driver).send_keys(Keys.SPACE).perform()
            break
        ActionChains(driver).send_keys(Keys.TAB).perform()
    assert driver.find_element(By.CSS_SELECTOR, 'input[value="outdoors"]').is_selected()
    focus_and_press(driver, 'button[value="next"]')
    expect_heading(driver, "Things I am good at")


def test_staff_preview_and_answer_on_behalf_pages_are_accessible(driver, live_url, live_app):
    staff_sign_in(driver, live_url, live_app, STAFF[1])
    tap(driver, 'a[href="/staff/preview/1/a/who-can"]')
    assert "Nothing is saved" in driver.find_element(By.ID, "main").text
    assert_accessible(driver)
    more_until(driver, 'form[action="/staff/preview/1/a/who-can/nurse/start"]')
    tap(driver, 'form[action="/staff/preview/1/a/who-can/nurse/start"] button')
    assert_accessible(driver)
    driver.get(live_url + "/staff/")
    driver.find_element(By.PARTIAL_LINK_TEXT, "Harry").click()
    expect_heading(driver, "Portfolio of Harry")
    tap(driver, 'a[href$="/a/my-skills"]')
    assert "You are answering for Harry" in driver.find_element(By.ID, "main").text
    assert_accessible(driver)
    start(driver)
    tap(driver, 'button[value="with-help"]')
    assert_accessible(driver)
    driver.get(live_url + "/staff/")
    driver.find_element(By.PARTIAL_LINK_TEXT, "Harry").click()
    expect_heading(driver, "Portfolio of Harry")
    assert "Recorded by" in driver.find_element(By.ID, "main").text
    assert_accessible(driver)


def test_a_step_works_with_javascript_off(plain_driver, live_url):
    driver = plain_driver
    sign_in_learner(driver, live_url, "Ellie")
    driver.get(live_url + "/a/future-routes")
    driver.find_element(By.CSS_SELECTOR, "main form button").click()
    expect_heading(driver, "College")
    driver.find_element(By.CSS_SELECTOR, 'button[value="maybe"]').click()
    expect_heading(driver, "Supported internship")
