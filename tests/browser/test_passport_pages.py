"""Passport, family and staff record pages in headless Chromium, each checked with axe-core."""

import json

import pytest
from PIL import Image
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from student_app.db import get_db
from student_app.demo import FAMILY, STAFF
from tests.browser.conftest import (
    assert_accessible, expect_heading, focus_and_press, gone, sign_in_learner, staff_sign_in, tab_to, tap, wait_for,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "visit.jpg"
    Image.new("RGB", (640, 480), (40, 120, 60)).save(path, "JPEG")
    return str(path)


@pytest.fixture
def harry(live_app):
    """Harry (Group 2: types, four pictures a screen, photo consent), with no page in progress
    and his access profile put back after the test."""
    def access(**options):
        with live_app.app_context():
            get_db().execute("UPDATE learners SET access = ? WHERE name = 'Harry'", [json.dumps(options)])
    with live_app.app_context():
        db = get_db()
        harry_id = db.execute("SELECT id FROM learners WHERE name = 'Harry'").fetchone()[0]
        db.execute("DELETE FROM passport_draft_photos WHERE learner_id = ?", [harry_id])
        db.execute("DELETE FROM passport_drafts WHERE learner_id = ?", [harry_id])
    yield access
    access()


def screen(driver, words):
    """The next question is on the screen, passes axe, and the page fits across."""
    expect_heading(driver, words)
    assert_accessible(driver)
    assert driver.execute_script("return document.documentElement.scrollWidth") <= driver.get_window_size()["width"]


@pytest.mark.parametrize("size", [(1024, 768), (390, 844)], ids=["tablet", "phone"])
def test_a_learner_adds_a_page_one_question_a_screen_by_keyboard(driver, live_url, harry, photo_file, size):
    driver.set_window_size(*size)
    sign_in_learner(driver, live_url, "Harry")
    driver.get(live_url + "/passport")
    focus_and_press(driver, 'a[href="/passport/new"]', limit=80)
    screen(driver, "What kind of experience was it?")
    assert "Add a page to my passport (1 of 10)" in driver.find_element(By.ID, "main").text
    assert len(driver.find_elements(By.CSS_SELECTOR, 'button[name="choice"]')) == 4  # Harry's four
    focus_and_press(driver, 'button[name="choice"][value="workplace"]', limit=80)
    screen(driver, "Where was it?")
    # More pictures, then words: what was typed stays through More.
    tab_to(driver, "#words")
    ActionChains(driver).send_keys("Hill Farm").perform()
    focus_and_press(driver, 'button[name="more"]', limit=80)
    wait_for(driver, lambda d: "page=2" in d.current_url)
    assert driver.find_element(By.ID, "words").get_attribute("value") == "Hill Farm"
    focus_and_press(driver, 'button[value="next"]', limit=80)
    screen(driver, "When was it?")
    focus_and_press(driver, 'button[value="today"]', limit=80)
    screen(driver, "Who was I with?")
    tab_to(driver, 'input[name="choice"][value="teacher"]')
    ActionChains(driver).send_keys(Keys.SPACE).perform()
    focus_and_press(driver, 'button[value="next"]', limit=80)
    screen(driver, "Take or choose photos")
    # The camera button is the file field's label; Tab reaches the field, which shows its focus.
    tab_to(driver, "input.camera-input")
    outline = driver.execute_script("return getComputedStyle(document.activeElement.closest('label')).outlineStyle")
    assert outline != "none"
    driver.switch_to.active_element.send_keys(photo_file)
    focus_and_press(driver, 'button[value="next"]', limit=80)
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".draft-photos img"))
    assert "Your photos are kept" in driver.find_element(By.CSS_SELECTOR, "[role=status]").text
    assert_accessible(driver)
    focus_and_press(driver, 'button[value="next"]', limit=80)
    screen(driver, "What did I do?")
    tab_to(driver, "#words")
    ActionChains(driver).send_keys("I fed the hens.").perform()
    focus_and_press(driver, 'button[value="next"]', limit=80)
    screen(driver, "What did I learn?")  # Harry types (Group 2): a screen for what he learnt
    tab_to(driver, "#words")
    ActionChains(driver).send_keys("Hens like corn.").perform()
    focus_and_press(driver, 'button[value="next"]', limit=80)
    screen(driver, "How did I feel?")
    focus_and_press(driver, 'button[name="choice"][value="feeling-proud"]', limit=80)
    screen(driver, "Would I like to do this again?")
    # Back keeps what was given: the feeling is still chosen, and Next goes on with it.
    focus_and_press(driver, 'button[value="back"]', limit=80)
    expect_heading(driver, "How did I feel?")
    assert driver.find_element(By.CSS_SELECTOR, 'button[value="feeling-proud"]').get_attribute("aria-pressed") == "true"
    focus_and_press(driver, 'button[value="next"]', limit=80)
    expect_heading(driver, "Would I like to do this again?")
    focus_and_press(driver, 'button[name="choice"][value="yes"]', limit=80)
    screen(driver, "Check my page, then save it")
    summary = driver.find_element(By.CSS_SELECTOR, ".draft-summary").text
    for words in ("At a workplace", "Hill Farm", "Today", "My teacher", "I fed the hens.", "Proud", "Yes"):
        assert words in summary
    focus_and_press(driver, 'button[value="save"]', limit=80)
    expect_heading(driver, "At a workplace: Hill Farm")
    main = driver.find_element(By.ID, "main").text
    assert "I fed the hens." in main and "Gatsby" not in main
    assert driver.find_elements(By.CSS_SELECTOR, ".passport-page .photos img")
    assert_accessible(driver)


def test_a_learner_adds_a_page_with_two_switches(driver, live_url, harry):
    """Step scanning: Space moves the highlight, Enter selects. Every question can be answered
    or skipped, and the page saved, by the two switches alone."""
    harry(method="switch2")
    sign_in_learner(driver, live_url, "Harry")
    driver.get(live_url + "/passport/new/kind")

    def switch_to(css, limit=60):
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".scan-focus"))
        for _ in range(limit):
            if driver.execute_script("const on = document.querySelector('.scan-focus'); return !!on && on.matches(arguments[0])", css):
                old = driver.find_element(By.TAG_NAME, "h1")
                ActionChains(driver).send_keys(Keys.ENTER).perform()
                return old
            ActionChains(driver).send_keys(Keys.SPACE).perform()
        pytest.fail(f"the scan never reached {css}")

    for css, then in (('button[value="provider"]', "Where was it?"), ('button[value="place-college"]', "When was it?"),
                      ('button[value="today"]', "Who was I with?")):
        old = switch_to(css)
        wait_for(driver, lambda d: gone(old))
        screen(driver, then)
    switch_to('input[name="choice"][value="class"]')  # a tick box: the page stays, the scan goes on
    wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, 'input[name="choice"][value="class"]').is_selected())
    for css, then in (('button[value="next"]', "Take or choose photos"), ('button[value="skip"]', "What did I do?"),
                      ('button[value="skip"]', "What did I learn?"), ('button[value="skip"]', "How did I feel?"), ('button[value="feeling-happy"]', "Would I like"),
                      ('button[value="not-sure"]', "Check my page")):
        old = switch_to(css)
        wait_for(driver, lambda d: gone(old))
        screen(driver, then)
    old = switch_to('button[value="save"]')
    wait_for(driver, lambda d: gone(old))
    expect_heading(driver, "College, university or training: College")
    assert "My class" in driver.find_element(By.ID, "main").text


def test_a_learner_adds_a_page_with_javascript_off(driver, live_url, harry, photo_file):
    """Plain forms and links: every screen works with no script (the shared browser, with
    scripts switched off for this test), and a refusal is on the page with a 400."""
    sign_in_learner(driver, live_url, "Harry")
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        driver.get(live_url + "/passport/new/kind")
        tap(driver, 'button[value="employer"]')
        expect_heading(driver, "Where was it?")
        tap(driver, 'button[value="next"]')  # nothing given: a kind message, on the page
        expect_heading(driver, "Where was it?")
        assert "tap Skip if you do not want to answer" in driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
        driver.find_element(By.ID, "words").send_keys("The bakery on King Street")
        tap(driver, 'button[value="next"]')
        expect_heading(driver, "When was it?")
        tap(driver, 'button[value="back"]')
        expect_heading(driver, "Where was it?")
        assert driver.find_element(By.ID, "words").get_attribute("value") == "The bakery on King Street"
        driver.get(live_url + "/passport/new/photos")
        driver.find_element(By.CSS_SELECTOR, "input.camera-input").send_keys(photo_file)
        tap(driver, 'button[value="next"]')
        expect_heading(driver, "Take or choose photos")
        assert driver.find_elements(By.CSS_SELECTOR, ".draft-photos img")
        driver.get(live_url + "/passport/new/save")
        tap(driver, 'button[value="save"]')
        expect_heading(driver, "Meeting an employer: The bakery on King Street")
    finally:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def test_staff_record_pages_are_accessible(driver, live_url, live_app):
    staff_sign_in(driver, live_url, live_app, STAFF[0])  # the admin sees every record page
    assert_accessible(driver)
    driver.get(live_url + "/staff/classes/1")  # the admin teaches no class: the class's own page
    driver.find_element(By.PARTIAL_LINK_TEXT, "Amira").click()
    expect_heading(driver, "Portfolio of Amira")
    assert_accessible(driver)
    tap(driver, 'form[action$="/invitations"] button')
    expect_heading(driver, "Family invitation")
    assert_accessible(driver)
    for path, words in (("/staff/classes/1/benchmarks", "Gatsby Benchmarks"), ("/staff/audit", "Audit log"),
                        ("/staff/learners/1/erase", "Erase Amira"), ("/staff/learners/1/passport", "Passport of Amira"),
                        ("/staff/learners/1/passport/pages/1", "A morning at the garden centre"),
                        ("/staff/learners/1/passport/new", "Add a page"),
                        ("/staff/voices", "Record your own voice")):
        driver.get(live_url + path)
        assert words in driver.find_element(By.TAG_NAME, "body").text, path
        assert_accessible(driver)
    driver.get(live_url + "/staff/learners/1/passport/print")
    assert "A morning at the garden centre" in driver.page_source
    assert_accessible(driver)


@pytest.mark.parametrize("size", [(390, 844), (1024, 768)], ids=["phone", "tablet"])
def test_family_pages_are_accessible_on_a_phone_and_a_tablet(driver, live_url, size):
    driver.set_window_size(*size)
    driver.get(live_url + "/family/join")
    assert_accessible(driver)
    driver.get(live_url + "/family/sign-in")
    assert_accessible(driver)
    _, email, password, _ = FAMILY
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    tap(driver, "form.stacked button")
    expect_heading(driver, "My children")
    assert_accessible(driver)
    tap(driver, 'a.tile[href^="/family/children/"]')
    expect_heading(driver, "Passport of")
    assert_accessible(driver)
    tap(driver, ".passport-page h3 a")
    assert_accessible(driver)
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= size[0]
