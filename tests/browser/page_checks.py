"""Checks of a loaded page beyond axe-core, made where the accessibility gate (test_gate.py)
already stands on the page, so each page of the site map is loaded once for all of them: by
keyboard alone (a skip link first, a visible focus at every stop, no trap) and at 320 CSS px
with the WCAG 1.4.12 text spacing (no sideways scroll, no text cut off). Each returns the
problems it found, as words."""

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import TABLET

# The focused element, and whether its focus can be seen (an outline or a ring of shadow, on
# it or on the picture card around it).
FOCUSED = """
const el = document.activeElement;
if (!el || el === document.body) return null;
const seen = e => { const s = getComputedStyle(e);
  return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none'; };
const card = el.closest('.check-card');
// In a date field, Chrome's own calendar button (inside the field) can hold the focus: the
// field then is not :focus, and the button's ring (styled in app.css) is out of reach here.
const picker = /^(date|month)$/.test(el.type) && !el.matches(':focus');
return [el.outerHTML.slice(0, 90), picker || seen(el) || (card !== null && seen(card)),
        el.classList.contains('skip-link'), el.getBoundingClientRect().top >= 0];
"""
# Where the focus goes, Tab after Tab: each focus is written down (as FOCUSED says it) when it
# happens, so that a page's Tabs go in one keyboard action and are read back once. Date fields
# take four Tabs (day, month, year, calendar button); a player several.
RECORD_FOCUS = ("window.focusSeen = [];"
                "document.addEventListener('focusin', () => window.focusSeen.push((function () {"
                + FOCUSED + "})()), true);"
                "return document.querySelectorAll('a[href], button:not([disabled]), input:not([type=hidden]),"
                " select, textarea, summary, [tabindex]:not([tabindex=\"-1\"])').length"
                " + 4 * document.querySelectorAll('input[type=date], input[type=month], audio[controls]').length")


def keyboard_problems(driver, where):
    """Tab from the top of the page all the way round: the first stop is the skip link, in
    view; every stop shows its focus; Tab comes back to the start (no trap); and the skip link
    takes the focus to the main content. The page keeps its hash (#main) afterwards."""
    stops = driver.execute_script(RECORD_FOCUS)
    ActionChains(driver).send_keys(Keys.TAB * (stops + 4)).perform()
    seen = driver.execute_script("return window.focusSeen")
    first = seen[0] if seen else None
    if not first or not first[2] or not first[3]:
        return [f"{where}: the first Tab does not show the skip link ({first})"]
    problems = []
    for focused in seen[1:]:
        if focused is None or focused[2]:
            break  # back at the start: Tab went all the way round
        if not focused[1]:
            problems.append(f"{where}: no visible focus on {focused[0]}")
    else:
        problems.append(f"{where}: Tab never came back round (a keyboard trap?)")
    driver.execute_script("document.querySelector('.skip-link').focus()")
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    if driver.execute_script("return document.activeElement.id") != "main":
        problems.append(f"{where}: the skip link does not move the focus to the main content")
    return problems


# 320 CSS px is 1280 px at 400% zoom (WCAG 1.4.10); then the 1.4.12 spacing a reader may set,
# as the usual bookmarklet sets it. Text cut off: a box that hides its overflow and holds more
# than it shows (not the visually hidden texts, which are meant to be one pixel).
REFLOW = """
const wide = [window.innerWidth, document.documentElement.scrollWidth];
const style = document.createElement('style');
style.textContent = `* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
  word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }`;
document.head.appendChild(style);
wide.push(document.documentElement.scrollWidth);
const cut = Array.from(document.querySelectorAll('body *')).filter(el => {
  if (el.offsetParent === null || el.closest('.visually-hidden, .skip-link')) return false;
  const s = getComputedStyle(el);
  if (s.position === 'absolute' && s.clip !== 'auto') return false;
  const hides = v => v === 'hidden' || v === 'clip';
  return (hides(s.overflowY) && el.scrollHeight > el.clientHeight + 1)
      || (hides(s.overflowX) && el.scrollWidth > el.clientWidth + 1);
}).map(el => el.outerHTML.slice(0, 100));
return [wide, cut];
"""


def reflow_problems(driver, where):
    """At 320 CSS px the page does not scroll sideways, nor with the text spacing on top, and
    no text is cut off. The spacing stays on the page, and the window goes back to tablet size:
    load a page afresh after this."""
    driver.set_window_size(320, 800)
    try:
        (inner, width, spaced), cut = driver.execute_script(REFLOW)
    finally:
        driver.set_window_size(*TABLET)
    problems = [] if inner == 320 else [f"{where}: the window is {inner} px wide, not 320"]
    if width > 320:
        problems.append(f"{where}: scrolls sideways at 320 px ({width} px wide)")
    if spaced > 320:
        problems.append(f"{where}: scrolls sideways at 320 px with text spacing ({spaced} px wide)")
    problems += [f"{where}: text cut off at 320 px with text spacing: {each}" for each in cut]
    return problems
