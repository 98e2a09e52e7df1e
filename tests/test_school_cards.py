"""Sign-in cards and family invitation letters (issue 12: "Sign-in cards" and "Families")."""

import itertools
import re
import shutil
import subprocess

import pytest
from student_app.passwords import hashed

from student_app.school.records import code_pictures
from student_app.db import get_db
from tests.conftest import learner_id, sign_in_as, sign_in_staff, text_of


@pytest.fixture
def secrets_made(monkeypatch):
    """Badge secrets the test knows, so it can 'scan' the badges it printed."""
    made, counter = [], itertools.count(1)

    def fake_secret():
        made.append(f"card-secret-{next(counter)}")
        return made[-1]

    monkeypatch.setattr("student_app.badges.new_badge_secret", fake_secret)
    return made


def run(app, sql, params=()):
    with app.app_context():
        return [dict(row) for row in get_db().query(sql, params)] if sql.lstrip().startswith("SELECT") else \
            get_db().execute(sql, params)


def class_one(app):
    return run(app, "SELECT * FROM learners WHERE class_id = 1 ORDER BY name")


def cards_of(page):
    return re.findall(r'<li class="sign-in-card">(.*?)</li>\s*(?=<li class="sign-in-card">|</ul>)', page, re.S)


def test_code_pictures_reads_a_kept_code_in_order():
    assert code_pictures("code-cat-code-sun-code-tree") == ["code-cat", "code-sun", "code-tree"]
    assert code_pictures("code-star-code-star-code-fish") == ["code-star", "code-star", "code-fish"]
    assert code_pictures(None) is None and code_pictures("") is None and code_pictures("code-cat-nope") is None


def test_a_class_sheet_has_one_card_per_current_learner_with_its_code_in_order(client, app, secrets_made):
    run(app, "UPDATE learners SET left_on = '2020-07' WHERE name = 'Grace'")
    sign_in_as(client, app, "staff")
    sheet = client.post("/staff/classes/1/badges")
    assert sheet.status_code == 200 and sheet.headers["Cache-Control"] == "no-store"
    current = [row for row in class_one(app) if row["name"] != "Grace"]
    cards = cards_of(sheet.text)
    assert len(cards) == len(current) == len(secrets_made) == 7
    for card, learner in zip(cards, current):
        assert learner["name"] in card and learner["avatar"] in card and "<svg" in card
        pictures = learner["code"].split("-code-")
        shown = re.findall(r'/symbols/(code-[a-z]+)', card)
        assert shown == ["code-" + p.removeprefix("code-") for p in pictures]
        steps = re.findall(r'<span class="card-step" aria-hidden="true">(\d)</span>', card)
        assert steps == ["1", "2", "3"]
        for symbol in shown:  # each picture with its word
            assert symbol.removeprefix("code-").capitalize() in text_of_html(card)
        assert "Scan to sign in" in card
    assert "Grace" not in sheet.text  # a learner who has left gets no card
    assert run(app, "SELECT count(*) AS n FROM badges WHERE learner_id = ?",
               [learner_id(app, "Grace")]) == [{"n": 0}]


def text_of_html(fragment):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))


def test_a_protected_learner_card_shows_the_picture_name_only(client, app, secrets_made):
    run(app, "UPDATE learners SET protected = 1 WHERE name = 'Amira'")  # avatar-fox
    sign_in_as(client, app, "staff")
    for url in ("/staff/classes/1/badges", f"/staff/learners/{learner_id(app, 'Amira')}/badges"):
        sheet = client.post(url)
        card = next(c for c in cards_of(sheet.text) if "avatar-fox" in c)
        assert "Fox" in text_of_html(card) and "Amira" not in card
    assert "Amira" not in sheet.text  # not in the title or the QR code's title either
    pdf = client.post(f"/staff/learners/{learner_id(app, 'Amira')}/badges", data={"format": "pdf"})
    assert "Amira" not in pdf.headers["Content-Disposition"] and "Fox" in pdf.headers["Content-Disposition"]


def test_a_learner_without_a_kept_code_gets_a_card_that_says_reset_it(client, app, secrets_made):
    run(app, "UPDATE learners SET code = NULL WHERE name = 'Ellie'")
    sign_in_as(client, app, "staff")
    card = next(c for c in cards_of(client.post("/staff/classes/1/badges").text) if "Ellie" in c)
    assert "must be reset" in card and "code-" not in card and "<svg" in card


def test_printing_voids_the_old_badges(client, app, secrets_made):
    sign_in_as(client, app, "staff")
    client.post("/staff/classes/1/badges")
    old = list(secrets_made)
    client.post("/staff/classes/1/badges", data={"format": "pdf"})
    new = secrets_made[len(old):]
    assert len(new) == len(old) == 8
    client.post("/sign-out")
    tablet = app.test_client()
    assert tablet.post("/badge", data={"secret": old[0]}).status_code == 404
    assert tablet.post("/badge", data={"secret": new[0]}).status_code == 302
    assert tablet.get("/home").status_code == 200


def test_cards_are_for_teachers_and_admins_of_the_school_only(client, app):
    amira = learner_id(app, "Amira")
    with app.app_context():
        db = get_db()
        other = db["schools"].insert({"name": "Elm School"}).last_pk
        db["staff"].insert({"school_id": other, "email": "elm@example.org", "name": "Elm", "staff_role": "teacher",
                            "password_hash": hashed("elm-password-1")})
        assistant = db["staff"].insert({"school_id": 1, "email": "ta@oaktree.example", "name": "TA",
                                        "staff_role": "assistant",
                                        "password_hash": hashed("assistant-password-1")}).last_pk
        db["staff_classes"].insert({"staff_id": assistant, "class_id": 1})
    urls = [f"/staff/learners/{amira}/badges", "/staff/classes/1/badges", "/staff/school/classes/1/cards",
            f"/staff/school/learners/{amira}/cards", f"/staff/learners/{amira}/invitations",
            "/staff/school/classes/1/letters"]
    sign_in_staff(client, app, "ta@oaktree.example", "assistant-password-1")
    for url in urls:
        method = client.get if "/school/" in url else client.post
        assert method(url).status_code == 403, url
    assert client.post("/staff/school/classes/1/letters", data={"language": "cy"}).status_code == 403
    client.post("/sign-out")
    sign_in_staff(client, app, "elm@example.org", "elm-password-1")
    for url in urls:
        method = client.get if "/school/" in url else client.post
        assert method(url).status_code == 404, url
    assert run(app, "SELECT count(*) AS n FROM badges") == [{"n": 0}]
    assert run(app, "SELECT count(*) AS n FROM invitations") == [{"n": 0}]


def test_the_start_pages_say_who_gets_a_card(client, app):
    run(app, "UPDATE learners SET left_on = '2020-07' WHERE name = 'Grace'")
    run(app, "UPDATE learners SET code = NULL WHERE name = 'Ellie'")
    sign_in_as(client, app, "staff")
    page = client.get("/staff/school/classes/1/cards")
    text = text_of(page)
    assert page.status_code == 200 and "Amira" in text and "Grace" not in text
    assert "1 learner has left" in text and "reset first: Ellie" in text
    assert 'name="format" value="pdf"' in page.text
    assert run(app, "SELECT count(*) AS n FROM badges") == [{"n": 0}]  # looking issues nothing
    assert client.get(f"/staff/school/learners/{learner_id(app, 'Amira')}/cards").status_code == 200
    # A learner who has left gets no card, even asked for alone.
    assert client.post(f"/staff/learners/{learner_id(app, 'Grace')}/badges").status_code == 400


def test_the_pdf_is_a_pdf_named_for_the_class_in_any_alphabet(client, app, secrets_made):
    run(app, "UPDATE classes SET name = 'Klasa Łoś' WHERE id = 1")
    sign_in_as(client, app, "staff")
    response = client.post("/staff/classes/1/badges", data={"format": "pdf"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"sign-in-cards-Klasa-os.pdf\"; "
        "filename*=UTF-8''sign-in-cards-Klasa-%C5%81o%C5%9B.pdf")
    assert "no-store" in response.headers["Cache-Control"]
    assert len(secrets_made) == 8
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", "-"], input=response.data, capture_output=True, check=True).stdout
        assert re.search(rb"Pages:\s+2\n", info)  # 8 cards, 6 a sheet


def invite(client, app, name="Amira", **form):
    return client.post(f"/staff/learners/{learner_id(app, name)}/invitations", data=form)


@pytest.mark.parametrize("language, tag, direction", [("cy", "cy", "ltr"), ("pl", "pl", "ltr"), ("ar", "ar", "rtl")])
def test_a_letter_in_the_family_language_has_its_lang_dir_code_and_qr(client, app, language, tag, direction):
    sign_in_as(client, app, "staff")
    response = invite(client, app, language=language, adults="1")
    assert response.status_code == 200
    page = response.text
    assert f'<html lang="{tag}" dir="{direction}">' in page
    # The staff's part is in their own language, marked as such.
    assert '<div class="no-print staff-part" lang="en-GB" dir="ltr">' in page
    letter = page.split('<article class="letter"')[1]
    code = text_of(response).split("Code ")[1].split(" ")[0]
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert f'<p class="letter-code" dir="ltr">{code}</p>' in letter and "<svg" in letter
    assert "/family/join" in letter and "nav-passport" in letter
    # Its words are the family's language: the app's own name, as the catalogue has it.
    with app.test_request_context():
        from flask_babel import force_locale, gettext
        with force_locale(language):
            assert gettext("My Career Steps") in page.split("</title>")[0]


def test_each_adult_gets_their_own_invitation_and_letter(client, app):
    sign_in_as(client, app, "staff")
    response = invite(client, app, language="pl", adults="3")
    assert response.status_code == 200
    assert response.text.count('<article class="letter"') == 3
    assert run(app, "SELECT count(*) AS n FROM invitations WHERE learner_id = ?", [learner_id(app, "Amira")]) == [
        {"n": 3}]
    codes = re.findall(r'<p class="letter-code" dir="ltr">([A-Z0-9-]+)</p>', response.text)
    assert len(set(codes)) == 3
    # Each invitation works on its own: two adults make two accounts for one child.
    links = re.findall(r"<code>http://localhost(/family/join/[^<]+)</code>", response.text)
    client.post("/sign-out")
    for number, link in enumerate(links[:2]):
        adult = app.test_client()
        assert adult.post(link, data={"name": f"Adult {number}", "email": f"adult{number}@example.org",
                                      "password": "a long pass phrase",
                                      "password_again": "a long pass phrase"}).status_code == 302
    assert run(app, "SELECT count(*) AS n FROM family_links WHERE learner_id = ?", [learner_id(app, "Amira")]) == [
        {"n": 2 + 1}]  # and the demo family


def test_a_letter_form_refuses_what_it_never_offers(client, app):
    sign_in_as(client, app, "staff")
    for form in ({"language": "xx"}, {"adults": "5"}, {"adults": "0"}, {"adults": "two"}):
        response = invite(client, app, **form)
        assert response.status_code == 400 and "Please choose" in text_of(response)
    assert run(app, "SELECT count(*) AS n FROM invitations") == [{"n": 0}]
    # A form without the choices (an older page) gets one letter in English.
    response = invite(client, app)
    assert response.status_code == 200 and '<html lang="en-GB" dir="ltr">' in response.text


def test_a_protected_learner_letter_uses_the_picture_name(client, app):
    run(app, "UPDATE learners SET protected = 1 WHERE name = 'Amira'")
    sign_in_as(client, app, "staff")
    letter = invite(client, app, language="en_GB").text.split('<article class="letter"')[1]
    assert "Amira" not in letter and "Fox" in letter
    pdf = invite(client, app, language="cy", format="pdf")
    assert pdf.data.startswith(b"%PDF") and "Amira" not in pdf.headers["Content-Disposition"]


def test_the_class_batch_makes_one_letter_per_learner_without_one_waiting(client, app):
    run(app, "UPDATE learners SET left_on = '2020-07' WHERE name = 'Grace'")
    sign_in_as(client, app, "staff")
    invite(client, app, "Amira")  # Amira has one waiting already
    page = client.get("/staff/school/classes/1/letters")
    assert page.status_code == 200 and "Grace" not in text_of(page) and "Chloe" in text_of(page)
    refused = client.post("/staff/school/classes/1/letters", data={"language": "klingon"})
    assert refused.status_code == 400 and "Please choose the language" in text_of(refused)
    assert 'aria-describedby="language-problem"' in refused.text
    response = client.post("/staff/school/classes/1/letters", data={"language": "ar"})
    assert response.status_code == 200 and '<html lang="ar" dir="rtl">' in response.text
    learners = [row for row in class_one(app) if row["name"] not in ("Amira", "Grace")]
    assert response.text.count('<article class="letter"') == len(learners) == 6
    counts = run(app, "SELECT learner_id, count(*) AS n FROM invitations GROUP BY learner_id")
    assert {row["learner_id"]: row["n"] for row in counts} == {
        **{row["id"]: 1 for row in learners}, learner_id(app, "Amira"): 1}
    # Again: nobody is left without one, so the page says so and makes none.
    again = client.post("/staff/school/classes/1/letters", data={"language": "ar"})
    assert again.status_code == 409 and "has an invitation waiting" in text_of(again)
    assert run(app, "SELECT count(*) AS n FROM invitations") == [{"n": 7}]


def test_the_class_letters_pdf(client, app):
    run(app, "UPDATE classes SET name = 'Klasa Łoś' WHERE id = 1")
    sign_in_as(client, app, "staff")
    response = client.post("/staff/school/classes/1/letters", data={"language": "pl", "format": "pdf"})
    assert response.data.startswith(b"%PDF")
    assert "filename*=UTF-8''family-letters-Klasa-%C5%81o%C5%9B.pdf" in response.headers["Content-Disposition"]
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", "-"], input=response.data, capture_output=True, check=True).stdout
        assert re.search(rb"Pages:\s+8\n", info)  # one A4 letter a learner


def test_lost_class_letters_are_made_again_and_the_old_ones_stop(client, app):
    from tests.conftest import sign_in_as

    sign_in_as(client, app, "staff")
    assert client.post("/staff/school/classes/1/letters", data={"language": "en_GB"}).status_code == 200
    with app.app_context():
        first = {row[0] for row in get_db().execute("SELECT id FROM invitations WHERE revoked_at IS NULL")}
    assert client.post("/staff/school/classes/1/letters", data={"language": "en_GB"}).status_code == 409
    again = client.post("/staff/school/classes/1/letters", data={"language": "cy", "replace": "on"})
    assert again.status_code == 200 and 'lang="cy"' in again.text
    with app.app_context():
        db = get_db()
        assert {row[0] for row in db.execute("SELECT id FROM invitations WHERE revoked_at IS NOT NULL")} == first
        assert db.execute("SELECT count(*) FROM invitations WHERE revoked_at IS NULL").fetchone()[0] == len(first)
