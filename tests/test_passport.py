"""Passport pages, the family view, audit, benchmarks, the printed passport and data rights."""

import csv
import io
import json
import subprocess
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from PIL import Image

from student_app.db import get_db
from student_app.demo import FAMILY
from tests.conftest import learner_id, sign_in_as, text_of
from tests.test_library import fake_webm, jpeg_with_gps, png_header


def page_form(**extra):
    form = {"kind": "workplace", "what": "Helping at the farm shop", "place": "Hill Farm",
            "place_symbol": "place-farm", "happened_on": "2026-10-20", "who_with": "Ms Patel",
            "did": "I packed eggs into boxes.", "feeling": "feeling-proud",
            "learnt": "Eggs break easily.", "again": "yes"}
    form.update(extra)
    return form


def sign_in_family(client, email=FAMILY[1], password=FAMILY[2]):
    response = client.post("/family/sign-in", data={"email": email, "password": password})
    assert response.status_code == 302, response.text
    return response


def rows(app, query, args=()):
    with app.app_context():
        return list(get_db().query(query, list(args)))


def test_a_learner_adds_a_page_with_photos_and_a_voice_recording(client, app):
    sign_in_as(client, app, "learner", "Amira")  # photo consent: yes
    assert 'name="photo"' in client.get("/passport/new/photos").text  # the camera screen
    data = page_form(photos=[(io.BytesIO(jpeg_with_gps()), "a.jpg"), (io.BytesIO(jpeg_with_gps()), "b.jpg")],
                     did_voice=(io.BytesIO(fake_webm()), "did.webm"))
    response = client.post("/passport/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    for words in ("Helping at the farm shop", "Hill Farm", "I packed eggs into boxes.", "Proud",
                  "Eggs break easily.", "Added by the learner"):
        assert words in page
    assert "Gatsby" not in page  # a staff word
    photos = rows(app, "SELECT media.* FROM passport_photos JOIN media ON media.id = media_id")
    assert len(photos) == 2 and all(p["thumb_file"] for p in photos)
    with client.get(f"/media/{photos[0]['id']}/thumb") as thumb:
        with Image.open(io.BytesIO(thumb.data)) as image:
            assert max(image.size) == 300 and not image.getexif()  # 300 x 200, turned upright
    assert rows(app, "SELECT did_voice FROM passport_pages WHERE what = 'Helping at the farm shop'")[0]["did_voice"]


def test_no_camera_and_no_photos_for_a_learner_without_photo_consent(client, app):
    sign_in_as(client, app, "learner", "Chloe")  # photo consent: no
    assert client.get("/passport/new/photos").status_code == 404
    assert 'name="photo"' not in "".join(client.get(f"/passport/new/{step}").text for step in ("kind", "did", "save"))
    client.post("/a/all-about-me/mine/start")
    assert 'name="photo"' not in client.get("/a/all-about-me/mine/1").text
    response = client.post("/passport/new", data=page_form(photos=[(io.BytesIO(jpeg_with_gps()), "a.jpg")]),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert rows(app, "SELECT * FROM passport_photos") == []


@pytest.mark.parametrize("data, message", [
    (b"not a picture at all", "not a photo we can open"),
    (None, "too big"),
])
def test_a_bad_photo_stores_nothing(client, app, data, message):
    sign_in_as(client, app, "learner", "Amira")
    data = data if data is not None else png_header(20000, 20000)
    before = len(rows(app, "SELECT id FROM passport_pages"))
    response = client.post("/passport/new", data=page_form(photos=[(io.BytesIO(data), "x.jpg")]),
                           content_type="multipart/form-data")
    assert response.status_code == 400 and message in text_of(response)
    assert "Helping at the farm shop" in response.text  # what was typed is kept in the form
    assert len(rows(app, "SELECT id FROM passport_pages")) == before
    assert rows(app, "SELECT * FROM media") == []


@pytest.mark.parametrize("change, message", [
    ({"kind": "party"}, "what kind of experience"),
    ({"happened_on": "yesterday"}, "the date it happened"),
    ({"feeling": "feeling-<b>"}, "one of the pictures"),
    ({"did": "x" * 1001}, "keep each answer shorter"),
])
def test_bad_page_input_gets_a_kind_message(client, app, change, message):
    sign_in_as(client, app, "learner", "Amira")
    response = client.post("/passport/new", data=page_form(**change))
    assert response.status_code == 400 and message in text_of(response)


def test_a_page_with_no_title_typed_gets_one_from_its_kind_and_place(client, app):
    sign_in_as(client, app, "learner", "Amira")
    assert client.post("/passport/new", data=page_form(what="")).status_code == 302
    assert rows(app, "SELECT what FROM passport_pages ORDER BY id DESC")[0]["what"] == "At a workplace: Hill Farm"


def test_staff_add_a_page_and_a_note_kept_apart(client, app):
    chloe = learner_id(app, "Chloe")
    sign_in_as(client, app, "staff")
    response = client.post(f"/staff/learners/{chloe}/passport/new", data=page_form(kind="guidance",
                           what="Careers interview"))
    page_url = response.headers["Location"]
    client.post(f"{page_url}/notes", data={"text": "Agreed: a college visit in spring."})
    page = text_of(client.get(page_url))
    assert "Added by staff with the learner" in page
    assert "Note from Jo Evans (staff)" in page and "Agreed: a college visit in spring." in page


def test_family_comment_is_marked_escaped_and_can_be_hidden_by_staff(client, app):
    amira = learner_id(app, "Amira")
    page_id = rows(app, "SELECT id FROM passport_pages WHERE learner_id = ?", [amira])[0]["id"]
    sign_in_family(client)
    url = f"/family/children/{amira}/passport/pages/{page_id}"
    comment = "We went again! <script>alert(1)</script>"
    assert client.post(f"{url}/notes", data={"text": comment}).status_code == 302
    page = client.get(url)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert" not in page.text
    assert "From home: Rosa Khan (family)" in text_of(page)
    client.post("/sign-out")
    sign_in_as(client, app, "staff")
    note = rows(app, "SELECT id FROM page_notes")[0]["id"]
    staff_url = f"/staff/learners/{amira}/passport/pages/{page_id}"
    assert client.post(f"{staff_url}/notes/{note}/hide").status_code == 302
    assert "hidden from the passport" in text_of(client.get(staff_url))
    client.post("/sign-out")
    sign_in_family(client)
    assert "We went again" not in client.get(url).text


def make_invitation(client, app, name="Chloe"):
    sign_in_as(client, app, "staff")
    page = text_of(client.post(f"/staff/learners/{learner_id(app, name)}/invitations"))
    link = page.split("Link ")[1].split(" ")[0]
    code = page.split("Code ")[1].split(" ")[0]
    client.post("/sign-out")
    return link.removeprefix("http://localhost"), code


def test_invitation_link_makes_an_account_once(client, app):
    link, _code = make_invitation(client, app)
    join = {"name": "Dev Shah", "email": "dev@example.org", "password": "long-enough-1",
            "password_again": "long-enough-1"}
    assert client.get(link).status_code == 200
    response = client.post(link, data=join)
    assert response.headers["Location"].endswith("/family/")
    home = text_of(client.get("/family/"))
    assert "Chloe" in home and "Amira" not in home
    client.post("/sign-out")
    again = client.post(link, data=join)
    assert again.status_code == 400 and "already been used" in text_of(again)


def test_invitation_code_links_a_second_child_to_the_same_account(client, app):
    _link, code = make_invitation(client, app, "Chloe")
    sign_in_family(client)
    assert client.post("/family/join", data={"code": code.lower()}).status_code == 302
    home = text_of(client.get("/family/"))
    assert all(name in home for name in ("Amira", "Ben", "Chloe"))


def test_expired_and_revoked_invitations_are_refused_kindly(client, app):
    link, code = make_invitation(client, app)
    with app.app_context():
        past = (datetime.now(timezone.utc) - timedelta(days=1)).isoformat(timespec="seconds")
        get_db().execute("UPDATE invitations SET expires_at = ?", [past])
    response = client.post("/family/join", data={"code": code, "email": "x@example.org",
                                                 "name": "X", "password": "long-enough-1",
                                                 "password_again": "long-enough-1"})
    assert response.status_code == 400 and "run out" in text_of(response)
    link, code = make_invitation(client, app)
    sign_in_as(client, app, "staff")
    invitation = rows(app, "SELECT id FROM invitations ORDER BY id DESC")[0]["id"]
    client.post(f"/staff/learners/{learner_id(app, 'Chloe')}/invitations/{invitation}/revoke")
    client.post("/sign-out")
    response = client.get(link)
    assert response.status_code == 400 and "cancelled" in text_of(response)
    response = client.post("/family/join", data={"code": "ZZZZ-ZZZZ"})
    assert response.status_code == 400 and "could not find" in text_of(response)


def test_a_family_reaches_only_their_own_children(client, app):
    amira, chloe = learner_id(app, "Amira"), learner_id(app, "Chloe")
    chloe_page = rows(app, "SELECT id FROM passport_pages WHERE learner_id = ?", [amira])[0]["id"]
    sign_in_as(client, app, "learner", "Chloe")
    client.post("/passport/new", data=page_form())
    client.post("/a/all-about-me/mine/start")
    client.post("/a/all-about-me/mine/1", data={"voice": (io.BytesIO(fake_webm()), "v.webm")},
                content_type="multipart/form-data")
    chloe_page = rows(app, "SELECT id FROM passport_pages WHERE learner_id = ?", [chloe])[0]["id"]
    chloe_media = rows(app, "SELECT id FROM media WHERE learner_id = ?", [chloe])[0]["id"]
    client.post("/sign-out")
    sign_in_family(client)
    assert client.get(f"/family/children/{amira}/passport").status_code == 200
    for url in (f"/family/children/{chloe}/passport", f"/family/children/{chloe}/passport/pages/{chloe_page}",
                f"/family/children/{amira}/passport/pages/{chloe_page}",
                f"/family/children/{chloe}/passport/print", f"/family/children/{chloe}/passport.pdf",
                f"/media/{chloe_media}", "/family/children/99999/passport"):
        assert client.get(url).status_code in (403, 404), url
    assert client.post(f"/family/children/{chloe}/passport/pages/{chloe_page}/notes",
                       data={"text": "hi"}).status_code == 404
    assert client.get(f"/family/children/{amira}/passport/new").status_code == 403
    assert client.get(f"/staff/learners/{amira}").status_code == 403
    assert client.get("/home").status_code == 403


def test_family_never_sees_photos_of_a_learner_without_consent(client, app):
    amira = learner_id(app, "Amira")
    sign_in_as(client, app, "learner", "Amira")
    client.post("/passport/new", data=page_form(photos=[(io.BytesIO(jpeg_with_gps()), "a.jpg")]),
                content_type="multipart/form-data")
    photo = rows(app, "SELECT media_id FROM passport_photos")[0]["media_id"]
    client.post("/sign-out")
    sign_in_family(client)
    with client.get(f"/media/{photo}") as response:
        assert response.status_code == 200
    with app.app_context():
        get_db().execute("UPDATE learners SET photo_consent = 0 WHERE id = ?", [amira])
    assert client.get(f"/media/{photo}").status_code == 404
    assert f"/media/{photo}" not in client.get(f"/family/children/{amira}/passport").text
    assert f"/media/{photo}" not in client.get(f"/family/children/{amira}/passport/print").text


def test_views_are_audited_and_only_an_admin_reads_the_log(client, app):
    amira = learner_id(app, "Amira")
    sign_in_family(client)
    client.get(f"/family/children/{amira}/passport")
    client.post("/sign-out")
    sign_in_as(client, app, "staff")
    client.get(f"/staff/learners/{amira}")
    assert client.get("/staff/audit").status_code == 403
    client.post("/sign-out")
    sign_in_as(client, app, "admin")
    log = text_of(client.get("/staff/audit"))
    assert "Rosa Khan (family)" in log and "viewed passport" in log
    assert "Jo Evans (staff)" in log and "viewed portfolio" in log


def test_portfolio_filters_by_kind_date_and_benchmark(client, app):
    amira = learner_id(app, "Amira")
    sign_in_as(client, app, "staff")
    url = f"/staff/learners/{amira}"
    section = lambda response: text_of(response).split("Passport pages")[1]  # noqa: E731
    employer = section(client.get(f"{url}?kind=employer"))
    assert "A chef came to school" in employer and "garden centre" not in employer
    october = section(client.get(f"{url}?from=2026-10-01&to=2026-10-31"))
    assert "garden centre" in october and "A chef came to school" not in october
    six = section(client.get(f"{url}?benchmark=6"))
    assert "garden centre" in six and "A chef came to school" not in six
    assert client.get(f"{url}?from=soon").status_code == 400
    assert client.get(f"{url}?kind=party").status_code == 400


def test_benchmark_summary_and_csv_show_gaps(client, app):
    sign_in_as(client, app, "staff")
    page = text_of(client.get("/staff/classes/1/benchmarks"))
    assert "No workplace experience by 16 (6)" in page
    response = client.get("/staff/classes/1/benchmarks.csv")
    assert response.mimetype == "text/csv"
    table = {row["learner"]: row for row in csv.DictReader(io.StringIO(response.text))}
    assert table["Farhan"]["no-workplace"] == "yes"  # 18, no workplace page
    assert table["Farhan"]["no-guidance"] == "yes"
    assert table["Chloe"]["no-workplace"] == ""  # 14: not yet expected
    assert table["Ben"]["benchmark 7"] in ("0", "1")  # the taster day counts if in this school year


def pdf_info(data, tmp_path):
    path = tmp_path / "passport.pdf"
    path.write_bytes(data)
    pages = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return pages, " ".join(text.split())


def test_the_passport_pdf_has_its_chapters_and_the_learners_words(client, app, tmp_path):
    amira = learner_id(app, "Amira")
    sign_in_as(client, app, "staff")
    response = client.get(f"/staff/learners/{amira}/passport.pdf")
    assert response.mimetype == "application/pdf"
    pages, text = pdf_info(response.data, tmp_path)
    # Cover, All about me, My experiences, Highlights, What I want to do next.
    assert pages == 5
    for words in ("My passport", "Amira", "A morning at the garden centre",
                  "I watered the plants and put price labels on the pots.",
                  "I would like to do this again: A morning at the garden centre"):
        assert words in text
    only_september = client.get(f"/staff/learners/{amira}/passport.pdf?from=2026-09-01&to=2026-09-30")
    _, text = pdf_info(only_september.data, tmp_path)
    assert "A chef came to school" in text and "garden centre" not in text
    assert client.get(f"/staff/learners/{amira}/passport.pdf?from=never").status_code == 400


def test_a_family_can_print_their_childs_passport(client, app, tmp_path):
    ben = learner_id(app, "Ben")
    sign_in_family(client)
    page = text_of(client.get(f"/family/children/{ben}/passport/print"))
    assert "College taster day" in page and "Download as PDF" in page
    response = client.get(f"/family/children/{ben}/passport.pdf")
    _, text = pdf_info(response.data, tmp_path)
    assert "I tried the computer course and made a small game." in text


def test_admin_exports_everything_about_one_learner(client, app, tmp_path):
    amira = learner_id(app, "Amira")
    sign_in_as(client, app, "learner", "Amira")
    client.post("/passport/new", data=page_form(photos=[(io.BytesIO(jpeg_with_gps()), "a.jpg")]),
                content_type="multipart/form-data")
    client.post("/sign-out")
    sign_in_as(client, app, "staff")
    assert client.get(f"/staff/learners/{amira}/export.zip").status_code == 403
    client.post("/sign-out")
    sign_in_as(client, app, "admin")
    response = client.get(f"/staff/learners/{amira}/export.zip")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = archive.namelist()
        data = json.loads(archive.read("data.json"))
        assert archive.read("passport.pdf")[:4] == b"%PDF"
    assert data["learner"][0]["name"] == "Amira" and "code_hash" not in data["learner"][0]
    assert len(data["passport_pages"]) == 3
    assert any(name.startswith("media/") and name.endswith(".jpg") for name in names)


def test_admin_erases_a_learner_completely_after_typing_their_name(client, app):
    amira = learner_id(app, "Amira")
    sign_in_as(client, app, "learner", "Amira")
    client.post("/passport/new", data=page_form(photos=[(io.BytesIO(jpeg_with_gps()), "a.jpg")]),
                content_type="multipart/form-data")
    files = [r["file"] for r in rows(app, "SELECT file FROM media")]
    client.post("/sign-out")
    sign_in_as(client, app, "admin")
    wrong = client.post(f"/staff/learners/{amira}/erase", data={"confirm_name": "Amria"})
    assert wrong.status_code == 400 and rows(app, "SELECT id FROM learners WHERE id = ?", [amira])
    right = client.post(f"/staff/learners/{amira}/erase", data={"confirm_name": "Amira"})
    assert right.status_code == 302
    for table in ("learners", "passport_pages", "media", "plays", "family_links"):
        column = "id" if table == "learners" else "learner_id"
        assert rows(app, f"SELECT * FROM {table} WHERE {column} = ?", [amira]) == []
    folder = app.instance_path + "/media/"
    import os
    assert not any(os.path.exists(folder + name) for name in files)
    assert client.get(f"/staff/learners/{amira}").status_code == 404


def test_a_common_or_short_family_password_is_refused(client, app):
    link, _code = make_invitation(client, app)
    base = {"name": "Dev Shah", "email": "dev@example.org"}
    short = client.post(link, data={**base, "password": "short1", "password_again": "short1"})
    assert short.status_code == 400 and "at least 8 characters" in text_of(short)
    common = client.post(link, data={**base, "password": "Password123", "password_again": "Password123"})
    # The same refusal as for any other detail (issue 13.2: the form tells nothing of who has
    # an account), which names every rule.
    assert common.status_code == 400 and "not a very common one" in text_of(common)
    pasted = "a long pasted passphrase with spaces"  # no composition rules
    assert client.post(link, data={**base, "password": pasted, "password_again": pasted}).status_code == 302


def test_family_sees_nothing_until_staff_share_and_the_learner_is_told(client, app):
    amira = learner_id(app, "Amira")
    sign_in_as(client, app, "learner", "Amira")
    assert "My family can see my work: Rosa Khan." in text_of(client.get("/passport"))
    client.post("/sign-out")
    sign_in_as(client, app, "staff")
    client.post(f"/staff/learners/{amira}/settings", data={"career_group": "1", "choices": "2"})
    client.post("/sign-out")
    sign_in_family(client)
    assert client.get(f"/family/children/{amira}/passport").status_code == 404
    assert "not shared with you at the moment" in text_of(client.get("/family/"))
    client.post("/sign-out")
    sign_in_as(client, app, "learner", "Amira")
    assert "Only me and my school can see my work." in text_of(client.get("/passport"))


def test_staff_write_down_what_was_said_in_a_recording(client, app):
    """WCAG 1.2.1: the words of a recording are shown with it, to the learner and the family,
    and printed in its place."""
    sign_in_as(client, app, "learner", "Amira")
    client.post("/passport/new", data=page_form(did_voice=(io.BytesIO(fake_webm()), "did.webm")),
                content_type="multipart/form-data")
    voice = rows(app, "SELECT id FROM media WHERE kind = 'voice'")[0]["id"]
    amira = rows(app, "SELECT id FROM learners WHERE name = 'Amira'")[0]["id"]
    staff = app.test_client()
    sign_in_as(staff, app, "staff")
    portfolio = staff.get(f"/staff/learners/{amira}").text
    assert f'action="/staff/learners/{amira}/recordings/{voice}/transcript"' in portfolio
    url = f"/staff/learners/{amira}/recordings/{voice}/transcript"
    assert staff.post(url, data={"transcript": "x" * 2001}).status_code == 400
    chloe = rows(app, "SELECT id FROM learners WHERE name = 'Chloe'")[0]["id"]
    assert staff.post(f"/staff/learners/{chloe}/recordings/{voice}/transcript", data={"transcript": "x"}).status_code == 404
    response = staff.post(url, data={"transcript": "I packed the eggs <b>carefully</b>.", "back": "https://evil.example/"})
    assert response.headers["Location"] == f"/staff/learners/{amira}"
    said = "What was said: I packed the eggs <b>carefully</b>."
    assert said in text_of(client.get("/passport"))
    family = app.test_client()
    sign_in_family(family)
    assert said in text_of(family.get(f"/family/children/{amira}/passport"))
    printed = staff.get(f"/staff/learners/{amira}/passport/print").text
    assert "I packed the eggs &lt;b&gt;carefully&lt;/b&gt;." in printed and "(a voice recording)" not in printed
    staff.post(url, data={"transcript": ""})  # empty words take it away
    assert "(a voice recording)" in staff.get(f"/staff/learners/{amira}/passport/print").text


# issue 14: a learner adds a page one question a screen, kept in a draft on the server.
def draft(app, name="Amira"):
    found = rows(app, "SELECT * FROM passport_drafts WHERE learner_id = ?", [learner_id(app, name)])
    return dict(found[0], answers=json.loads(found[0]["answers"])) if found else None


def test_each_screen_keeps_its_answer_and_save_makes_the_page_with_a_title(client, app):
    sign_in_as(client, app, "learner", "Farhan")  # Group 2: types; four pictures a screen; no photo consent
    start = client.get("/passport/new")
    assert start.status_code == 302 and start.headers["Location"].endswith("/passport/new/kind")
    kind = client.get("/passport/new/kind")
    assert kind.status_code == 200 and "What kind of experience was it?" in text_of(kind)
    assert kind.text.count('name="choice"') == 4 and 'name="more"' in kind.text  # four a screen, then more
    assert "Gatsby" not in kind.text and "SEND" not in kind.text
    steps = [("kind", {"choice": "workplace"}, "place"),
             ("place", {"choice": "place-farm", "words": ""}, "when"),
             ("when", {"go": "today"}, "who"),
             ("who", {"shown": ["class", "teacher", "family", "friend"], "choice": ["teacher"], "words": "Ms Patel"}, "did"),
             ("did", {"words": "I packed eggs."}, "learnt"),
             ("learnt", {"words": "Eggs go in boxes of six."}, "feeling"),
             ("feeling", {"choice": "feeling-proud"}, "again"),
             ("again", {"choice": "yes"}, "save")]
    for step, data, going in steps:
        response = client.post(f"/passport/new/{step}", data=data)
        assert response.status_code == 302, (step, response.text)
        assert response.headers["Location"].endswith(f"/passport/new/{going}")
        assert draft(app, "Farhan")["step"] == going
    answers = draft(app, "Farhan")["answers"]
    assert answers["kind"] == "workplace" and answers["place_symbol"] == "place-farm"
    assert answers["who"] == ["teacher"] and answers["did"] == "I packed eggs."
    summary = text_of(client.get("/passport/new/save"))
    for words in ("At a workplace", "Farm", "Today", "My teacher, Ms Patel", "I packed eggs.", "Eggs go in boxes of six.",
                  "Proud", "Yes"):
        assert words in summary
    # Back keeps what was given, on the screen and in the draft.
    back = client.post("/passport/new/save", data={"go": "back", "words": "My farm day"})
    assert back.headers["Location"].endswith("/passport/new/again")
    assert 'aria-pressed="true"' in client.get("/passport/new/again").text
    assert "I packed eggs." in client.get("/passport/new/did").text
    assert draft(app, "Farhan")["answers"]["what"] == "My farm day"
    client.post("/passport/new/save", data={"words": ""})  # no name typed: one is made
    saved = client.post("/passport/new/save", data={"go": "save", "words": ""})
    assert saved.status_code == 302 and "/passport/pages/" in saved.headers["Location"]
    page = rows(app, "SELECT * FROM passport_pages WHERE learner_id = ? ORDER BY id DESC", [learner_id(app, "Farhan")])[0]
    assert page["what"] == "At a workplace: Farm" and page["place"] == "Farm" and page["given_by"] == "learner"
    assert page["who_with"] == "My teacher, Ms Patel" and page["happened_on"] == datetime.now().date().isoformat()
    assert page["learnt"] == "Eggs go in boxes of six."
    assert page["learnt"] == "Eggs go in boxes of six."
    assert draft(app, "Farhan") is None
    assert client.get("/passport/new").headers["Location"].endswith("/passport/new/kind")


def test_a_learner_who_cannot_type_makes_a_page_by_taps_alone(client, app):
    sign_in_as(client, app, "learner", "Chloe")  # Group 1, two pictures a screen, no photo consent
    kind = client.get("/passport/new/kind").text
    assert kind.count('name="choice"') == 2 and 'name="words"' not in kind
    assert client.get("/passport/new/photos").status_code == 404  # no consent: no photo screen
    # The third screenful of kinds, via More (what was given stays).
    more = client.post("/passport/new/kind", data={"more": "3"})
    assert more.headers["Location"].endswith("/passport/new/kind?page=3")
    assert 'value="tried"' in client.get("/passport/new/kind?page=3").text
    client.post("/passport/new/kind", data={"choice": "tried"})
    for step in ("place", "when", "who", "did", "feeling", "again"):
        assert client.post(f"/passport/new/{step}", data={"go": "skip"}).status_code == 302
    assert client.post("/passport/new/save", data={"go": "save"}).status_code == 302
    page = rows(app, "SELECT * FROM passport_pages WHERE learner_id = ?", [learner_id(app, "Chloe")])[-1]
    assert page["what"] == "Something I tried" and page["place"] is None


def test_photos_and_a_recording_are_kept_at_once_and_go_to_the_page(client, app):
    sign_in_as(client, app, "learner", "Amira")  # photo consent
    client.post("/passport/new/kind", data={"choice": "employer"})
    photos = client.get("/passport/new/photos").text
    assert 'class="camera-input" type="file" name="photo"' in photos and 'for="photo"' not in photos
    response = client.post("/passport/new/photos", data={"photo": [(io.BytesIO(jpeg_with_gps()), "a.jpg"),
                                                                   (io.BytesIO(jpeg_with_gps()), "b.jpg")]},
                           content_type="multipart/form-data")
    assert response.status_code == 302 and "kept=2" in response.headers["Location"]
    kept = rows(app, "SELECT media.* FROM passport_draft_photos JOIN media ON media.id = media_id")
    assert len(kept) == 2 and all(p["thumb_file"] for p in kept)
    with client.get(f"/media/{kept[0]['id']}") as photo:
        with Image.open(io.BytesIO(photo.data)) as image:
            assert not image.getexif()  # no place or camera in the file
    assert "Your photos are kept" in text_of(client.get(response.headers["Location"]))
    # Take one out: its row and its files go.
    client.post("/passport/new/photos", data={"remove": str(kept[1]["id"])})
    assert [p["media_id"] for p in rows(app, "SELECT media_id FROM passport_draft_photos")] == [kept[0]["id"]]
    assert rows(app, "SELECT id FROM media WHERE id = ?", [kept[1]["id"]]) == []
    client.post("/passport/new/did", data={"voice": (io.BytesIO(fake_webm()), "v.webm")}, content_type="multipart/form-data")
    first_voice = draft(app)["did_voice"]
    client.post("/passport/new/did", data={"voice": (io.BytesIO(fake_webm()), "w.webm")}, content_type="multipart/form-data")
    voice = draft(app)["did_voice"]
    assert voice and voice != first_voice and rows(app, "SELECT id FROM media WHERE id = ?", [first_voice]) == []
    # Unsaved, the photos are not among the loose photos staff see on the portfolio.
    staff = app.test_client()
    sign_in_as(staff, app, "staff")
    assert f"/media/{kept[0]['id']}/thumb" not in staff.get(f"/staff/learners/{learner_id(app, 'Amira')}").text
    client.post("/passport/new/save", data={"go": "save"})
    page = rows(app, "SELECT * FROM passport_pages ORDER BY id DESC")[0]
    assert page["what"] == "Meeting an employer" and page["did_voice"] == voice
    assert [p["media_id"] for p in rows(app, "SELECT media_id FROM passport_photos WHERE page_id = ?", [page["id"]])] == [kept[0]["id"]]
    assert rows(app, "SELECT * FROM passport_draft_photos") == []


@pytest.mark.parametrize("step, data, message", [
    ("kind", {}, "Tap one of the pictures"),
    ("kind", {"go": "skip"}, "Tap one of the pictures"),
    ("kind", {"choice": "party"}, "Tap one of the pictures"),
    ("place", {"go": "next"}, "tap Skip if you do not want to answer"),
    ("place", {"choice": "nav-home"}, "Tap one of the pictures"),
    ("when", {"happened_on": "yesterday"}, "the date it happened"),
    ("when", {"happened_on": "2999-01-01"}, "already happened"),
    ("did", {"words": "x" * 1001}, "keep each answer shorter"),
    ("feeling", {"choice": ["feeling-sad", "feeling-happy"]}, "Tap one of the pictures"),
    ("photos", {"photo": (io.BytesIO(b"not a picture"), "x.jpg")}, "not a photo we can open"),
    ("photos", {"remove": "99999"}, "not on this page"),
    ("again", {"go": "fly"}, "tap one of the buttons"),
    ("save", {"go": "save"}, "what kind of experience"),
])
def test_a_refused_screen_says_why_kindly_with_a_400(client, app, step, data, message):
    sign_in_as(client, app, "learner", "Dylan" if step != "photos" else "Amira")
    response = client.post(f"/passport/new/{step}", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and message in text_of(response)
    assert 'role="alert"' in response.text and 'class="listen"' in response.text.split('role="alert"')[1][:1200]
    assert rows(app, "SELECT * FROM passport_pages WHERE learner_id = ?", [learner_id(app, "Dylan")]) == []


def test_a_draft_is_the_learners_own(client, app):
    sign_in_as(client, app, "learner", "Ben")
    client.post("/passport/new/kind", data={"choice": "guidance"})
    client.post("/passport/new/place", data={"words": "Ben's secret place"})
    other = app.test_client()
    sign_in_as(other, app, "learner", "Dylan")
    assert "secret place" not in other.get("/passport/new/place").text
    other.post("/passport/new/place", data={"words": "Dylan's place"})
    assert draft(app, "Ben")["answers"]["place"] == "Ben's secret place"
    assert draft(app, "Dylan")["answers"]["place"] == "Dylan's place"
    staff = app.test_client()
    sign_in_as(staff, app, "staff")
    ben = learner_id(app, "Ben")
    assert staff.get(f"/staff/learners/{ben}/passport/new/place").status_code == 403
    assert staff.post(f"/staff/learners/{ben}/passport/new/place", data={"words": "x"}).status_code == 403
    assert "Add a page to Ben's passport" in text_of(staff.get(f"/staff/learners/{ben}/passport/new"))
    assert draft(app, "Ben")["answers"]["place"] == "Ben's secret place"


def test_a_reload_or_another_tablet_carries_on_where_the_learner_was(client, app):
    sign_in_as(client, app, "learner", "Ben")
    client.post("/passport/new/kind", data={"choice": "provider"})
    client.post("/passport/new/place", data={"words": "Riverside College"})
    tablet = app.test_client()
    sign_in_as(tablet, app, "learner", "Ben")
    assert "Carry on with my new page" in text_of(tablet.get("/passport"))
    assert tablet.get("/passport/new").headers["Location"].endswith("/passport/new/when")
    assert "Riverside College" in tablet.get("/passport/new/place").text


def test_staff_words_stay_off_the_learners_and_familys_passport(client, app):
    sign_in_as(client, app, "learner", "Amira")
    for url in ("/passport", "/passport/pages/1", "/passport/print"):
        assert "Gatsby" not in text_of(client.get(url)), url
    staff = app.test_client()
    sign_in_as(staff, app, "staff")
    assert "Gatsby Benchmark 6" in text_of(staff.get(f"/staff/learners/{learner_id(app, 'Amira')}/passport"))


def test_each_printed_highlight_says_which_question_it_answers(client, app):
    sign_in_as(client, app, "learner", "Ben")
    client.post("/a/my-skills/mine/start")
    response = client.post("/a/my-skills/mine/1", data={"choice": "can"})
    number = 2
    while "/done" not in response.headers["Location"]:
        response = client.post(f"/a/my-skills/mine/{number}", data={"choice": "with-help"})
        number += 1
    highlights = client.get("/passport/print").text.split("Highlights of my activities")[1].split("</ul>")[0]
    steps = get_steps(app, "my-skills")
    assert highlights.count("<dt>") == len(steps)
    for step in steps:
        assert f"<dt>{step}</dt>" in highlights


def get_steps(app, activity):
    from student_app.content import get_catalogue

    with app.test_request_context():
        return [str(step.prompt) for step in get_catalogue().activities[activity].steps]
