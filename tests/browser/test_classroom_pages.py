"""A class session in Chromium: a teacher window, a projector window and three tablets."""

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from student_app.db import get_db, now
from student_app.demo import STAFF
from tests.browser.conftest import (
    assert_accessible, expect_heading, make_driver, post, sign_in_learner, staff_sign_in, tap, wait_for,
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


# issue 14: the projector view and the session summary

SHOTS = Path("/tmp/shots-projector")
PROJECTOR_SIZES = ((1920, 1080), (1280, 720))  # projectors: the page fills the screen, no scrolling
TABLET_SIZES = ((1024, 768), (390, 844))
FOCUSABLE = "a[href], button, input, select, textarea, [tabindex], [contenteditable]"


def viewport(driver, width, height):
    """Make the page itself (not the window around it) this size, as on a projector."""
    driver.set_window_size(width, height)
    extra = driver.execute_script("return [outerWidth - innerWidth, outerHeight - innerHeight]")
    if any(extra):
        driver.set_window_size(width + extra[0], height + extra[1])


def looks_right(driver, phase, words):
    """At each size: axe passes, nothing can take the focus, no focus ring, and on a projector
    the page fits the screen; a screenshot of each is kept to look at."""
    for width, height in PROJECTOR_SIZES + TABLET_SIZES:
        if (width, height) in PROJECTOR_SIZES:
            viewport(driver, width, height)
        else:  # a tablet and a phone, sized as in the other browser tests
            driver.set_window_size(width, height)
        follows(driver, words)
        assert_accessible(driver)
        assert driver.execute_script("return document.querySelectorAll(arguments[0]).length", FOCUSABLE) == 0
        assert driver.execute_script("return document.activeElement === document.body"), phase
        assert driver.find_element(By.TAG_NAME, "h1").value_of_css_property("outline-style") == "none"
        if (width, height) in PROJECTOR_SIZES:
            inner, scroll = driver.execute_script(
                "const e = document.documentElement; return [[innerWidth, innerHeight], [e.scrollWidth, e.scrollHeight]]")
            assert scroll[0] <= inner[0] and scroll[1] <= inner[1], f"{phase} at {width}x{height} scrolls: {scroll}"
            # As large as the room needs: the main heading a tenth of the screen's height, or near.
            size = float(driver.find_element(By.TAG_NAME, "h1").value_of_css_property("font-size")[:-2])
            assert size >= 0.07 * inner[1], f"{phase} heading is {size}px at {width}x{height}"
        SHOTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(SHOTS / f"projector-{phase}-{width}x{height}.png"))


def test_the_projector_fills_the_screen_with_no_controls(driver, live_url, live_app):
    staff_sign_in(driver, live_url, live_app, STAFF[1])
    post(driver, "/staff/classes/1/sessions/new", {"job": "firefighter"})
    with live_app.app_context():
        db = get_db()
        session_id = db.execute("SELECT max(id) FROM class_sessions").fetchone()[0]
        code = db.execute("SELECT code FROM class_sessions WHERE id = ?", [session_id]).fetchone()[0]
        joined = [db.execute("SELECT id FROM learners WHERE name = ?", [n]).fetchone()[0] for n in LEARNERS[:2]]
        for learner in joined:
            db["session_members"].insert({"session_id": session_id, "learner_id": learner, "joined_at": now()})
    control_url = f"{live_url}/staff/sessions/{session_id}"
    driver.get(control_url)
    control = driver.current_window_handle
    link = driver.find_element(By.PARTIAL_LINK_TEXT, "Open the projector view")
    assert link.text == "Open the projector view (opens in a new window)"
    assert link.get_attribute("target") == "_blank"
    for width, height in TABLET_SIZES:
        driver.set_window_size(width, height)
        assert_accessible(driver)
        driver.save_screenshot(str(SHOTS / f"control-{width}x{height}.png"))
    before = set(driver.window_handles)
    link.click()
    projector = wait_for(driver, lambda d: next(iter(set(d.window_handles) - before), None))
    try:
        driver.switch_to.window(projector)
        expect_heading(driver, "Join the class session")
        assert "top-bar" not in driver.page_source and not driver.find_elements(By.ID, "sign-out")
        driver.execute_script("window.notReloaded = true")
        looks_right(driver, "lobby", code)

        def move(action, **fields):
            driver.switch_to.window(control)
            post(driver, f"/staff/sessions/{session_id}/{'answer' if fields else 'step'}",
                 fields or {"action": action})
            driver.switch_to.window(projector)

        move("start")
        looks_right(driver, "clue", "I wear a helmet and boots.")
        move("choices")
        looks_right(driver, "choices", "0 of 2 have answered")
        move(None, learner=joined[0], job="firefighter")
        move(None, learner=joined[1], job="firefighter")
        looks_right(driver, "choices-answered", "2 of 2 have answered")
        move("reveal")
        looks_right(driver, "reveal", "Firefighter: 2")
        move("end")
        looks_right(driver, "ended", "finished")
    finally:
        driver.close()
        driver.switch_to.window(control)
    driver.set_window_size(1024, 768)
    driver.get(f"{control_url}/summary")
    expect_heading(driver, "Session summary")
    rows = driver.find_element(By.CSS_SELECTOR, "table.summary-learners").text
    assert f"{LEARNERS[0]} Firefighter: right by staff 1 of 1" in rows, rows
    for width, height in TABLET_SIZES:
        driver.set_window_size(width, height)
        assert_accessible(driver)
        driver.save_screenshot(str(SHOTS / f"summary-{width}x{height}.png"))
