"""The accessibility gate: every page of the app (tests/browser/site.py), for every role that
may see it, in each theme and language, passes axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules,
and its best-practice rules once per page and language: zero violations.

One browser for the whole gate; each role signs in once and its cookies are put back when its
turn comes."""

import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By

from student_app.db import get_db
from student_app.demo import FAMILY, STAFF
from tests.browser.conftest import (
    WCAG_TAGS, expect_heading, run_axe, sign_in_learner, staff_sign_in, tap,
)
from tests.browser.site import LEARNER, NEW_STAFF, NO_PAGE, PAGES, ROLES, pages_for

pytestmark = pytest.mark.browser
THEMES = ("default", "contrast")
LANGUAGES = ("en_GB",)


def unlisted_pages(app):
    """GET routes with no entry in the site map, and entries naming no route."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    return endpoints - set(PAGES) - set(NO_PAGE), (set(PAGES) | set(NO_PAGE)) - endpoints


def test_every_get_route_is_in_the_site_map(live_app):
    missing, stale = unlisted_pages(live_app)
    assert not missing, f"add these pages to PAGES (or NO_PAGE) in tests/browser/site.py: {missing}"
    assert not stale, f"these entries of tests/browser/site.py name no route: {stale}"


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


def become(driver, cookies):
    driver.delete_all_cookies()
    for cookie in cookies:
        driver.add_cookie(cookie)


def post(driver, path, fields):
    """Send a form from the page, with its CSRF token, as a browser would."""
    status = driver.execute_async_script(
        """const [path, fields, done] = arguments;
        const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
        const body = new URLSearchParams(Object.assign({csrf_token: token}, fields));
        fetch(path, {method: 'POST', body, redirect: 'manual'}).then(r => done(r.status), e => done(String(e)));""",
        path, fields)
    assert status in (0, 200, 204, 302, 303), (path, fields, status)


def choose(driver, live_url, role, theme, language):
    """Switch the role's theme; False where the role cannot have it."""
    if role != "L":
        return theme == "default"
    driver.get(live_url + "/about")
    post(driver, "/settings", {"theme": theme, "autoplay": "off"})
    return True


@contextmanager
def two_classes(app):
    """With a second class, /sign-in lists the classes instead of going straight to the one."""
    with app.app_context():
        extra = get_db()["classes"].insert({"school_id": 1, "name": "Class 5 (Birch)"}).last_pk
    try:
        yield
    finally:
        with app.app_context():
            get_db().execute("DELETE FROM classes WHERE id = ?", [extra])


def open_page(driver, live_url, url):
    """Load a page; the two-step pages need the password step first."""
    if url == "@two-step":
        driver.delete_all_cookies()
        password_step(driver, live_url, "/staff/sign-in", STAFF[1][1], STAFF[1][2])
        return "/staff/sign-in/code"
    if url == "@set-up":
        driver.delete_all_cookies()
        password_step(driver, live_url, "/staff/sign-in", *NEW_STAFF)
        return "/staff/sign-in/set-up"
    driver.get(live_url + url)
    return url


def test_every_page_passes_axe_for_every_role_theme_and_language(browser, live_url, live_app, world, capsys):
    missing, _stale = unlisted_pages(live_app)
    assert not missing, f"pages missing from tests/browser/site.py: {missing}"
    driver, started = browser, time.time()
    driver.set_window_size(1024, 768)
    cookies = {role: sign_in(driver, live_url, live_app, role) for role in ROLES if role != "O"}
    cookies["O"] = []
    problems, checked, pages = [], 0, set()
    try:
        with two_classes(live_app):
            for language in LANGUAGES:
                for theme in THEMES:
                    for role in ROLES:
                        become(driver, cookies[role]) if role != "O" else driver.delete_all_cookies()
                        if not choose(driver, live_url, role, theme, language):
                            continue
                        for url in pages_for(role, world):
                            path = open_page(driver, live_url, url)
                            where = f"{ROLES[role]}, {theme}, {language}: {path}"
                            found = urlsplit(driver.current_url).path
                            if found != path:
                                problems.append(f"{where}: went to {found} instead")
                                continue
                            body = driver.find_element(By.TAG_NAME, "body").get_attribute("class")
                            # Print pages are made for paper: black on white whatever the theme.
                            if role == "L" and "passport-print" not in body:
                                assert f"theme-{theme}" in body, where
                            tags = WCAG_TAGS + (["best-practice"] if theme == THEMES[0] else [])
                            problems += [f"{where}: {p}" for p in run_axe(driver, tags)]
                            checked += 1
                            pages.add(path)
                            if url.startswith("@"):
                                driver.delete_all_cookies()
    finally:
        become(driver, cookies["L"])
        choose(driver, live_url, "L", "default", LANGUAGES[0])
    seconds = time.time() - started
    with capsys.disabled():
        print(f"\nAccessibility gate: {checked} checks ({len(pages)} pages, for each role that may see "
              f"them, x {len(THEMES)} themes x {len(LANGUAGES)} languages) in {seconds:.0f} s")
    assert not problems, "\n".join(problems)
