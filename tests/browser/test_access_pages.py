"""The accessibility gate for learner pages in each theme, target sizes, reflow at 320 px,
and one-switch scanning, in headless Chromium."""

import json
import time

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from student_app.db import get_db
from tests.browser.conftest import assert_accessible, expect_heading, sign_in_learner, tap

pytestmark = pytest.mark.browser
LEARNER_PAGES = ("/home", "/activities/guess-my-job", "/activities/guess-my-job/chef/clue/1",
                 "/activities/guess-my-job/chef/guess", "/a/all-about-me", "/a/who-can",
                 "/a/job-explorer/chef", "/passport", "/passport/new", "/settings")


def set_access(live_app, name, **options):
    with live_app.app_context():
        get_db().execute("UPDATE learners SET access = ? WHERE name = ?", [json.dumps(options), name])


def visit_learner_pages(driver, live_url, check):
    driver.get(live_url + "/activities/guess-my-job")  # start a play, so its pages exist
    tap(driver, 'form[action="/activities/guess-my-job/chef/start"] button')
    for path in LEARNER_PAGES:
        driver.get(live_url + path)
        check(path)


@pytest.mark.parametrize("theme", ["contrast", "dark"])
def test_learner_pages_pass_axe_in_each_theme(driver, live_app, live_url, theme):
    set_access(live_app, "Ellie", theme=theme, display="symbols")
    sign_in_learner(driver, live_url, "Ellie")
    assert f"theme-{theme}" in driver.find_element(By.TAG_NAME, "body").get_attribute("class")
    visit_learner_pages(driver, live_url, lambda path: assert_accessible(driver))


TARGETS = """
return Array.from(document.querySelectorAll('a[href], button, input, select, textarea, summary'))
  .filter(el => el.offsetParent !== null && !el.closest('.skip-link') && el.type !== 'hidden')
  .map(el => { const r = (el.closest('label') || el).getBoundingClientRect();
               return [el.outerHTML.slice(0, 80), Math.round(r.width), Math.round(r.height)]; })
  .filter(([, w, h]) => w < 44 || h < 44);
"""


def test_every_target_on_learner_pages_is_at_least_44_px(driver, live_url):
    sign_in_learner(driver, live_url, "Dylan")
    small = {}
    visit_learner_pages(driver, live_url, lambda path: small.update({path: driver.execute_script(TARGETS)}))
    assert not any(small.values()), {p: s for p, s in small.items() if s}


def test_learner_pages_reflow_at_320_px(driver, live_url):
    sign_in_learner(driver, live_url, "Farhan")
    driver.set_window_size(320, 800)
    wide = {}
    visit_learner_pages(driver, live_url, lambda path: wide.update(
        {path: driver.execute_script("return document.documentElement.scrollWidth")}))
    assert {p: w for p, w in wide.items() if w > 320} == {}


def test_one_switch_scanning_reaches_and_selects_every_choice(driver, live_app, live_url):
    set_access(live_app, "Harry", method="switch1", scan_seconds="1.5")
    sign_in_learner(driver, live_url, "Harry")
    driver.get(live_url + "/activities/guess-my-job")
    tap(driver, 'form[action="/activities/guess-my-job/nurse/start"] button')
    driver.get(live_url + "/activities/guess-my-job/nurse/guess")
    expect_heading(driver, "What is my job?")
    choices = [b.get_attribute("value") for b in driver.find_elements(By.CSS_SELECTOR, ".choice button")]
    seen, deadline = [], time.time() + 1.5 * (len(choices) + 3)
    while time.time() < deadline and set(choices) - set(seen):
        value = driver.execute_script(
            "var el = document.querySelector('.scan-focus'); return el && el.value;")
        if value and (not seen or seen[-1] != value):
            seen.append(value)
        time.sleep(0.2)
    assert set(choices) <= set(seen), (choices, seen)
    # Wait for the right card, then press the switch (a USB switch sends Enter).
    deadline = time.time() + 1.5 * (len(choices) + 3)
    while time.time() < deadline:
        if driver.execute_script("var el = document.querySelector('.scan-focus'); return el && el.value;") == "nurse":
            ActionChains(driver).send_keys(Keys.ENTER).perform()
            break
        time.sleep(0.1)
    expect_heading(driver, "Well done")
