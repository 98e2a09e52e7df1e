"""The accessibility gate: every page of the app (tests/browser/site.py), for every role that
may see it, in each theme and language, passes axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules,
and its best-practice rules once per page and language: zero violations. Each page's title is
words only; in English, the same load of each page is
then walked by keyboard, shown in forced colours and laid out at 320 px (page_checks.py). The
HTML the server sent for every page the walk opened, and in English each page as its scripts
left it, goes to the W3C Nu HTML checker in one run at its end (html_check.py): zero errors.

One browser for the whole gate; each role signs in once and its cookies are put back when its
turn comes."""

import os
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By

from student_app.auth import token_hash
from student_app.db import get_db
from student_app.demo import STAFF
from tests.browser.conftest import WCAG_TAGS, axe_in_every_page, become, password_step, post, run_axe, tap
from tests.browser.html_check import nu_problems
from tests.browser.page_checks import (forced_colours_problems, keyboard_problems, reflow_problems,
                                       shared_title_problems, title_problems)
from tests.browser.site import NEW_STAFF, NO_PAGE, PAGES, REFUSED, ROLES, named_pages

pytestmark = pytest.mark.browser
THEMES = ("default", "contrast")
LANGUAGES = ("en_GB", "ar")  # English (UK), and Arabic for right to left
DIRECTION = {"en_GB": ("en-GB", "ltr"), "ar": ("ar", "rtl")}


def unlisted_pages(app):
    """GET routes with no entry in the site map, and entries naming no route."""
    pages = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    return pages - set(PAGES) - set(NO_PAGE), (set(PAGES) | set(NO_PAGE)) - endpoints


def test_every_get_route_is_in_the_site_map(live_app):
    missing, stale = unlisted_pages(live_app)
    assert not missing, f"add these pages to PAGES (or NO_PAGE) in tests/browser/site.py: {missing}"
    assert not stale, f"these entries of tests/browser/site.py name no route: {stale}"


def choose(driver, live_url, role, theme, language):
    """Give the role this theme and language, as its picker does (a learner's is kept on their
    access profile, a family's or staff member's on their account, a visitor's in the session)."""
    driver.get(live_url + "/about")
    if role == "L":
        post(driver, "/settings", {"autoplay": "off"})
    post(driver, "/preferences", {"theme": theme, "language": language})


@contextmanager
def choices_kept(app):
    """Put back every account's language, colours and access profile as they were, so that
    the tests after the gate find the demo school unchanged."""
    columns = {"learners": "access", "families": "language, theme", "staff": "language, theme"}
    with app.app_context():
        before = {table: list(get_db().query(f"SELECT id, {names} FROM {table}"))
                  for table, names in columns.items()}
    try:
        yield
    finally:
        with app.app_context():
            db = get_db()
            for table, rows in before.items():
                for row in rows:
                    db[table].update(row["id"], {k: v for k, v in row.items() if k != "id"})


@contextmanager
def two_classes(app):
    """With a second class, a school's sign-in lists its classes instead of going straight to
    the one; with a second school on the server, /sign-in first asks which school. Yields the
    second class's id (the site map's {second_class}: a move up names what happens to each)."""
    with app.app_context():
        db = get_db()
        extra = db["classes"].insert({"school_id": 1, "name": "Class 5 (Birch)"}).last_pk
        school = db["schools"].insert({"name": "Elm School"}).last_pk
        elm = db["classes"].insert({"school_id": school, "name": "Elm Class"}).last_pk
    try:
        yield extra
    finally:
        with app.app_context():
            db = get_db()
            db.execute("DELETE FROM classes WHERE id IN (?, ?)", [extra, elm])
            db.execute("DELETE FROM schools WHERE id = ?", [school])


def new_staff_password(driver, live_url, live_app):
    """A new member of staff, who has not set up two-step sign-in yet, gives their password."""
    with live_app.app_context():
        get_db().execute("UPDATE staff SET totp_secret = NULL, totp_confirmed_at = NULL WHERE email = ?",
                         [NEW_STAFF[0]])
    password_step(driver, live_url, "/staff/sign-in", *NEW_STAFF)


def set_up_two_step(driver, live_url, live_app):
    """A new member of staff sets up two-step sign-in and sees their recovery codes."""
    import pyotp

    new_staff_password(driver, live_url, live_app)
    secret = driver.find_element(By.CSS_SELECTOR, "code.code").text
    driver.find_element(By.ID, "code").send_keys(pyotp.TOTP(secret).now())
    tap(driver, "form.stacked button")


def press_on_portfolio(driver, live_url, live_app, world, form):
    driver.get(live_url + f"/staff/learners/{world['learner']}")
    tap(driver, f'form[action$="{form}"] button')
    if form == "/badges":  # a new badge voids the old one, whose page the gate visits too
        with live_app.app_context():
            get_db().execute("UPDATE badges SET voided_at = NULL WHERE secret_hash = ?", [token_hash(world["badge"])])


# "@" pages of the site map: how to reach each, and the address it shows.
ACTIONS = {
    "@two-step": (lambda d, url, app, world: password_step(d, url, "/staff/sign-in", STAFF[1][1], STAFF[1][2]),
                  "/staff/sign-in/code"),
    "@set-up": (lambda d, url, app, world: new_staff_password(d, url, app), "/staff/sign-in/set-up"),
    "@recovery-codes": (lambda d, url, app, world: set_up_two_step(d, url, app), "/staff/sign-in/set-up"),
    "@badge": (lambda d, url, app, world: press_on_portfolio(d, url, app, world, "/badges"),
               "/staff/learners/{learner}/badges"),
    "@invitation": (lambda d, url, app, world: press_on_portfolio(d, url, app, world, "/invitations"),
                    "/staff/learners/{learner}/invitations"),
    "@staff-invitation": (lambda d, url, app, world: invite_colleague(d, url, app), "/staff/school/staff/invitations"),
}


def invite_colleague(driver, live_url, live_app):
    """An admin invites a colleague; the invitation is cancelled again, so each run can make one."""
    with live_app.app_context():
        get_db().execute("UPDATE staff_invitations SET revoked_at = '2026-01-01' WHERE email = 'gate@oaktree.example'")
    driver.get(live_url + "/staff/school/staff")
    driver.find_element(By.ID, "invite-name").send_keys("Gate Visitor")
    driver.find_element(By.ID, "invite-email").send_keys("gate@oaktree.example")
    tap(driver, 'form[action$="/staff/school/staff/invitations"] button')


def open_page(driver, live_url, live_app, world, url):
    """Load a page, or do what brings an "@" page; returns the address it should show."""
    if url in ACTIONS:
        how, path = ACTIONS[url]
        how(driver, live_url, live_app, world)
        return path.format(**world)
    driver.get(live_url + url)
    return url


# One test a language and role, so that pytest-xdist can share them out (scripts/test.sh).
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_passes_axe_for_every_role_theme_and_language(browser, live_url, live_app, world, signed_in,
                                                                  recorder, tmp_path, capsys, language, role):
    missing, _stale = unlisted_pages(live_app)
    assert not missing, f"pages missing from tests/browser/site.py: {missing}"
    driver, started, cookies = browser, time.time(), signed_in
    problems, checked, walked, pages, sent, titles = [], 0, 0, set(), {}, {}
    recorder.pages.clear()
    recorder.on = True
    try:
        with choices_kept(live_app), two_classes(live_app) as second_class, axe_in_every_page(driver):
            become(driver, cookies[role])
            choose(driver, live_url, role, THEMES[0], language)
            for name, url in named_pages(role, dict(world, second_class=second_class)):
                # GATE_ONLY=/guidance checks only the pages whose address holds it
                # (while working on them; CI checks every page).
                if os.environ.get("GATE_ONLY") and os.environ["GATE_ONLY"] not in url:
                    continue
                mark = recorder.mark()
                path = open_page(driver, live_url, live_app, world, url)
                where = f"{ROLES[role]}, {language}: {path}"
                html, status = recorder.since(mark)
                # A page the site map means, not a refusal in its place (a form's 400), and
                # each refusal it shows on purpose refused.
                if status is not None and (status >= 400) != (url in REFUSED):
                    problems.append(f"{where}: answered {status}" + (
                        ", not the page itself" if status >= 400 else ", where a refusal is meant"))
                if html is None:
                    problems.append(f"{where}: the server sent no whole page to check")
                else:
                    sent[where] = html
                found = urlsplit(driver.current_url).path
                if found != urlsplit(path).path:
                    problems.append(f"{where}: went to {found} instead")
                    continue
                shown = driver.execute_script("return [document.documentElement.lang, document.documentElement.dir]")
                if tuple(shown) != DIRECTION[language]:
                    problems.append(f"{where}: lang and dir are {shown}")
                problems += title_problems(driver, where)
                titles.setdefault(driver.title, {}).setdefault(name, path)
                if language == LANGUAGES[0]:  # and the page as its scripts left it (recorder.js, ...)
                    sent[f"{where} (after its scripts)"] = driver.execute_script(
                        "return '<!DOCTYPE html>' + document.documentElement.outerHTML").encode()
                # Each page is loaded once and checked in each theme: a theme is only the
                # body's theme-* class (access.body_classes, base.html), so the page is put
                # in the next theme where it stands rather than made again.
                for theme in THEMES:
                    if theme != THEMES[0]:
                        driver.execute_script(f"document.body.classList.replace('theme-{THEMES[0]}', 'theme-{theme}')")
                    body = driver.find_element(By.TAG_NAME, "body").get_attribute("class")
                    # Print pages are made for paper: black on white whatever the theme.
                    if "passport-print" not in body and f"theme-{theme}" not in body.split():
                        problems.append(f"{where}, {theme}: not in the {theme} theme")
                    tags = WCAG_TAGS + (["best-practice"] if theme == THEMES[0] else [])
                    problems += [f"{where}, {theme}: {p}" for p in run_axe(driver, tags)]
                    checked += 1
                if language == LANGUAGES[0]:
                    # Then, on the same load, back in the first theme: by keyboard, and at
                    # 320 px (last: it leaves the text spacing on the page). The keyboard walk
                    # starts at the top of a page opened by its address, not of an "@" page,
                    # where the focus is where the form that brought it left it. The projector
                    # is the classroom's wall, with nothing on it to press or focus
                    # (tests/test_classroom.py checks it has no focusable element at all).
                    driver.execute_script(f"document.body.classList.replace('theme-{THEMES[-1]}', 'theme-{THEMES[0]}')")
                    if not url.startswith("@") and not path.endswith("/projector"):
                        problems += keyboard_problems(driver, where)
                    problems += forced_colours_problems(driver, where)
                    problems += reflow_problems(driver, where)
                    walked += 1
                pages.add(path)
                if url.startswith("@"):  # the form may have changed who is signed in
                    become(driver, cookies[role])
                    choose(driver, live_url, role, THEMES[0], language)
    finally:
        recorder.on = False
        become(driver, cookies["L"])
    problems += [f"{ROLES[role]}, {language}: {p}" for p in shared_title_problems(titles)]
    walk_ended = time.time()
    problems += nu_problems(sent, tmp_path / "pages")
    seconds = time.time() - started
    with capsys.disabled():
        print(f"\nAccessibility gate, {ROLES[role]}, {language}: {checked} checks ({len(pages)} pages x "
              f"{len(THEMES)} themes), {walked} pages by keyboard, in forced colours and at 320 px, "
              f"{len(sent)} by the Nu HTML checker ({time.time() - walk_ended:.0f} s), in {seconds:.0f} s")
    assert checked or os.environ.get("GATE_ONLY"), f"no page checked for {ROLES[role]}"
    assert not problems, "\n".join(problems)


def test_the_gate_finds_a_violation(browser):
    """The gate's axe run reports what it should: a picture without words, and a WCAG 2.2 rule
    (a target too small), so a gate with zero violations means something."""
    browser.get("data:text/html,<!doctype html><html lang='en'><title>x</title><main>"
                "<img src='x.png'><button style='width:10px;height:10px;padding:0;border:0'>a</button>"
                "<button style='width:10px;height:10px;padding:0;border:0'>b</button></main></html>")
    found = " ".join(run_axe(browser))
    assert "image-alt" in found and "target-size" in found


def test_the_walks_find_a_page_without_a_skip_link_and_one_too_wide(browser):
    """The keyboard and 320 px checks that follow axe in English report what they should."""
    browser.get("data:text/html,<!doctype html><html lang='en'><title>x</title><main id='main'>"
                "<a href='/a' style='outline:none'>a</a><div style='width:600px'>wide</div>"
                "<p style='overflow:hidden;height:1em;width:4em;white-space:nowrap'>words that do not fit</p></main></html>")
    keyboard = " ".join(keyboard_problems(browser, "here"))
    assert "the first Tab does not show the skip link" in keyboard
    reflow = " ".join(reflow_problems(browser, "here"))
    assert "scrolls sideways at 320 px (" in reflow and "text cut off" in reflow
    assert browser.execute_script("return window.innerWidth") == 1024  # back at tablet size


def test_the_checks_find_markup_in_a_title_spilt_and_covered_text_hidden_states_and_bad_html(browser, tmp_path):
    """issue 20: each check axe does not make reports what it should."""
    browser.get("data:text/html,<!doctype html><html lang='en'><title>&lt;b&gt;Home</title><body style='background:%23fff'>"
                "<main id='main'><button style='width:40px;font-size:20px'>Passport</button>"
                "<p style='position:relative'>Words under a link <a href='/x' style='position:absolute;left:0;top:0'>"
                "Go</a></p><img src='/symbols/x' alt='' width='40' height='40'>"
                "<button aria-pressed='true'>English</button><button aria-pressed='false'>Polski</button>"
                "</main></body></html>")
    assert "the title holds markup: '<b>Home'" in " ".join(title_problems(browser, "here"))
    forced = " ".join(forced_colours_problems(browser, "here"))
    assert "a state looks the same on and off" in forced and "1 symbols on a dark ground" in forced
    reflow = " ".join(reflow_problems(browser, "here"))
    assert "text over the edge of its box" in reflow and "<button" in reflow
    assert '<a href="/x"' in reflow and 'covers "Words under a link"' in reflow
    nu = " ".join(nu_problems({"here": b"<!doctype html><html lang='en'><title>x</title><span><div>a</div></span>"
                                       b"<select required><option value='a'>A</option></select></html>"}, tmp_path))
    assert "here: not valid HTML" in nu and "“div” not allowed as child of element “span”" in nu
    assert "must have either an empty “value” attribute" in nu
    shared = shared_title_problems({"Chef - My Career Steps": {"behalf.job_card": "/staff/learners/2/a/chef",
                                                              "preview.job_card": "/staff/preview/2/a/chef"},
                                    "Class session - My Career Steps": {"classroom.session": "/sessions/1"}})
    assert shared == ["/staff/learners/2/a/chef and /staff/preview/2/a/chef: one title for different pages: "
                      "'Chef - My Career Steps'"]
