"""Passport, family and staff record pages in headless Chromium, each checked with axe-core."""

import pytest
from selenium.webdriver.common.by import By

from student_app.demo import FAMILY, STAFF
from tests.browser.conftest import assert_accessible, expect_heading, sign_in_learner, staff_sign_in, tap

pytestmark = pytest.mark.browser


def test_a_learner_adds_a_passport_page(driver, live_url):
    sign_in_learner(driver, live_url, "Grace")
    tap(driver, 'a.tile[href="/passport"]')
    expect_heading(driver, "My passport")
    assert_accessible(driver)
    tap(driver, 'a[href="/passport/new"]')
    expect_heading(driver, "Add a page")
    assert_accessible(driver)
    driver.find_element(By.CSS_SELECTOR, 'label.check-card:has(input[value="employer"])').click()
    driver.find_element(By.ID, "what").send_keys("A vet visited our class")
    driver.find_element(By.CSS_SELECTOR, 'label.check-card:has(input[value="feeling-excited"])').click()
    tap(driver, "form.passport-form button.big-button")
    assert "A vet visited our class" in driver.find_element(By.ID, "main").text
    assert_accessible(driver)


def test_staff_record_pages_are_accessible(driver, live_url, live_app):
    staff_sign_in(driver, live_url, live_app, STAFF[0])  # the admin sees every record page
    assert_accessible(driver)
    driver.find_element(By.PARTIAL_LINK_TEXT, "Amira").click()
    expect_heading(driver, "Portfolio of Amira")
    assert_accessible(driver)
    tap(driver, 'form[action$="/invitations"] button')
    expect_heading(driver, "Family invitation")
    assert_accessible(driver)
    for path, words in (("/staff/classes/1/benchmarks", "Gatsby Benchmarks"), ("/staff/audit", "Audit log"),
                        ("/staff/learners/1/erase", "Erase Amira"), ("/staff/learners/1/passport", "Passport of Amira"),
                        ("/staff/learners/1/passport/pages/1", "A morning at the garden centre"),
                        ("/staff/learners/1/passport/new", "Add a page"),
                        ("/staff/voices", "Record your own voice")):
        driver.get(live_url + path)
        assert words in driver.find_element(By.TAG_NAME, "body").text, path
        assert_accessible(driver)
    driver.get(live_url + "/staff/learners/1/passport/print")
    assert "A morning at the garden centre" in driver.page_source
    assert_accessible(driver)


@pytest.mark.parametrize("size", [(390, 844), (1024, 768)], ids=["phone", "tablet"])
def test_family_pages_are_accessible_on_a_phone_and_a_tablet(driver, live_url, size):
    driver.set_window_size(*size)
    driver.get(live_url + "/family/join")
    assert_accessible(driver)
    driver.get(live_url + "/family/sign-in")
    assert_accessible(driver)
    _, email, password, _ = FAMILY
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    tap(driver, "form.stacked button")
    expect_heading(driver, "My children")
    assert_accessible(driver)
    tap(driver, 'a.tile[href^="/family/children/"]')
    expect_heading(driver, "Passport of")
    assert_accessible(driver)
    tap(driver, ".passport-page h3 a")
    assert_accessible(driver)
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= size[0]
