"""A class session in Chromium: a teacher window, a projector window and three tablets."""

import pytest
from selenium.webdriver.common.by import By

from student_app.demo import STAFF
from tests.browser.conftest import (
    assert_accessible, expect_heading, make_driver, sign_in_learner, staff_sign_in, tap, wait_for,
)

pytestmark = pytest.mark.browser
LEARNERS = ("Amira", "Ben", "Dylan")


@pytest.fixture
def tablets(live_url):
    drivers = [make_driver() for _ in LEARNERS]
    yield drivers
    for driver in drivers:
        driver.quit()


def follows(driver, words, timeout=2.5):
    """The page shows `words` within the time the issue allows, without a reload."""
    try:
        wait_for(driver, lambda d: words in d.find_element(By.ID, "live").text, timeout=timeout)
    except Exception:
        pytest.fail(f"{words!r} not shown within {timeout} s; the page shows: "
                    + driver.find_element(By.ID, "live").text)
    assert driver.execute_script("return window.notReloaded === true"), "the page was reloaded"


def press(driver, window, action):
    driver.switch_to.window(window)
    tap(driver, f'button[value="{action}"]')


def test_a_class_session_with_projector_and_tablets(driver, live_url, live_app, tablets):
    staff_sign_in(driver, live_url, live_app, STAFF[1])
    tap(driver, 'a[href="/staff/classes/1/sessions/new"]')
    assert_accessible(driver)
    for box in driver.find_elements(By.CSS_SELECTOR, 'input[name="job"]:checked'):
        box.click()
    driver.find_element(By.CSS_SELECTOR, 'input[value="firefighter"]').click()
    tap(driver, "form.stacked button")
    expect_heading(driver, "Class session")
    control = driver.current_window_handle
    assert_accessible(driver)
    projector_url = driver.find_element(By.PARTIAL_LINK_TEXT, "projector").get_attribute("href")
    driver.switch_to.new_window("window")
    driver.get(projector_url)
    projector = driver.current_window_handle
    expect_heading(driver, "Join the class session")
    assert_accessible(driver)

    for name, tablet in zip(LEARNERS, tablets):
        sign_in_learner(tablet, live_url, name)
        tap(tablet, "form.join-now button")
        expect_heading(tablet, "You have joined")
        tablet.execute_script("window.notReloaded = true")
    assert_accessible(tablets[0])
    driver.switch_to.window(projector)
    driver.execute_script("window.notReloaded = true")
    follows(driver, "3 have joined")

    press(driver, control, "start")
    clue = "I wear a helmet and boots."
    for tablet in tablets:
        follows(tablet, clue)
    assert_accessible(tablets[1])
    driver.switch_to.window(projector)
    follows(driver, clue)
    assert_accessible(driver)

    press(driver, control, "choices")
    for tablet in tablets:
        follows(tablet, "What is my job?")
        tablet.execute_script("window.notReloaded = true")
    assert_accessible(tablets[2])
    for tablet in tablets:
        tap(tablet, 'button[value="firefighter"]')
    driver.switch_to.window(projector)
    follows(driver, "3 of 3 have answered")
    assert_accessible(driver)

    press(driver, control, "reveal")
    for tablet in tablets:
        follows(tablet, "Yes! I am a firefighter.")
    driver.switch_to.window(projector)
    follows(driver, "Firefighter: 3")
    assert_accessible(driver)

    press(driver, control, "end")
    expect_heading(driver, "Session summary")
    assert_accessible(driver)
    for tablet in tablets:
        follows(tablet, "finished")
    assert_accessible(tablets[0])
