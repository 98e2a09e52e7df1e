"""One live server and one headless Chromium shared by every browser test."""

import json
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from student_app import create_app
from student_app.db import get_db, migrate
from student_app.demo import FAMILY, LEARNERS, STAFF, load_demo
from tests.browser.html_check import PageRecorder
from tests.browser.site import LEARNER, ROLES, end_world, make_world

AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe.min.js"
TABLET = (1024, 768)

# Selenium Manager must not try the network: the driver is given explicitly.
os.environ.setdefault("SE_OFFLINE", "true")
os.environ.setdefault("SE_AVOID_STATS", "true")


def find_program(*names):
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(f"None of {names} is installed; scripts/test.sh installs them.")


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("live")
    os.environ["STUDENT_APP_INSTANCE"] = str(folder)
    app = create_app({"DATABASE": str(folder / "live.sqlite3"), "AUDIO_DIR": str(folder / "audio")})
    with app.app_context():
        migrate(get_db())
        load_demo(get_db())
    return app


@pytest.fixture(scope="session")
def recorder(live_app):
    """What the live server sends, kept while the accessibility gate turns it on (html_check.py)."""
    return PageRecorder(live_app.wsgi_app)


@pytest.fixture(scope="session")
def live_url(live_app, recorder):
    live_app.wsgi_app = recorder
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


# Chromium's headless shell (Debian's chromium-headless-shell), where it is installed: made for
# automated tests, it takes about a fifth less CPU a page than the full browser, which matters
# on two cores. The program itself, not /usr/bin's wrapper script, which does not exec it: the
# driver could not then stop the browser it started.
HEADLESS_SHELL = Path("/usr/lib/chromium/chromium-headless-shell")


def make_driver(javascript=True, flags=()):
    options = webdriver.ChromeOptions()
    shell = HEADLESS_SHELL.is_file() and os.access(HEADLESS_SHELL, os.X_OK)
    options.binary_location = str(HEADLESS_SHELL) if shell else find_program("chromium", "chromium-browser")
    for flag in (() if shell else ("--headless=new",)) + (
                 "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
                 f"--window-size={TABLET[0]},{TABLET[1]}", *flags):
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    service = Service(find_program("chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_script_timeout(20)
    return driver


@pytest.fixture(scope="session")
def browser():
    driver = make_driver()
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def plain_browser():
    """A second shared browser, with JavaScript off: every learner screen must work in it."""
    driver = make_driver(javascript=False)
    yield driver
    driver.quit()


def signed_out(browser, live_url):
    """A shared browser, signed out and at tablet size, for the next test. Windows an earlier
    test left open are closed: a projector still polling would set the session cookie of this
    test's sign-in (both windows share it) and so void the sign-in form's token."""
    first, *others = browser.window_handles
    for handle in others:
        browser.switch_to.window(handle)
        browser.close()
    browser.switch_to.window(first)
    browser.set_window_size(*TABLET)
    browser.get(live_url + "/about")
    browser.delete_all_cookies()
    return browser


@pytest.fixture
def plain_driver(plain_browser, live_url):
    """The shared browser without JavaScript, signed out and at tablet size."""
    return signed_out(plain_browser, live_url)


@pytest.fixture
def driver(browser, live_url):
    """The shared browser, signed out and at tablet size."""
    return signed_out(browser, live_url)


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_VERSION = "4.14"


def run_axe(driver, tags=WCAG_TAGS):
    """axe-core's violations on the current page, for the given rule tags: axe-selenium-python's
    Axe with the vendored axe-core 4 (the one it bundles is 3.1, without WCAG 2.2's rules)."""
    axe = Axe(driver, script_url=str(AXE_SCRIPT))
    if not driver.execute_script("return !!window.axe"):
        axe.inject()
    # Asking for violations only makes a run several times faster than collecting passes too.
    # Axe.run takes its options as JSON text; a rejected run gives no answer (None).
    results = axe.run(options=json.dumps({"runOnly": {"type": "tag", "values": list(tags)},
                                          "resultTypes": ["violations"]}))
    assert results, "axe-core gave no results (a rejected run: an unknown rule tag?)"
    assert results["testEngine"]["version"].startswith(AXE_VERSION), results["testEngine"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in results["violations"]
    ]


@contextmanager
def axe_in_every_page(driver):
    """axe-core put into each page as Chrome loads it (Page.addScriptToEvaluateOnNewDocument),
    for a walk that checks page after page: run_axe finds it there rather than sending half a
    megabyte of script over WebDriver after each load (a tenth of a second a page)."""
    added = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": AXE_SCRIPT.read_text()})
    try:
        yield
    finally:
        driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": added["identifier"]})


def assert_accessible(driver, tags=WCAG_TAGS):
    """Run axe-core 4 with the WCAG 2.0, 2.1 and 2.2 A and AA rules; no violation may remain."""
    problems = run_axe(driver, tags)
    assert not problems, f"{driver.current_url}:\n" + "\n".join(problems)


def code_of(name):
    return next(code for learner, _, code, *_ in LEARNERS if learner == name)


def wait_for(driver, condition, timeout=10):
    """Wait for a condition, riding over the moment when htmx swaps the element away."""
    return WebDriverWait(
        driver, timeout, ignored_exceptions=[StaleElementReferenceException, NoSuchElementException]
    ).until(condition)


def heading(driver):
    return wait_for(driver, lambda d: d.find_element(By.TAG_NAME, "h1").text)


def expect_heading(driver, words):
    """Wait until the page's main heading holds `words` (a swap may still be landing)."""
    try:
        wait_for(driver, lambda d: words in d.find_element(By.TAG_NAME, "h1").text)
    except TimeoutException:
        pytest.fail(f"expected a heading with {words!r}, found {heading(driver)!r}")


def tap(driver, css):
    """Click an element and wait for the page or fragment it brings. A page that polls (the
    teacher's control page) may swap the element between finding and clicking it: then it is
    found again, as a person would tap the button they now see."""
    for attempt in range(3):
        element = wait_for(driver, ec.element_to_be_clickable((By.CSS_SELECTOR, css)))
        try:
            element.click()
            break
        except StaleElementReferenceException:
            if attempt == 2:
                raise
    wait_for(driver, lambda d: gone(element))


def gone(element):
    """Whether the element has left the page. While a whole new page loads (JavaScript off),
    Chromium may answer "Node ... does not belong to the document" instead of "stale"."""
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as problem:
        if "does not belong to the document" in str(problem):
            return True
        raise
    return False


def sign_in_learner(driver, live_url, name, check=lambda: None):
    driver.get(live_url + "/sign-in")
    expect_heading(driver, "Who are you?")
    check()
    driver.find_element(By.LINK_TEXT, name).click()
    for number, pick in enumerate(code_of(name), start=1):
        expect_heading(driver, f"Tap picture {number} of 3")
        if number == 1:
            check()
        tap(driver, f'button[value="{pick}"]')
    wait_for(driver, ec.url_contains("/home"))


def focus_and_press(driver, css, limit=60):
    """Press Tab until the element matching css has focus, then Enter: keyboard only."""
    for _ in range(limit):
        active = driver.switch_to.active_element
        if active.get_attribute("outerHTML") and driver.execute_script(
            "return document.activeElement.matches(arguments[0])", css
        ):
            outline = driver.execute_script(
                "return getComputedStyle(document.activeElement).outlineStyle"
            )
            assert outline != "none", f"no visible focus on {css}"
            old = driver.find_element(By.TAG_NAME, "h1")
            active.send_keys(Keys.ENTER)
            wait_for(driver, lambda d: gone(old))
            return
        # Keys go to the page, not to an element: a file field would take them as a path.
        ActionChains(driver).send_keys(Keys.TAB).perform()
    pytest.fail(f"Tab never reached {css}")


def tab_to(driver, css, limit=80):
    """Press Tab until the element matching css has focus (keyboard only), without pressing it."""
    for _ in range(limit):
        if driver.execute_script("return document.activeElement.matches(arguments[0])", css):
            return
        ActionChains(driver).send_keys(Keys.TAB).perform()
    pytest.fail(f"Tab never reached {css}")


def staff_sign_in(driver, live_url, live_app, account):
    """Email, password, then the two-step code, as a member of staff types them."""
    import pyotp

    _, email, password, _ = account
    driver.get(live_url + "/staff/sign-in")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    tap(driver, "form.stacked button")
    expect_heading(driver, "Your sign-in code")
    assert_accessible(driver)
    with live_app.app_context():
        db = get_db()
        db.execute("UPDATE staff SET totp_last_step = 0 WHERE email = ?", [email])
        secret = db.execute("SELECT totp_secret FROM staff WHERE email = ?", [email]).fetchone()[0]
    driver.find_element(By.ID, "code").send_keys(pyotp.TOTP(secret).now())
    tap(driver, "form.stacked button")
    expect_heading(driver, "Learners")


@pytest.fixture(scope="session")
def world(live_app):
    """Demo data behind every page of the site map (tests/browser/site.py)."""
    found = make_world(live_app)
    yield found
    end_world(live_app, found)


def password_step(driver, live_url, path, email, password):
    """Type an email and password, as the first of the two steps of a staff sign-in."""
    driver.get(live_url + path)
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    tap(driver, "form.stacked button")


def sign_in(driver, live_url, live_app, role):
    """Sign in as `role` and return the cookies that say so."""
    driver.get(live_url + "/about")
    driver.delete_all_cookies()
    if role == "L":
        sign_in_learner(driver, live_url, LEARNER)
    elif role == "F":
        password_step(driver, live_url, "/family/sign-in", FAMILY[1], FAMILY[2])
        expect_heading(driver, "My children")
    elif role in "SA":
        staff_sign_in(driver, live_url, live_app, STAFF[0] if role == "A" else STAFF[1])
    return driver.get_cookies()


@pytest.fixture(scope="module")
def signed_in(browser, live_url, live_app, world):
    """Each role's cookies, signed in once a module (a learner's sign-in lasts 15 idle minutes)."""
    browser.set_window_size(*TABLET)
    cookies = {role: sign_in(browser, live_url, live_app, role) for role in ROLES if role != "O"}
    return dict(cookies, O=[])


def become(driver, cookies):
    """Be the role these cookies sign in (none: signed out)."""
    driver.delete_all_cookies()
    for cookie in cookies:
        driver.add_cookie(cookie)


def post(driver, path, fields):
    """Send a form from the page, with its CSRF token, as a browser would."""
    status = driver.execute_async_script(
        """const [path, fields, done] = arguments;
        const token = JSON.parse(document.body.getAttribute('data-hx-headers'))['X-CSRFToken'];
        const body = new URLSearchParams(Object.assign({csrf_token: token}, fields));
        fetch(path, {method: 'POST', body, redirect: 'manual'}).then(r => done(r.status), e => done(String(e)));""",
        path, fields)
    assert status in (0, 200, 204, 302, 303), (path, fields, status)
