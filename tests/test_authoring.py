"""A school's own content (issue 19): staff make drafts with the app's checks, their own photos
and voice; an admin publishes; learners of that school, and nobody else, meet it."""

import html
import io
import json
import re
import zipfile

import pytest

from student_app.db import get_db
from tests.conftest import learner_id, sign_in_as, sign_in_staff, text_of
from tests.test_library import jpeg_with_gps

BAKERY = {
    "name": "Bakery assistant", "sector": "hospitality",
    "what": "A bakery assistant helps to make and sell bread and cakes in a shop.",
    "what_simple": "I help in a bakery shop. I sell bread.",
    "where": "In the bakery on Mill Street.", "where_symbol": "place-bakery",
    "wear": "An apron and a hat.", "wear_symbol": "clothes-uniform",
    "skills": ["careful", "on-time"], "subjects": ["food", "maths"],
    "route.kind": "job-coach", "route.text": "A job coach can help you start here.",
    "employers": "The Mill Bakery takes work experience students.",
}
CLUES = {"clue.1.text": "I put loaves on the shelves.", "clue.1.symbol": "tool-bread",
         "clue.2.text": "I help people choose a cake.", "clue.2.symbol": "tool-cake"}


def post(client, url, data, **files):
    form = dict(data)
    form.update({key: (io.BytesIO(value), "photo.jpg") for key, value in files.items()})
    return client.post(url, data=form, content_type="multipart/form-data")


@pytest.fixture
def teacher(app):
    client = app.test_client()
    sign_in_as(client, app, "staff")
    return client


@pytest.fixture
def admin(app):
    client = app.test_client()
    sign_in_as(client, app, "admin")
    return client


def test_a_teacher_makes_a_job_an_admin_publishes_and_a_learner_plays_it(app, teacher, admin):
    made = post(teacher, "/staff/content/jobs/new", BAKERY, **{"photo:symbol": jpeg_with_gps()})
    assert made.status_code == 302, text_of(made)
    assert made.headers["Location"].endswith("/staff/content/jobs/bakery-assistant")
    clues = post(teacher, "/staff/content/guess-my-job/bakery-assistant/edit", CLUES)
    assert clues.status_code == 302, text_of(clues)
    learner = app.test_client()
    sign_in_as(learner, app, "learner", "Ben")
    assert learner.get("/activities/guess-my-job/bakery-assistant/clue/1").status_code == 404  # a draft
    assert teacher.get("/staff/content/guess-my-job/bakery-assistant/preview/2").status_code == 200
    assert admin.post("/staff/content/guess-my-job/bakery-assistant/publish").status_code == 409  # its job first
    assert admin.post("/staff/content/jobs/bakery-assistant/publish").status_code == 302
    assert admin.post("/staff/content/guess-my-job/bakery-assistant/publish").status_code == 302
    page = learner.get("/activities/guess-my-job/bakery-assistant/clue/1")
    assert page.status_code == 200 and "I put loaves on the shelves." in text_of(page)
    card = learner.get("/a/job-explorer/bakery-assistant")
    assert "The Mill Bakery takes work experience students." in text_of(card)


def elm_staff(app, role="teacher"):
    """A client signed in as staff of another school (Elm School)."""
    from student_app.passwords import hashed

    with app.app_context():
        db = get_db()
        elm = db["schools"].insert({"name": "Elm School"}).last_pk
        db["staff"].insert({"school_id": elm, "email": "elm@example.org", "name": "Elm", "staff_role": role,
                            "password_hash": hashed("elm-password-1")})
    client = app.test_client()
    sign_in_staff(client, app, "elm@example.org", "elm-password-1")
    return client


def published_bakery(app, teacher, admin):
    assert post(teacher, "/staff/content/jobs/new", BAKERY, **{"photo:symbol": jpeg_with_gps()}).status_code == 302
    assert post(teacher, "/staff/content/guess-my-job/bakery-assistant/edit", CLUES).status_code == 302
    for folder in ("jobs", "guess-my-job"):
        assert admin.post(f"/staff/content/{folder}/bakery-assistant/publish").status_code == 302


def error_beside(response, field):
    """The message shown next to a field (school/_fields.html's field_error)."""
    found = re.search(rf'id="{re.escape(field)}-error"[^>]*>([^<]*)<', response.text)
    return html.unescape(found.group(1)) if found else ""


@pytest.mark.parametrize("change, field, words", [
    ({"name": ""}, "name", "Please fill this in."),
    ({"skills": []}, "skills", "Please choose at least one."),
    ({"sector": "made-up"}, "sector", "Please choose one of the options."),
    ({"what_simple": "A bakery assistant helps the baker in the shop and sells the bread and the cakes."},
     "what_simple", "has a sentence of 16 words"),
    ({"route.text": "Try a supported internship first."}, "route.text", "without saying it is unpaid"),
    ({"route.text": "A traineeship is one way in."}, "route.text", "traineeships closed"),
    ({"where_symbol": "not-a-symbol"}, "where_symbol", "Please choose a picture."),
])
def test_each_rule_of_the_files_is_shown_beside_its_field(teacher, change, field, words):
    response = post(teacher, "/staff/content/jobs/new", dict(BAKERY, symbol="job-baker", **change))
    assert response.status_code == 400
    assert words in (error_beside(response, field) or ""), text_of(response)
    assert 'aria-invalid="true"' in response.text
    assert post(teacher, "/staff/content/jobs/new", dict(BAKERY, symbol="job-baker")).status_code == 302


def test_a_new_job_sent_back_with_a_problem_is_still_new_and_saves_once_put_right(teacher):
    """Its form goes on posting to "new" (the job has no address until it is saved), keeps what
    was typed, and is not called a change."""
    long = "A bakery assistant helps the baker in the shop and sells the bread and the cakes."
    first = post(teacher, "/staff/content/jobs/new", dict(BAKERY, symbol="job-baker", what_simple=long))
    assert first.status_code == 400
    assert 'action="/staff/content/jobs/new"' in first.text and long in first.text
    assert "Change:" not in re.search(r"<title>(.*?)</title>", first.text, re.S).group(1)
    again = post(teacher, "/staff/content/jobs/new", dict(BAKERY, symbol="job-baker"))
    assert again.status_code == 302 and again.headers["Location"].endswith("/staff/content/jobs/bakery-assistant")
    edit = teacher.get("/staff/content/jobs/bakery-assistant/edit").text
    assert "<title>Change: A job: Bakery assistant" in edit


def test_a_problem_of_another_form_is_said_at_the_top_not_said_to_be_marked(teacher):
    # The job's own picture is one of the chef's clue pictures: the job's form holds it.
    clue_picture = next(c.symbol for c in teacher.application.extensions["catalogue"].clues["chef"])
    post(teacher, "/staff/content/jobs/new", dict(BAKERY, symbol=clue_picture))
    clues = post(teacher, "/staff/content/guess-my-job/bakery-assistant/edit", CLUES)
    assert clues.status_code == 400
    assert "About the job: has a card with the same picture as a clue of chef" in text_of(clues)
    assert "marked below" not in text_of(clues)


def test_a_rule_of_the_files_is_said_in_the_teachers_own_language(teacher):
    teacher.post("/preferences", data={"language": "cy"})
    long = "A bakery assistant helps the baker in the shop and sells the bread and the cakes."
    response = post(teacher, "/staff/content/jobs/new", dict(BAKERY, symbol="job-baker", what_simple=long))
    assert response.status_code == 400
    assert "mae ynddo frawddeg o 16 gair (mae testunau Grŵp 1 yn cadw at 12)" in error_beside(response, "what_simple")
    teacher.post("/preferences", data={"language": "ar"})
    unpaid = post(teacher, "/staff/content/jobs/new", dict(BAKERY, symbol="job-baker", **{
        "route.text": "Try a supported internship first."}))
    assert "غير مدفوع الأجر" in error_beside(unpaid, "route.text")


def test_clue_rules_and_word_mat_rules_name_the_card(teacher):
    post(teacher, "/staff/content/jobs/new", dict(BAKERY, symbol="job-baker"))
    unfair = post(teacher, "/staff/content/guess-my-job/bakery-assistant/edit",
                  dict(CLUES, **{"clue.2.text": "I work in the bakery."}))
    assert unfair.status_code == 400 and "gives away the job's name" in error_beside(unfair, "clue.2.text")
    shown = post(teacher, "/staff/content/guess-my-job/bakery-assistant/edit", dict(CLUES, **{"clue.1.symbol": "job-chef"}))
    assert "shows the same picture as the card of another job (chef)" in error_beside(shown, "clue.1.symbol")
    one = post(teacher, "/staff/content/guess-my-job/bakery-assistant/edit",
               {"clue.1.text": "I put loaves on the shelves.", "clue.1.symbol": "tool-bread"})
    assert one.status_code == 400 and "at least 2" in error_beside(one, "clue")
    words = {"title": "Mill Bakery", "symbol": "place-bakery"}
    for n, (word, symbol) in enumerate([("bread", "tool-bread"), ("cake", "tool-cake"), ("cup", "tool-cup"),
                                        ("coffee", "tool-cup")], start=1):
        words |= {f"word.{n}.text": word, f"word.{n}.symbol": symbol}
    same = post(teacher, "/staff/content/word-mats/new", words)
    assert same.status_code == 400 and "shows the same picture as 'cup'" in error_beside(same, "word.4.symbol")
    long_page = post(teacher, "/staff/content/visits/new", {
        "title": "Mill Bakery", "symbol": "place-bakery",
        "page.1.text": "This is the door.", "page.1.symbol": "visit-toilets",
        "page.2.text": "We go in through the big green door at the side of the shop on Mill Street.",
        "page.2.symbol": "place-bakery", "page.3.text": "Hello!", "page.3.symbol": "tool-cake"})
    assert "has a sentence of 17 words" in error_beside(long_page, "page.2.text")


def test_a_blank_row_is_left_out_and_the_numbers_follow(teacher):
    post(teacher, "/staff/content/jobs/new", dict(BAKERY, symbol="job-baker"))
    gap = {"clue.1.text": CLUES["clue.1.text"], "clue.1.symbol": "tool-bread",
           "clue.3.text": CLUES["clue.2.text"], "clue.3.symbol": "tool-cake"}
    assert post(teacher, "/staff/content/guess-my-job/bakery-assistant/edit", gap).status_code == 302
    page = teacher.get("/staff/content/guess-my-job/bakery-assistant/edit")
    assert re.search(r'name="clue.2.text"[^>]*>I help people choose a cake.<', page.text)


def test_a_picture_is_found_by_its_words_and_shown_as_pictures(teacher):
    found = post(teacher, "/staff/content/jobs/new", dict(BAKERY, find="symbol", **{"q:symbol": "bread"}))
    assert found.status_code == 200
    assert 'type="radio" name="symbol" value="tool-bread"' in found.text
    assert 'src="/symbols/tool-bread"' in found.text
    none = post(teacher, "/staff/content/jobs/new", dict(BAKERY, find="symbol", **{"q:symbol": "zzzz"}))
    assert "No picture has those words" in text_of(none)


def test_photos_lose_exif_and_only_the_school_sees_its_pictures(app, teacher, admin):
    from PIL import Image

    published_bakery(app, teacher, admin)
    with app.app_context():
        row = get_db().execute("SELECT id, file FROM school_pictures").fetchone()
        from student_app.media import media_folder
        with Image.open(media_folder() / row[1]) as image:
            assert not image.getexif() and image.size == (200, 300)  # turned the right way up, no GPS
    ben = app.test_client()
    sign_in_as(ben, app, "learner", "Ben")
    with ben.get(f"/symbols/own-{row[0]}") as served:
        assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert elm_staff(app).get(f"/symbols/own-{row[0]}").status_code == 404
    assert app.test_client().get(f"/symbols/own-{row[0]}").status_code == 404


def test_another_school_never_sees_a_draft_or_a_published_item(app, teacher, admin):
    published_bakery(app, teacher, admin)
    post(teacher, "/staff/content/word-mats/new", {"title": "Mill Bakery", "symbol": "place-bakery",
                                                   **{f"word.{n}.text": w for n, w in enumerate(("bread", "cake", "cup", "sink"), 1)},
                                                   **{f"word.{n}.symbol": s for n, s in enumerate(("tool-bread", "tool-cake", "tool-cup", "job-chef"), 1)}})
    elm = elm_staff(app)
    assert "Bakery assistant" not in text_of(elm.get("/staff/content/"))
    for url in ("/staff/content/jobs/bakery-assistant", "/staff/content/jobs/bakery-assistant/edit",
                "/staff/preview/2/a/job-explorer/bakery-assistant", "/staff/preview/1/a/word-mats/mill-bakery/1",
                "/staff/content/guess-my-job/bakery-assistant/preview/1"):
        assert elm.get(url).status_code == 404, url
    assert teacher.get("/staff/preview/1/a/word-mats/mill-bakery/1").status_code == 200  # a draft, for its staff
    ben = app.test_client()
    sign_in_as(ben, app, "learner", "Ben")
    assert ben.get("/a/word-mats/mill-bakery/1").status_code in (302, 404)
    assert "Mill Bakery" not in text_of(ben.get("/a/word-mats"))
    assert elm.post("/staff/content/jobs/bakery-assistant/edit", data=BAKERY).status_code == 404


def test_a_learners_answer_stays_readable_when_the_job_is_changed(app, teacher, admin):
    published_bakery(app, teacher, admin)
    ben = app.test_client()
    sign_in_as(ben, app, "learner", "Ben")
    ben.post("/activities/guess-my-job/bakery-assistant/start")
    ben.post("/activities/guess-my-job/bakery-assistant/guess", data={"job": "bakery-assistant"})
    post(teacher, "/staff/content/jobs/bakery-assistant/edit", dict(BAKERY, name="Bread shop worker",
                                                                   symbol=_job_symbol(app)))
    assert "Bakery assistant" in text_of(ben.get("/a/job-explorer/bakery-assistant"))  # not published yet
    admin.post("/staff/content/jobs/bakery-assistant/publish")
    assert "Bread shop worker" in text_of(ben.get("/a/job-explorer/bakery-assistant"))
    portfolio = teacher.get(f"/staff/learners/{learner_id(app, 'Ben')}")
    assert "Bread shop worker" in text_of(portfolio)


def _job_symbol(app):
    with app.app_context():
        return "own-%d" % get_db().execute("SELECT min(id) FROM school_pictures").fetchone()[0]


def test_a_translation_shows_in_its_language_and_english_is_marked_without_it(app, teacher, admin):
    published_bakery(app, teacher, admin)
    page = teacher.get("/staff/content/jobs/bakery-assistant/words/cy")
    assert "Bakery assistant" in text_of(page)
    teacher.post("/staff/content/jobs/bakery-assistant/words/cy", data={"job.bakery-assistant.name": "Cynorthwyydd pobi"})
    admin.post("/staff/content/jobs/bakery-assistant/publish")
    ben = app.test_client()
    sign_in_as(ben, app, "learner", "Ben")
    ben.post("/preferences", data={"language": "cy"})
    card = ben.get("/a/job-explorer/bakery-assistant")
    assert "Cynorthwyydd pobi" in card.text
    assert re.search(r'lang="en-GB"[^>]*>\s*In the bakery on Mill Street', card.text) or 'lang="en' in card.text


def test_staff_record_their_own_reading_of_a_school_text(app, teacher, admin):
    from tests.test_library import fake_webm

    published_bakery(app, teacher, admin)
    saved = teacher.post("/staff/voices", data={"text": CLUES["clue.1.text"], "lang": "en",
                                                "voice": (io.BytesIO(fake_webm()), "v.webm"),
                                                "back": "/staff/content/guess-my-job/bakery-assistant"},
                         content_type="multipart/form-data")
    assert saved.status_code == 302 and saved.headers["Location"] == "/staff/content/guess-my-job/bakery-assistant"
    ben = app.test_client()
    sign_in_as(ben, app, "learner", "Ben")
    assert "/voice/" in ben.get("/activities/guess-my-job/bakery-assistant/clue/1").text


def test_every_change_is_in_the_audit_log(app, teacher, admin):
    published_bakery(app, teacher, admin)
    log = text_of(admin.get("/staff/audit"))
    for words in ("saved a draft of jobs/bakery-assistant.toml", "published guess-my-job/bakery-assistant.toml",
                  "added a picture" if False else "saved a draft of guess-my-job/bakery-assistant.toml"):
        assert words in log


def test_text_is_escaped_everywhere(app, teacher):
    post(teacher, "/staff/content/jobs/new", dict(BAKERY, symbol="job-baker", name="Baker <script>x</script>"))
    page = teacher.get("/staff/content/")
    assert "<script>x" not in page.text and "&lt;script&gt;x" in page.text


def test_export_then_import_into_another_school(app, teacher, admin, runner, tmp_path):
    published_bakery(app, teacher, admin)
    teacher.post("/staff/content/jobs/bakery-assistant/words/cy", data={"job.bakery-assistant.name": "Cynorthwyydd pobi"})
    admin.post("/staff/content/jobs/bakery-assistant/publish")
    exported = admin.get("/staff/content/export")
    assert exported.status_code == 200 and exported.mimetype == "application/zip"
    packed = zipfile.ZipFile(io.BytesIO(exported.data))
    names = set(packed.namelist())
    assert {"activities/jobs/bakery-assistant.toml", "activities/guess-my-job/bakery-assistant.toml",
            "activities/local/bakery-assistant.toml", "activities/languages/cy.toml", "symbols/manifest.toml"} <= names
    assert any(name.startswith("symbols/own-") and name.endswith(".jpg") for name in names)
    (tmp_path / "ours.zip").write_bytes(exported.data)
    checked = runner.invoke(args=["content", "check", "--export", str(tmp_path / "ours.zip")])
    assert checked.exit_code == 0 and "all valid" in checked.output, checked.output
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as out:
        out.writestr("activities/jobs/x.toml", 'id = "x"\nname = "X"\n')
    failed = runner.invoke(args=["content", "check", "--export", str(broken)])
    assert failed.exit_code == 1 and "activities/jobs/x.toml: field 'route' is missing" in failed.output

    elm = elm_staff(app, role="admin")
    imported = elm.post("/staff/content/import", data={"export": (io.BytesIO(exported.data), "ours.zip")},
                        content_type="multipart/form-data")
    assert imported.status_code == 200 and "3 items are now drafts" in text_of(imported), text_of(imported)
    with app.app_context():
        rows = {row["path"]: row for row in get_db().query("SELECT * FROM school_content WHERE school_id = 2")}
        pictures = list(get_db().query("SELECT id FROM school_pictures WHERE school_id = 2"))
    assert rows["jobs/bakery-assistant.toml"]["published"] is None
    assert f'symbol = "own-{pictures[0]["id"]}"' in rows["jobs/bakery-assistant.toml"]["draft"]
    assert json.loads(rows["jobs/bakery-assistant.toml"]["draft_words"])["cy"]["job.bakery-assistant.name"] == "Cynorthwyydd pobi"
    bad = elm.post("/staff/content/import", data={"export": (io.BytesIO(b"not a zip"), "x.zip")},
                   content_type="multipart/form-data")
    assert bad.status_code == 400 and "not a zip" in text_of(bad)


def test_narration_is_made_in_the_background(app, teacher):
    from student_app.authoring import narrate

    if app.extensions["narration_problem"]:
        pytest.skip(app.extensions["narration_problem"])
    post(teacher, "/staff/content/jobs/new", dict(BAKERY, symbol="job-baker"))
    narrate.MAKER.submit(lambda: None).result(timeout=60)  # the clips queued before it are made
    page = teacher.get("/staff/content/jobs/bakery-assistant")
    assert re.search(r"All \d+ texts are narrated", text_of(page)), text_of(page)


def test_staff_views_mark_the_schools_own_and_learners_see_no_mark(app, teacher, admin):
    published_bakery(app, teacher, admin)
    assert "Bakery assistant (our own)" in text_of(teacher.get("/staff/preview/2/a/job-explorer?page=2")) or \
        "(our own)" in "".join(text_of(teacher.get(f"/staff/preview/2/a/job-explorer?page={n}")) for n in range(1, 20))
    assert "Bakery assistant (our own)" in text_of(teacher.get("/staff/classes/1/sessions/new"))
    ben = app.test_client()
    sign_in_as(ben, app, "learner", "Ben")
    assert not any("(our own)" in text_of(ben.get(f"/a/job-explorer?page={n}")) for n in range(1, 20))
