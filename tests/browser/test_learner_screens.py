"""Learner screens keep the design's promises (issue 14), at tablet and phone sizes."""

import pytest
from selenium.webdriver.common.by import By

from student_app.demo import STAFF
from tests.browser.conftest import (
    assert_accessible, expect_heading, focus_and_press, sign_in_learner, staff_sign_in, tap, wait_for,
)

pytestmark = pytest.mark.browser

SIZES = {"tablet": (1024, 768), "phone": (390, 844)}


def refusal(driver):
    return wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, "[data-refusal]"))


@pytest.mark.parametrize("size", SIZES)
def test_a_refused_tap_shows_why_reads_it_and_takes_focus(driver, live_url, size):
    """Next with nothing chosen answers 400: the message is swapped in, focused and read aloud."""
    driver.set_window_size(*SIZES[size])
    sign_in_learner(driver, live_url, "Amira")
    driver.get(live_url + "/a/all-about-me")
    tap(driver, "main form button")
    expect_heading(driver, "Things I like")
    tap(driver, 'button[value="next"]')
    message = refusal(driver)
    assert "tap Skip" in message.text
    assert message.is_displayed()
    assert driver.execute_script("return document.activeElement.hasAttribute('data-refusal')")
    # Its narration starts by itself (the prompt's does not, so the two do not overlap).
    wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, "[data-refusal] a.listen.playing"))
    assert not driver.find_elements(By.CSS_SELECTOR, "h1 ~ a[data-autoplay]")
    assert "/a/all-about-me/mine/1" in driver.current_url
    assert_accessible(driver)
    # Skip still moves on, and the message goes.
    tap(driver, 'button[value="skip"]')
    wait_for(driver, lambda d: "/mine/2" in d.current_url)
    assert not driver.find_elements(By.CSS_SELECTOR, "[data-refusal]")


def test_a_refusal_in_a_fragment_is_swapped_in_place(driver, live_url):
    """The picture code swaps only its own part of the page (hx-target): its 400 is shown too."""
    driver.get(live_url + "/sign-in")
    driver.find_element(By.LINK_TEXT, "Ben").click()
    expect_heading(driver, "Tap picture 1 of 3")
    # A pick that is not one of the pictures, as a tampered form would send.
    driver.execute_script("document.querySelector('button.code-pick').value = 'not-a-picture';")
    tap(driver, "button.code-pick")
    message = refusal(driver)
    assert "start again" in message.text
    assert driver.execute_script("return document.activeElement.hasAttribute('data-refusal')")
    assert len(driver.find_elements(By.CSS_SELECTOR, "header.top-bar")) == 1  # not a page in a page


def test_a_refusal_shows_with_javascript_off(plain_driver, live_url):
    driver = plain_driver
    sign_in_learner(driver, live_url, "Amira")
    driver.get(live_url + "/a/all-about-me")
    driver.find_element(By.CSS_SELECTOR, "main form button").click()
    expect_heading(driver, "Things I like")
    driver.find_element(By.CSS_SELECTOR, 'button[value="next"]').click()
    assert "tap Skip" in refusal(driver).text
    assert driver.find_element(By.CSS_SELECTOR, "[data-refusal] a.listen[href$='.mp3']")


def stylesheets(driver):
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('link[rel=stylesheet]'), l => l.getAttribute('href'))")


@pytest.mark.parametrize("size", SIZES)
def test_the_print_page_reached_by_a_link_has_its_own_styles(driver, live_url, live_app, size):
    """A boosted link to a page with its own stylesheet loads that page whole (issue 14, 5)."""
    driver.set_window_size(*SIZES[size])
    staff_sign_in(driver, live_url, live_app, STAFF[0])
    driver.get(live_url + "/staff/classes/1")  # the admin teaches no class: the class's own page
    driver.find_element(By.PARTIAL_LINK_TEXT, "Amira").click()
    expect_heading(driver, "Portfolio of Amira")
    tap(driver, 'a[href$="/passport/print"]')
    wait_for(driver, lambda d: d.current_url.endswith("/passport/print"))
    wait_for(driver, lambda d: any("passport.css" in s for s in stylesheets(d)))
    assert not any("app.css" in s for s in stylesheets(driver))
    # Its print layout applies: the screen-only date bar is hidden on paper.
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not driver.find_element(By.CSS_SELECTOR, ".screen-bar").is_displayed()
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    driver.back()
    wait_for(driver, lambda d: any("app.css" in s for s in stylesheets(d)))


@pytest.mark.parametrize("size", SIZES)
def test_not_me_asks_before_signing_out(driver, live_url, size):
    driver.set_window_size(*SIZES[size])
    sign_in_learner(driver, live_url, "Farhan")
    focus_and_press(driver, "a.not-me")
    expect_heading(driver, "Is this you?")
    assert "Farhan" in driver.find_element(By.ID, "main").text
    assert_accessible(driver)
    focus_and_press(driver, 'a[href="/home"].big-button')
    expect_heading(driver, "What would you like to do?")  # still signed in
