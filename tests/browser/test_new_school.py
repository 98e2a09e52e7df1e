"""A real school from its first command to learners signing in (issue 12), as its people would:
the IT technician runs `flask school create`; the new admin opens the set-up link, accepts
their responsibilities, chooses a password, sets up two-step sign-in, imports the MIS export,
prints the class's sign-in cards; then, on a tablet, a learner signs in with the three pictures
printed on their card.

The school has its own empty database and server, so the demo school the other browser tests
use is untouched; it shares the one browser and the narration cache."""

import os
import re
import threading

import pyotp
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from werkzeug.serving import make_server

from student_app import create_app
from student_app.db import get_db, migrate
from tests.browser.conftest import expect_heading, tap, wait_for

pytestmark = pytest.mark.browser

EXPORT = ("\ufeffSurname;Forename;Date of Birth;Reg Group;UPN\r\n"
          "Nowak;Łucja;03/09/2012;Class 7 (Oak);\r\n"
          "Jones;Siân;2012-01-15;Class 7 (Oak);\r\n"
          "علي;محمد;21/11/2011;Class 7 (Oak);\r\n"
          ";;;;\r\n")


@pytest.fixture(scope="module")
def new_school(tmp_path_factory, live_app):
    folder = tmp_path_factory.mktemp("new-school")
    before = os.environ.get("STUDENT_APP_INSTANCE")
    os.environ["STUDENT_APP_INSTANCE"] = str(folder)
    try:
        app = create_app({"DATABASE": str(folder / "school.sqlite3"), "AUDIO_DIR": live_app.config["AUDIO_DIR"]})
    finally:
        os.environ["STUDENT_APP_INSTANCE"] = before or ""
    with app.app_context():
        migrate(get_db())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_URL"] = url
    yield app, url, folder
    server.shutdown()


def test_a_new_admin_sets_up_the_school_and_a_learner_signs_in_with_their_card(browser, new_school):
    app, url, folder = new_school
    driver = browser
    driver.delete_all_cookies()
    # The IT technician makes the school.
    result = app.test_cli_runner().invoke(args=[
        "school", "create", "--name", "Riverside School", "--urn", "100001",
        "--admin-email", "nia@riverside.example", "--admin-name", "Nia Jones"])
    assert result.exit_code == 0, result.output
    link = re.search(r"(http://\S+/staff/join/\S+)", result.output).group(1)

    # The admin opens the link: responsibilities, password, two-step sign-in.
    driver.get(link)
    expect_heading(driver, "Join your school")
    driver.find_element(By.CSS_SELECTOR, 'input[name="accept"]').click()
    driver.find_element(By.ID, "password").send_keys("riverside careers 2026")
    driver.find_element(By.ID, "password_again").send_keys("riverside careers 2026")
    tap(driver, "main form button")
    expect_heading(driver, "Set up two-step sign-in")
    secret = driver.find_element(By.CSS_SELECTOR, "code.code").text
    driver.find_element(By.ID, "code").send_keys(pyotp.TOTP(secret).now())
    tap(driver, "main form button")
    expect_heading(driver, "Your recovery codes")
    driver.find_element(By.LINK_TEXT, "I have kept them: continue").click()
    expect_heading(driver, "Learners")
    assert "Getting your school started" in driver.page_source

    # The MIS export: uploaded, previewed row by row, then confirmed.
    export = folder / "mis-export.csv"
    export.write_bytes(EXPORT.encode("utf-8"))
    driver.get(url + "/staff/school/import")
    driver.find_element(By.ID, "import-file").send_keys(str(export))
    tap(driver, 'form[enctype="multipart/form-data"] button')
    preview = driver.find_element(By.TAG_NAME, "main").text
    assert "Łucja" in preview and "محمد" in preview and "Siân" in preview
    with app.app_context():
        assert get_db().execute("SELECT count(*) FROM learners").fetchone()[0] == 0  # nothing yet
    tap(driver, 'form[action*="/staff/school/import/"] button')
    with app.app_context():
        db = get_db()
        class_id = db.execute("SELECT id FROM classes WHERE name = 'Class 7 (Oak)'").fetchone()[0]
        assert db.execute("SELECT count(*) FROM learners WHERE class_id = ?", [class_id]).fetchone()[0] == 3

    # The class's sign-in cards, printed.
    driver.get(url + f"/staff/school/classes/{class_id}/cards")
    tap(driver, "main form button")
    cards = {card.find_element(By.CSS_SELECTOR, ".card-name").text:
             [word.text for word in card.find_elements(By.CSS_SELECTOR, ".card-word")]
             for card in driver.find_elements(By.CSS_SELECTOR, ".sign-in-card")}
    assert set(cards) == {"Łucja Nowak", "Siân Jones", "محمد علي"}, cards
    words = cards["Łucja Nowak"]
    assert len(words) == 3

    # On a classroom tablet, Łucja signs in with the pictures on her card.
    driver.delete_all_cookies()
    driver.get(url + "/sign-in")
    expect_heading(driver, "Who are you?")
    driver.find_element(By.PARTIAL_LINK_TEXT, "Łucja Nowak").click()
    for number, word in enumerate(words, start=1):
        expect_heading(driver, f"Tap picture {number} of 3")
        pick = next(button for button in driver.find_elements(By.CSS_SELECTOR, "button.code-pick")
                    if button.text.strip().lower() == word.strip().lower())
        pick.click()
        if number < 3:
            wait_for(driver, lambda d, n=number: f"Tap picture {n + 1} of 3" in d.page_source)
    wait_for(driver, ec.url_contains("/home"))
    assert "Łucja Nowak" in driver.find_element(By.CSS_SELECTOR, ".top-bar .me").text
