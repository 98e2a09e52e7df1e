"""Bytes a learner's first visit to an activity page transfers, measured in headless Chromium.

Run with the app already serving (bash scripts/run.sh), from the project folder:

    .venv/bin/python bench/page_weight.py [http://127.0.0.1:5000]

It signs in as the demo learner Amira by tapping her picture code, clears the browser cache,
then starts a Guess my job play with the first job she is offered and loads its first clue
again (Amira sees her own number of choices, so which jobs she is offered varies), and sums what the Resource Timing API
reports: the page, CSS, htmx, the narration script, symbols and the narration clip that
starts by itself (Amira's setting).
"""

import os
import sys

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.figures import figure  # noqa: E402
from student_app.demo import LEARNERS  # noqa: E402
from tests.browser.conftest import make_driver  # noqa: E402

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"


def main():
    driver = make_driver()
    wait = WebDriverWait(driver, 10, ignored_exceptions=[StaleElementReferenceException])
    try:
        driver.get(BASE + "/sign-in")
        driver.find_element(By.LINK_TEXT, "Amira").click()
        code = next(code for name, _, code, *_ in LEARNERS if name == "Amira")
        for number, pick in enumerate(code, start=1):
            wait.until(lambda d: f"{number} of 3" in d.find_element(By.TAG_NAME, "h1").text)
            driver.find_element(By.CSS_SELECTOR, f'button[value="{pick}"]').click()
        wait.until(lambda d: d.current_url.endswith("/home"))
        driver.get(BASE + "/activities/guess-my-job")
        driver.find_element(By.CSS_SELECTOR, "form[action$='/start'] button").click()
        wait.until(lambda d: "/clue/1" in d.current_url)
        clue = driver.current_url
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
        driver.get(clue)
        driver.execute_async_script("setTimeout(arguments[0], 2000)")  # let the narration load
        entries = driver.execute_script(
            "const nav = performance.getEntriesByType('navigation')[0];"
            "return [[nav.name, nav.transferSize]].concat(performance.getEntriesByType('resource')"
            ".map(r => [r.name, r.transferSize]));"
        )
    finally:
        driver.quit()
    total = sum(size for _, size in entries)
    for name, size in entries:
        print(f"{size:>8} B  {name.removeprefix(BASE)[:90]}")
    print(f"{total:>8} B  in all ({len(entries)} requests), {total / 1024:.1f} KiB")
    figure("a learner's first activity page, all it loads", total / 1024, "KiB")


if __name__ == "__main__":
    main()
