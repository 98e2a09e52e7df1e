"""Access by script on the pages of the site map (tests/browser/site.py): target sizes, the dark
theme with symbols only, switch scanning with one and two switches, keyboard journeys, and what
an htmx swap announces. axe-core, and the walk of every page by keyboard and at 320 px, run in
test_gate.py (tests/browser/page_checks.py), which loads each page once for all of them."""

import json
import time

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from student_app.db import get_db
from tests.browser.conftest import (
    assert_accessible, axe_in_every_page, become, expect_heading, focus_and_press, post, sign_in_learner, tab_to, tap, wait_for,
)
from tests.browser.site import LEARNER, ROLES, pages_for

pytestmark = pytest.mark.browser
# Pages a learner uses before signing in.
LEARNER_SIGN_IN = ["/sign-in/class/{class_id}", "/sign-in/learner/{learner}"]


def set_access(live_app, name, **options):
    with live_app.app_context():
        get_db().execute("UPDATE learners SET access = ? WHERE name = ?", [json.dumps(options), name])


def learner_pages(world):
    return pages_for("L", world) + [url.format(**world) for url in LEARNER_SIGN_IN]


@pytest.fixture
def learner_access(live_app):
    """Set the site map's learner's access profile for one test, and put it back after."""
    yield lambda **options: set_access(live_app, LEARNER, **options)
    set_access(live_app, LEARNER)


def test_learner_pages_pass_axe_in_the_dark_theme_with_symbols_only(browser, live_url, signed_in, world,
                                                                     learner_access):
    learner_access(theme="dark", display="symbols")
    become(browser, signed_in["L"])
    with axe_in_every_page(browser):
        for url in learner_pages(world):
            browser.get(live_url + url)
            body = browser.find_element(By.TAG_NAME, "body").get_attribute("class")
            assert "theme-dark" in body or "passport-print" in body  # print pages are for paper
            assert_accessible(browser)


TARGETS = """
return Array.from(document.querySelectorAll('a[href], button, input, select, textarea, summary'))
  .filter(el => el.offsetParent !== null && !el.closest('.skip-link') && el.type !== 'hidden')
  .map(el => { const r = (el.closest('label') || el).getBoundingClientRect();
               return [el.outerHTML.slice(0, 80), Math.round(r.width), Math.round(r.height)]; })
  .filter(([, w, h]) => w < 44 || h < 44);
"""


def test_every_target_on_learner_pages_is_at_least_44_px(browser, live_url, signed_in, world):
    become(browser, signed_in["L"])
    small = {}
    for url in learner_pages(world):
        browser.get(live_url + url)
        small[url] = browser.execute_script(TARGETS)
    assert not any(small.values()), {p: s for p, s in small.items() if s}


def test_a_learner_adds_a_passport_page_and_changes_settings_by_keyboard_alone(browser, live_url, signed_in):
    become(browser, signed_in["L"])
    browser.get(live_url + "/home")
    focus_and_press(browser, 'a.tile[href="/passport"]')
    focus_and_press(browser, 'a[href="/passport/new"]')
    expect_heading(browser, "What kind of experience was it?")

    # One question a screen (the whole walk is in test_passport_pages.py): a picture, then words.
    focus_and_press(browser, 'button[name="choice"][value="employer"]', limit=80)
    expect_heading(browser, "Where was it?")
    tab_to(browser, "#words")
    ActionChains(browser).send_keys("We visited a bakery").perform()
    focus_and_press(browser, 'button[value="skip"]')
    expect_heading(browser, "When was it?")
    browser.get(live_url + "/passport/new/save")
    focus_and_press(browser, 'button[value="save"]', limit=80)
    assert "Meeting an employer: We visited a bakery" in browser.find_element(By.ID, "main").text

    browser.get(live_url + "/settings")
    tab_to(browser, 'input[name="text_size"][value="normal"]')
    ActionChains(browser).send_keys(Keys.ARROW_RIGHT).perform()
    focus_and_press(browser, "form.passport-form button.big-button")
    expect_heading(browser, "My settings")
    assert browser.find_element(By.CSS_SELECTOR, 'input[name="text_size"][value="large"]').is_selected()
    assert "text-size-large" in browser.find_element(By.TAG_NAME, "body").get_attribute("class")
    tab_to(browser, 'input[name="text_size"][value="large"]')
    ActionChains(browser).send_keys(Keys.ARROW_LEFT).perform()
    focus_and_press(browser, "form.passport-form button.big-button")
    assert "text-size-normal" in browser.find_element(By.TAG_NAME, "body").get_attribute("class")


# Every element a switch should reach, as this test sees it (scan.js has its own list): each
# button, link and tick box of the page and the top menu, not listen buttons nor text fields.
SWITCHABLE = """
const can = 'a[href]:not(.listen), button, input[type=radio], input[type=checkbox], summary';
const all = [...document.querySelectorAll('main :is(' + can + ')'),
             ...document.querySelectorAll('header nav :is(' + can + ')')]
  .filter(el => !el.disabled && el.offsetParent !== null);
all.forEach((el, n) => el.dataset.switchTest = n);
window.reached = [];
window.selected = [];
new MutationObserver(changes => changes.forEach(c => {
  if (c.target.classList.contains('scan-focus') && c.target.dataset.switchTest !== undefined)
    window.reached.push(Number(c.target.dataset.switchTest));
})).observe(document.body, {subtree: true, attributes: true, attributeFilter: ['class']});
// Record what the switch selects, and stay on the page (a tick box still ticks).
window.addEventListener('click', e => {
  const el = e.target.closest('[data-switch-test]');
  if (!el) return;
  window.selected.push(Number(el.dataset.switchTest));
  if (el.tagName !== 'INPUT') { e.preventDefault(); e.stopImmediatePropagation(); }
}, true);
return all.length;
"""
# The switch: USB switch interfaces send a key press. Pressed here when the highlight reaches
# the element, so a short interval cannot make the test miss its moment.
PRESS_WHEN_REACHED = """
const [target, done] = arguments;
const wait = setInterval(() => {
  const on = document.querySelector('.scan-focus');
  if (on && Number(on.dataset.switchTest) === target) {
    clearInterval(wait);
    on.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true, cancelable: true}));
    setTimeout(() => done(window.selected.slice(-1)[0]), 20);
  }
}, 10);
"""


def test_one_switch_scanning_reaches_and_selects_everything_on_each_learner_page(
        browser, live_url, signed_in, world, learner_access):
    learner_access(method="switch1", scan_seconds="1.5")
    become(browser, signed_in["L"])
    problems, checked = [], 0
    # Faster intervals than any learner's, for the test's sake (scan.js reads the interval at
    # each start): every highlight is recorded as it happens (SWITCHABLE's observer), and a
    # press is sent within 10 ms of the highlight's arrival (PRESS_WHEN_REACHED), well inside
    # the interval.
    reach, select = "0.03", "0.4"
    for url in pages_for("L", world):
        browser.get(live_url + url)
        if "passport-print" in browser.find_element(By.TAG_NAME, "body").get_attribute("class"):
            continue  # the print page is for paper
        count = browser.execute_script(SWITCHABLE)
        shown = browser.execute_script("return document.querySelector('main').innerText")
        browser.execute_script(f"document.body.dataset.scanSeconds = '{reach}'; window.switchScan.restart()")
        deadline = time.time() + float(reach) * count + 3
        while time.time() < deadline and len(set(browser.execute_script("return window.reached"))) < count:
            time.sleep(0.05)
        reached = set(browser.execute_script("return window.reached"))
        if reached != set(range(count)):
            problems.append(f"{url}: the scan never reached {sorted(set(range(count)) - reached)}")
        if browser.execute_script("return document.querySelector('main').innerText") != shown:
            problems.append(f"{url}: scanning changed what the page shows")
        browser.execute_script(f"document.body.dataset.scanSeconds = '{select}'")
        browser.set_script_timeout(10)
        for target in range(count):
            chosen = browser.execute_async_script(PRESS_WHEN_REACHED, target)
            if chosen != target:
                problems.append(f"{url}: the switch on element {target} selected {chosen}")
        checked += 1
    browser.set_script_timeout(20)
    assert checked >= 15
    assert not problems, "\n".join(problems)


def test_two_switch_step_scanning_moves_with_one_and_selects_with_the_other(
        browser, live_url, signed_in, learner_access):
    learner_access(method="switch2")
    become(browser, signed_in["L"])
    browser.get(live_url + "/settings")
    count = browser.execute_script(SWITCHABLE)
    on = lambda: browser.execute_script("return Number(document.querySelector('.scan-focus').dataset.switchTest)")
    assert on() == 0
    time.sleep(2.5)  # step-scan waits for the learner: no timer moves it
    assert on() == 0
    for step in range(1, count + 1):
        ActionChains(browser).send_keys(Keys.SPACE).perform()
        assert on() == step % count
    # Move to "Large" text and select it with the other switch: the radio button is ticked.
    large = int(browser.find_element(By.CSS_SELECTOR, 'input[name="text_size"][value="large"]').get_attribute("data-switch-test"))
    for _ in range(large):
        ActionChains(browser).send_keys(Keys.SPACE).perform()
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert browser.find_element(By.CSS_SELECTOR, 'input[name="text_size"][value="large"]').is_selected()
    wait_for(browser, lambda d: on() == large + 1)  # the scan goes on from the next card
    # On a page that moves on, the select switch really follows the highlighted link.
    browser.get(live_url + "/home")
    expect_heading(browser, "What would you like to do?")
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    wait_for(browser, lambda d: "/home" not in d.current_url)


def test_scanning_starts_after_signing_in_and_stops_at_a_touch(browser, live_url, learner_access):
    learner_access(method="switch1", scan_seconds="1.5")
    browser.delete_all_cookies()
    sign_in_learner(browser, live_url, LEARNER)  # htmx brings the home page: no page load
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".scan-focus"))
    ActionChains(browser).move_to_element(browser.find_element(By.TAG_NAME, "h1")).click().perform()
    assert not browser.find_elements(By.CSS_SELECTOR, ".scan-focus")
    time.sleep(2)
    assert not browser.find_elements(By.CSS_SELECTOR, ".scan-focus"), "the scan went on after a touch"


def test_an_htmx_swap_announces_what_changed(driver, live_url):
    sign_in_learner(driver, live_url, "Dylan")  # Group 2: four cards, so three wrong ones
    driver.get(live_url + "/activities/guess-my-job")
    post(driver, "/activities/guess-my-job/firefighter/start", {})  # one job, not the next
    driver.get(live_url + "/activities/guess-my-job/firefighter/guess")
    expect_heading(driver, "What is my job?")
    driver.execute_script("""window.said = [];
        const announcer = document.getElementById('announcer');
        new MutationObserver(() => window.said.push(announcer.textContent))
          .observe(announcer, {childList: true, characterData: true, subtree: true});""")
    for _ in range(2):  # the same words twice are read out twice: emptied in between
        wrong = next(b.get_attribute("value") for b in driver.find_elements(By.CSS_SELECTOR, 'button[name="job"]')
                     if b.get_attribute("value") != "firefighter" and b.is_enabled())
        tap(driver, f'button[value="{wrong}"]')  # htmx swaps only the #guess part of the page
        # The focus moves once htmx has settled the new content, a moment after the swap.
        wait_for(driver, lambda d: d.execute_script("return document.activeElement.closest('#guess') !== null"),
                 timeout=3)
    wait_for(driver, lambda d: len([t for t in d.execute_script("return window.said") if t]) == 2)
    said = driver.execute_script("return window.said")
    assert [t for t in said if t] == ["Not this one. Have another go! What is my job?"] * 2, said
    assert said.index("") < len(said) - 1, said
    assert driver.find_element(By.ID, "announcer").get_attribute("aria-live") == "polite"


def test_a_warning_before_the_idle_sign_out_lets_a_learner_stay(driver, live_url):
    """WCAG 2.2.1: the idle sign-out warns first and can be put off with one press."""
    sign_in_learner(driver, live_url, "Grace")
    # Twelve seconds of idle time instead of fifteen minutes: the warning comes after six,
    # which leaves axe-core six seconds to check it even on a busy machine.
    driver.execute_script("document.getElementById('sign-out').setAttribute('data-idle-minutes', '0.2');"
                          "document.dispatchEvent(new KeyboardEvent('keydown'));")
    warning = driver.find_element(By.ID, "idle-warning")
    wait_for(driver, lambda d: warning.is_displayed(), timeout=12)
    stay = warning.find_element(By.TAG_NAME, "button")
    assert driver.switch_to.active_element == stay
    assert_accessible(driver)
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    assert not warning.is_displayed()
    time.sleep(7)  # past the time the first countdown would have signed out
    assert "/home" in driver.current_url
    driver.get(live_url + "/home")
    expect_heading(driver, "What would you like to do?")


# Count the times a page's audio is paused.
COUNT_STOPS = """window.stopped = 0;
const pause = HTMLMediaElement.prototype.pause;
HTMLMediaElement.prototype.pause = function () { window.stopped += 1; return pause.call(this); };"""


def test_narration_that_starts_by_itself_can_be_stopped(driver, live_url):
    """WCAG 1.4.2: Escape, or the listen button that is playing, stops the narration."""
    sign_in_learner(driver, live_url, "Amira")
    ways = {"Escape": lambda: ActionChains(driver).send_keys(Keys.ESCAPE).perform(),
            "the listen button": lambda: driver.find_element(By.CSS_SELECTOR, "a.listen.playing").click()}
    for way, stop in ways.items():
        driver.get(live_url + "/home")  # her narration starts by itself on each page
        driver.execute_script(COUNT_STOPS)
        wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, "a.listen.playing"))
        stop()
        assert driver.execute_script("return window.stopped") == 1, way
        assert not driver.find_elements(By.CSS_SELECTOR, "a.listen.playing"), way
