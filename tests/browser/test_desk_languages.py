"""The Careers Leader's desk in Welsh and Polish too (issue 16): the gate checks every page in
English and Arabic; these pages are also checked in the other two interface languages, in
both themes, with axe-core."""

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import become, run_axe
from tests.browser.test_gate import THEMES, choices_kept, choose

DESK = ["/staff/programme", "/staff/encounters", "/staff/encounters/new?audience=class-{class_id}",
        "/staff/classes/{class_id}/encounters", "/staff/termly-review", "/staff/destinations",
        "/schools/1/careers"]
LANG = {"cy": "cy", "pl": "pl"}


@pytest.mark.parametrize("language", sorted(LANG))
def test_the_desk_passes_axe_in_welsh_and_polish(browser, live_url, live_app, world, signed_in, language):
    problems = []
    with choices_kept(live_app):
        for role, urls in (("S", DESK), ("O", ["/schools/1/careers"])):
            for theme in THEMES:
                become(browser, signed_in[role])
                choose(browser, live_url, role, theme, language)
                for url in urls:
                    browser.get(live_url + url.format(**world))
                    where = f"{role}, {theme}, {language}: {url}"
                    if browser.execute_script("return document.documentElement.lang") != LANG[language]:
                        problems.append(f"{where}: not in {language}")
                    if "Internal Server Error" in browser.find_element(By.TAG_NAME, "body").text:
                        problems.append(f"{where}: a server error")
                    problems += [f"{where}: {p}" for p in run_axe(browser)]
    become(browser, signed_in["L"])
    assert not problems, "\n".join(problems)
