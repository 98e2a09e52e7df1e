"""Languages: who sees which language, the preference route, right to left."""

import json
import re

import pytest

from student_app.content import load_language, translate
from student_app.db import get_db
from student_app.i18n import LANGUAGES
from tests.conftest import learner_id, sign_in_as

FAMILY = {"email": "family@oaktree.example", "password": "oak-tree-family"}


def without_translation(app, code, *content_ids):
    """The app's content in `code` as if these texts had no translation yet."""
    english = app.extensions["catalogue"]
    table = load_language(app.config["CONTENT_DIR"], code, english)
    for content_id in content_ids:
        del table[content_id]
    app.extensions["catalogues"][code] = translate(english, LANGUAGES[code].speech, table)


def html_tag(response):
    return re.search(r"<html[^>]*>", response.text).group(0)


def body_tag(response):
    return re.search(r"<body[^>]*>", response.text, re.S).group(0)


def test_english_uk_is_the_default(client):
    page = client.get("/family/sign-in")
    assert html_tag(page) == '<html lang="en-GB" dir="ltr">'


def test_signed_out_the_language_lives_in_the_session(client):
    response = client.post("/preferences", data={"language": "pl", "next": "/family/sign-in"})
    assert response.status_code == 302 and response.headers["Location"] == "/family/sign-in"
    assert html_tag(client.get("/family/sign-in")) == '<html lang="pl" dir="ltr">'
    # Another browser is not affected.
    assert 'lang="en-GB"' in html_tag(client.application.test_client().get("/family/sign-in"))


def test_a_language_picked_before_signing_in_is_kept(client):
    client.post("/preferences", data={"language": "cy"})
    client.post("/family/sign-in", data=FAMILY)
    assert 'lang="cy"' in html_tag(client.get("/family/"))


def test_a_family_has_their_own_language_not_their_childs(client, app):
    amira = learner_id(app, "Amira")
    with app.app_context():
        get_db().execute("UPDATE learners SET access = ? WHERE id = ?", [json.dumps({"language": "ar"}), amira])
    client.post("/family/sign-in", data=FAMILY)
    assert 'lang="en-GB"' in html_tag(client.get("/family/"))
    client.post("/preferences", data={"language": "pl", "next": "/family/"})
    assert 'lang="pl"' in html_tag(client.get("/family/"))
    with app.app_context():
        db = get_db()
        assert db.execute("SELECT language FROM families WHERE email = ?", [FAMILY["email"]]).fetchone()[0] == "pl"
        # Amira's own language is unchanged.
        assert json.loads(db.execute("SELECT access FROM learners WHERE id = ?", [amira]).fetchone()[0])["language"] == "ar"
    # Stored on the account, so a new browser gets it after signing in.
    other = app.test_client()
    other.post("/family/sign-in", data=FAMILY)
    assert 'lang="pl"' in html_tag(other.get("/family/"))


def test_a_learner_sees_the_language_of_their_access_profile(client, app):
    sign_in_as(client, app, "learner", "Amira")
    assert 'lang="en-GB"' in html_tag(client.get("/home"))
    client.post("/preferences", data={"language": "ar"})
    page = client.get("/home")
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    with app.app_context():
        row = get_db().execute("SELECT access FROM learners WHERE id = ?", [learner_id(app, "Amira")]).fetchone()
    assert json.loads(row[0])["language"] == "ar"


def test_the_learner_and_staff_set_the_language_on_their_settings_screens(client, app):
    sign_in_as(client, app, "learner", "Amira")
    page = client.get("/settings").text
    assert 'value="cy"' in page and "/symbols/lang-cy" in page and 'lang="cy"' in page
    client.post("/settings", data={"language": "cy", "autoplay": "off"})
    assert 'lang="cy"' in html_tag(client.get("/home"))
    staff = app.test_client()
    sign_in_as(staff, app, "staff")
    amira = learner_id(app, "Amira")
    portfolio = staff.get(f"/staff/learners/{amira}").text
    assert '<option value="pl" lang="pl">Polski</option>' in portfolio
    staff.post(f"/staff/learners/{amira}/settings", data={"career_group": "1", "choices": "2", "language": "pl"})
    assert 'lang="pl"' in html_tag(client.get("/home"))
    # The teacher's own pages stay in their own language.
    assert 'lang="en-GB"' in html_tag(staff.get("/staff/"))


def test_staff_have_their_own_language_and_colours(client, app):
    sign_in_as(client, app, "staff")
    client.post("/preferences", data={"language": "cy", "theme": "contrast", "next": "/staff/"})
    page = client.get("/staff/")
    assert 'lang="cy"' in html_tag(page) and "theme-contrast" in body_tag(page)
    with app.app_context():
        row = get_db().execute("SELECT language, theme FROM staff WHERE email = 'teacher@oaktree.example'").fetchone()
    assert tuple(row) == ("cy", "contrast")


@pytest.mark.parametrize("role", ["visitor", "family", "staff", "learner"])
def test_high_contrast_for_every_role(client, app, role):
    if role == "family":
        client.post("/family/sign-in", data=FAMILY)
    elif role in ("staff", "learner"):
        sign_in_as(client, app, role)
    client.post("/preferences", data={"theme": "contrast"})
    page = client.get("/", follow_redirects=True)
    assert "theme-contrast" in body_tag(page)
    assert "theme-default" not in body_tag(page)


def test_the_picker_is_a_plain_form_on_every_page(client):
    page = client.get("/family/sign-in").text
    picker = re.search(r'<form method="post" action="/preferences".*?</form>', page, re.S).group(0)
    assert 'data-hx-boost="false"' in picker and 'name="next" value="/family/sign-in"' in picker
    for code, name in (("en_GB", "English"), ("cy", "Cymraeg"), ("pl", "Polski"), ("ar", "العربية")):
        assert f'value="{code}"' in picker and name in picker
    assert 'aria-pressed="true">English' in picker


@pytest.mark.parametrize("form", [{"language": "fr"}, {"theme": "neon"}, {}, {"language": "cy", "theme": "x"}])
def test_bad_preferences_get_a_kind_400(client, form):
    response = client.post("/preferences", data=form)
    assert response.status_code == 400
    assert "Please choose one of the languages or colours offered." in response.text
    assert 'lang="en-GB"' in html_tag(client.get("/family/sign-in"))


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", ""])
def test_next_never_leaves_the_site(client, target):
    response = client.post("/preferences", data={"language": "cy", "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_next_keeps_the_query(client):
    response = client.post("/preferences", data={"language": "cy", "next": "/sign-in?x=1"})
    assert response.headers["Location"] == "/sign-in?x=1"


def test_preferences_need_the_csrf_token(app):
    app.config["WTF_CSRF_ENABLED"] = True
    assert app.test_client().post("/preferences", data={"language": "cy"}).status_code == 400


def test_arabic_pages_are_right_to_left(client, app):
    client.post("/preferences", data={"language": "ar"})
    assert html_tag(client.get("/family/sign-in")) == '<html lang="ar" dir="rtl">'
    for code in ("en_GB", "cy", "pl"):
        client.post("/preferences", data={"language": code})
        assert 'dir="ltr"' in html_tag(client.get("/family/sign-in"))


def test_content_shows_in_the_learners_language_and_marks_english_fallback(client, app):
    with app.app_context():
        get_db().execute("UPDATE learners SET access = ? WHERE name = 'Amira'", [json.dumps({"language": "cy"})])
    sign_in_as(client, app, "learner", "Amira")
    home = client.get("/home").text
    assert "Dyfala fy swydd" in home and "Guess my job" not in home
    client.post("/activities/guess-my-job/nurse/start")
    clue = client.get("/activities/guess-my-job/nurse/clue/1").text
    assert "Rydw i&#39;n gwisgo gwisg waith a menig." in clue and "(yn Saesneg)" not in clue
    # A job card without Welsh: English, marked as English, with a visible note.
    without_translation(app, "cy", "job.barista.what_simple")  # Amira reads Group 1's text
    card = client.get("/a/job-explorer/barista").text
    english = app.extensions["catalogue"].jobs["barista"].what_simple
    assert re.search(r'<span lang="en-GB" dir="ltr">' + re.escape(english.replace("'", "&#39;")) +
                     r'</span> <small class="in-english">\(yn Saesneg\)</small>', card)
    # Its name has a Welsh entry (the same word), so the name is not marked.
    assert '<span lang="en-GB" dir="ltr">Barista</span>' not in card


def test_a_family_reads_their_home_page_in_their_own_language(client, app):
    client.post("/family/sign-in", data=FAMILY)
    client.post("/preferences", data={"language": "pl"})
    page = client.get("/family/").text
    assert "Moje dzieci" in page and "My children" not in page


def test_symbol_labels_follow_the_page_language(client, app):
    client.post("/preferences", data={"language": "pl"})
    code_page = client.get(f"/sign-in/learner/{learner_id(app, 'Amira')}").text
    assert "<span>kot</span>" in code_page and "<span>cat</span>" not in code_page
    client.post("/preferences", data={"language": "cy"})
    sign_in_as(client, app, "learner", "Amira")
    assert "Lliwiau tywyll" in client.get("/settings").text
    card = client.get("/a/job-explorer/chef").text
    assert "Gweithio mewn tîm" in card and "Gwyddoniaeth" in card


def test_a_symbol_label_without_a_translation_is_marked_english(app):
    from flask_babel import force_locale

    from student_app.web import symbol_label

    with app.test_request_context(), force_locale("ar"):
        label = symbol_label("nav-home", capital=True)
        assert (label, label.lang, label.fallback) == ("Home", "en", True)
        label = symbol_label("code-cat")
        assert (label, label.lang, label.fallback) == ("قطة", "ar", False)


def test_the_picker_on_a_page_that_answered_a_form_goes_home(client):
    page = client.post("/preferences", data={"language": "xx"}).text
    assert 'name="next" value="/"' in page


def test_typed_words_keep_the_language_they_were_typed_in(client, app):
    """WCAG 3.1.2: a passport page typed on a Welsh page is marked Welsh (and read by the Welsh
    voice) when a family reads it in Arabic; pages typed before the app had languages are
    English."""
    import re

    from tests.conftest import sign_in_as
    from tests.test_passport import page_form, sign_in_family

    sign_in_as(client, app, "learner", "Amira")
    client.post("/preferences", data={"language": "cy"})
    assert client.post("/passport/new", data=page_form(what="Diwrnod yn y caffi")).status_code == 302
    family = app.test_client()
    sign_in_family(family)
    family.post("/preferences", data={"language": "ar"})
    amira = re.search(r'/family/children/(\d+)/passport', family.get("/family/").text)[1]
    book = family.get(f"/family/children/{amira}/passport").text
    assert re.search(r'<h\d dir="auto" lang="cy">\s*<a [^>]*>Diwrnod yn y caffi</a>', book)
    listen = re.search(r'Diwrnod yn y caffi</a></h\d>\s*<a class="listen" href="/narration/([^"]+)\.mp3"', book)
    with app.test_request_context():
        from student_app.narration import _serializer

        assert _serializer().loads(listen[1])[0] == "cy"
    assert 'dir="auto" lang="en-GB"' in book  # a demo page, typed in English


def test_a_schools_words_about_its_employers_are_marked_and_read_as_english(client, app):
    employer = app.extensions["catalogue"].local["chef"].employers[0]
    sign_in_as(client, app, "learner", "Ben")
    client.post("/preferences", data={"language": "ar"})
    page = client.get("/a/job-explorer/chef").text
    assert re.search(rf'<span lang="en-GB" dir="ltr">{re.escape(employer)}</span> <small class="in-english">', page)
