"""Checks of a loaded page beyond axe-core, made where the accessibility gate (test_gate.py)
already stands on the page, so each page of the site map is loaded once for all of them: its
title (words only), by keyboard alone (a skip link first, a visible focus at every stop, no
trap), in forced colours (every state still seen, symbols on a light ground) and at 320 CSS px
with the WCAG 1.4.12 text spacing (no sideways scroll, no text cut off, over its box or under
another). Each returns the problems it found, as words."""

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
// Text over the edge of its box (a label wider than its button, a long word on a tile), and
// text under a control or picture that is not its own (a listen button over a clue).
const inline = el => ['inline', 'contents'].includes(getComputedStyle(el).display);
const shown = el => el.checkVisibility({visibilityProperty: true}); // not in a closed <details>
const texts = [], spill = [], under = [];
const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let t = walk.nextNode(); t; t = walk.nextNode()) {
  if (!t.textContent.trim() || t.parentElement.closest('.visually-hidden, .skip-link, script, style, noscript, option')
      || !shown(t.parentElement)) continue;
  const range = document.createRange();
  range.selectNodeContents(t);
  const rects = Array.from(range.getClientRects()).filter(r => r.width > 0 && r.height > 0);
  if (!rects.length) continue;
  let box = t.parentElement;
  while (box.parentElement && inline(box)) box = box.parentElement;
  const edge = box.getBoundingClientRect(), all = range.getBoundingClientRect();
  if (all.left < edge.left - 1 || all.right > edge.right + 1 || all.top < edge.top - 2 || all.bottom > edge.bottom + 2)
    spill.push(box.outerHTML.slice(0, 100));
  texts.push([t, rects]);
}
const over = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 2
                    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 2;
for (const el of document.querySelectorAll('a, button, input, select, textarea, img, audio, .listen')) {
  // A link over two lines is two boxes, not the rectangle round both.
  const boxes = Array.from(el.getClientRects()).filter(r => r.width && r.height);
  if (!boxes.length || el.closest('.visually-hidden, .skip-link') || !shown(el) || getComputedStyle(el).clip !== 'auto') continue;
  const hits = rects => rects.some(r => boxes.some(box => over(r, box)));
  const hit = texts.find(([t, rects]) => !el.contains(t) && !t.parentElement.contains(el) && hits(rects))
           || texts.find(([t, rects]) => !el.contains(t) && t.parentElement.contains(el) && el.tagName !== 'IMG' && hits(rects));
  if (hit) under.push(el.outerHTML.slice(0, 80) + ' covers "' + hit[0].textContent.trim().slice(0, 40) + '"');
}
return [wide, cut, Array.from(new Set(spill)), under];
"""


def reflow_problems(driver, where):
    """At 320 CSS px the page does not scroll sideways, nor with the text spacing on top, and
    no text is cut off. The spacing stays on the page, and the window goes back to tablet size:
    load a page afresh after this."""
    driver.set_window_size(320, 800)
    try:
        (inner, width, spaced), cut, spill, under = driver.execute_script(REFLOW)
    finally:
        driver.set_window_size(*TABLET)
    problems = [] if inner == 320 else [f"{where}: the window is {inner} px wide, not 320"]
    if width > 320:
        problems.append(f"{where}: scrolls sideways at 320 px ({width} px wide)")
    if spaced > 320:
        problems.append(f"{where}: scrolls sideways at 320 px with text spacing ({spaced} px wide)")
    problems += [f"{where}: text cut off at 320 px with text spacing: {each}" for each in cut]
    problems += [f"{where}: text over the edge of its box at 320 px with text spacing: {each}" for each in spill]
    problems += [f"{where}: at 320 px with text spacing, {each}" for each in under]
    return problems


def title_problems(driver, where):
    """The page's title is words (WCAG 2.4.2): not empty, and no markup in it for a screen
    reader to read out."""
    title = driver.execute_script("return document.title")
    if not title.strip():
        return [f"{where}: the page has no title"]
    return [f"{where}: the title holds markup: {title[:120]!r}"] if "<" in title else []


def shared_title_problems(titles):
    """Two different pages (two entries of the site map) with one title: in a list of tabs,
    the browser's history or a screen reader's first words they cannot be told apart (WCAG
    2.4.2). `titles` maps each title to {page name: where it was seen}; the addresses of one
    entry (a class's first and second session) may share one."""
    return [f"{' and '.join(sorted(pages.values()))}: one title for different pages: {title!r}"
            for title, pages in titles.items() if len(pages) > 1]


# In forced colours (Windows' high contrast themes) the browser paints with the reader's few
# system colours: a state shown only by an author's colour vanishes. Each state on the page
# (a pressed picker, the current page, a filled progress dot, a playing listen button: added
# here, as narration.js adds it) is taken off and put back, and must change how the element
# looks; and each symbol must stand on a light ground, as its black outlines need.
FORCED = """
const look = el => { const s = getComputedStyle(el);
  return [s.color, s.backgroundColor, s.borderTopColor, s.borderTopStyle, s.borderTopWidth, s.outlineStyle,
          s.outlineWidth, s.textDecorationLine, s.fontWeight, s.backgroundImage].join(' '); };
const states = [
  ['[aria-pressed="true"]', el => el.setAttribute('aria-pressed', 'false'), el => el.setAttribute('aria-pressed', 'true')],
  ['[aria-current]:not([aria-current="false"])', el => { el.dataset.was = el.getAttribute('aria-current'); el.removeAttribute('aria-current'); },
   el => el.setAttribute('aria-current', el.dataset.was)],
  ['.dot.filled', el => el.classList.remove('filled'), el => el.classList.add('filled')],
  ['.listen', el => el.classList.remove('playing'), el => el.classList.add('playing')]];
const same = [];
for (const [css, off, on] of states) {
  for (const el of Array.from(document.querySelectorAll(css)).slice(0, 3)) {
    if (!el.getClientRects().length) continue;
    on(el); const shown = look(el); off(el); const plain = look(el);
    if (css === '.listen') off(el); else on(el);
    if (shown === plain) same.push(css + ': ' + el.outerHTML.slice(0, 80));
  }
}
const rgb = c => (c.match(/[0-9.]+/g) || []).map(Number);
const ground = el => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
  if (c.length === 3 || c[3] > 0.5) return c; } return [255, 255, 255]; };
const light = ([r, g, b]) => 0.2126 * r + 0.7152 * g + 0.0722 * b > 160;
const dark = Array.from(document.querySelectorAll('img[src*="/symbols/"]')).filter(img =>
  img.getClientRects().length && !light(ground(img))).map(img => img.outerHTML.slice(0, 80));
return [matchMedia('(forced-colors: active)').matches, same, dark.slice(0, 5), dark.length];
"""


def forced_colours_problems(driver, where):
    """In forced colours, with a dark and with a light palette: every state still seen, every
    symbol on a light ground. The page is left as it was."""
    problems = []
    try:
        for scheme in ("dark", "light"):
            driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [
                {"name": "forced-colors", "value": "active"}, {"name": "prefers-color-scheme", "value": scheme}]})
            forced, same, dark, many = driver.execute_script(FORCED)
            if not forced:
                return [f"{where}: forced colours could not be emulated"]
            problems += [f"{where}: in forced colours ({scheme}), a state looks the same on and off: {each}"
                         for each in same]
            if dark:
                problems.append(f"{where}: in forced colours ({scheme}), {many} symbols on a dark ground: {dark}")
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    return problems
