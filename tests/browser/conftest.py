"""One live server and one headless Chromium shared by every browser test."""

import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from werkzeug.serving import make_server

from student_app import create_app
from student_app.db import get_db, migrate
from student_app.demo import load_demo

AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_OPTIONS = json.dumps(
    {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
)
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
def live_url(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def make_driver(javascript=True):
    options = webdriver.ChromeOptions()
    options.binary_location = find_program("chromium", "chromium-browser")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
                 f"--window-size={TABLET[0]},{TABLET[1]}"):
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


@pytest.fixture
def driver(browser, live_url):
    """The shared browser, signed out and at tablet size."""
    browser.set_window_size(*TABLET)
    browser.get(live_url + "/about")
    browser.delete_all_cookies()
    return browser


def assert_accessible(driver):
    """Run axe-core 4 with the WCAG 2.0, 2.1 and 2.2 A and AA rules; no violation may remain."""
    axe = Axe(driver, script_url=str(AXE_SCRIPT))
    axe.inject()
    results = axe.run(options=AXE_OPTIONS)
    assert results["testEngine"]["version"].startswith("4."), results["testEngine"]
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in results["violations"]
    ]
    assert not problems, f"{driver.current_url}:\n" + "\n".join(problems)
    return results
