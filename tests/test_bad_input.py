"""Bad input, tried on purpose: hostile files, script in every field people type, forged and
replayed requests, and a shared tablet after sign-out. Each gets a kind 4xx (or is made
harmless), never a 500; what is stored and served is checked, not only the status."""

import io
import re
import shutil
import time
from pathlib import Path

import pytest
from PIL import Image

from student_app import create_app
from student_app.db import get_db
from student_app.demo import STAFF
from tests.conftest import current_code, demo_code, learner_id, sign_in_as, text_of
from tests.test_durability import multipart
from tests.test_library import fake_webm, jpeg_with_gps, png_header
from tests.test_passport import page_form, pdf_info, rows, sign_in_family

# A page that echoed this unescaped would run it; escaped, it is shown as the words typed.
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;"


def small_jpeg(colour="teal"):
    out = io.BytesIO()
    Image.new("RGB", (120, 90), colour).save(out, "JPEG")
    return out.getvalue()


def polyglot():
    """A valid JPEG that is also an HTML page: markup in a comment segment and after the end."""
    jpeg = small_jpeg()
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    comment = b"\xff\xfe" + (len(html) + 2).to_bytes(2, "big") + html
    data = jpeg[:2] + comment + jpeg[2:] + html
    with Image.open(io.BytesIO(data)) as image:
        image.load()  # Pillow opens it: it really is a JPEG
    return data


SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<script>alert(1)</script><rect width="10" height="10"/></svg>')
PHP = b"<?php system($_GET['c']); ?>"


def post_page_with_photo(client, data, filename):
    return client.post("/passport/new", data=page_form(photos=[(io.BytesIO(data), filename)]),
                       content_type="multipart/form-data")


def stored_media(app):
    folder = Path(app.instance_path) / "media"
    return rows(app, "SELECT * FROM media ORDER BY id"), folder


# ---------------------------------------------------------------- hostile files

def test_a_jpeg_that_is_also_html_is_stored_as_a_plain_new_jpeg(client, app):
    sign_in_as(client, app, "learner", "Amira")
    assert post_page_with_photo(client, polyglot(), "holiday.html").status_code == 302
    media, folder = stored_media(app)
    for row in media:
        for name in (row["file"], row["thumb_file"]):
            stored = (folder / name).read_bytes()
            assert name.endswith(".jpg") and stored[:3] == b"\xff\xd8\xff"
            assert b"<script" not in stored and b"<html" not in stored  # re-encoded: pixels only
    with client.get(f"/media/{media[0]['id']}") as served:
        assert served.mimetype == "image/jpeg" and served.headers["X-Content-Type-Options"] == "nosniff"
        assert served.headers["Content-Disposition"].startswith("inline; filename=")
        assert ".html" not in served.headers["Content-Disposition"]


@pytest.mark.parametrize("data, filename, message", [
    (SVG, "drawing.svg", "not a photo we can open"),
    (SVG, "drawing.jpg", "not a photo we can open"),
    (PHP, "x.jpg.php", "not a photo we can open"),
    (PHP, "x.jpg", "not a photo we can open"),
    (b"", "empty.jpg", "That photo was empty"),
    (small_jpeg()[:40], "cut.jpg", "not a photo we can open"),
    (png_header(50000, 50000), "huge.png", "too big"),
    (png_header(1, 100_000_000), "long.png", "too big"),
    # Issue 13.6: 49 megapixels of PNG in a 14 KB file took 290 MB to decode, eight at once 2.3 GB.
    (png_header(7000, 7000), "bomb.png", "too big"),
])
def test_a_bad_photo_is_refused_kindly_and_stores_nothing(client, app, data, filename, message):
    sign_in_as(client, app, "learner", "Amira")
    started = time.perf_counter()
    response = post_page_with_photo(client, data, filename)
    assert time.perf_counter() - started < 5  # a huge picture is refused without decoding it
    assert response.status_code == 400 and message in text_of(response)
    media, folder = stored_media(app)
    assert media == [] and (not folder.exists() or not list(folder.iterdir()))


def test_a_real_photo_named_like_a_script_gets_a_name_made_by_the_server(client, app):
    sign_in_as(client, app, "learner", "Amira")
    assert post_page_with_photo(client, small_jpeg(), "x.jpg.php").status_code == 302
    assert post_page_with_photo(client, small_jpeg("red"), "../../../etc/passwd.jpg").status_code == 302
    media, folder = stored_media(app)
    for row in media:
        assert re.fullmatch(r"[0-9a-f]{32}\.jpg", row["file"]) and row["mimetype"] == "image/jpeg"
    assert sorted(p.name for p in folder.iterdir()) == sorted(n for r in media for n in (r["file"], r["thumb_file"]))
    with client.get(f"/media/{media[0]['id']}") as served:
        assert "php" not in served.headers["Content-Disposition"] and served.mimetype == "image/jpeg"


def test_the_stored_copy_of_a_photo_with_gps_has_no_exif_at_all(client, app):
    sign_in_as(client, app, "learner", "Amira")
    assert post_page_with_photo(client, jpeg_with_gps(), "garden.jpg").status_code == 302
    media, folder = stored_media(app)
    for name in (media[0]["file"], media[0]["thumb_file"]):
        with Image.open(folder / name) as stored:
            exif = stored.getexif()
            assert len(exif) == 0 and not exif.get_ifd(0x8825)  # no GPS, no orientation, nothing
            assert stored.size[0] < stored.size[1]  # turned upright before the EXIF was dropped


@pytest.mark.parametrize("data, message", [
    (b"", "recording was empty"),
    (SVG * 20, "not a recording we can play"),
    (PHP * 40, "not a recording we can play"),
    (polyglot(), "not a recording we can play"),
])
def test_a_bad_recording_is_refused_kindly(client, app, data, message):
    sign_in_as(client, app, "learner", "Amira")
    client.post("/a/all-about-me/mine/start")
    response = client.post("/a/all-about-me/mine/1", data={"voice": (io.BytesIO(data), "v.webm")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and message in text_of(response)
    assert rows(app, "SELECT * FROM media") == []


def test_html_behind_a_recordings_magic_number_is_refused_and_a_real_one_served_as_audio(client, app):
    """Issue 13.8: a file whose headers said WebM with a sound track was kept byte for byte,
    HTML after it and all. A recording must now parse to its last byte; one that does is
    served as audio, never sniffed, and named as a download."""
    sign_in_as(client, app, "learner", "Amira")
    client.post("/a/all-about-me/mine/start")
    data = fake_webm() + b"<html><script>alert(1)</script></html>" * 20
    refused = client.post("/a/all-about-me/mine/1", data={"voice": (io.BytesIO(data), "v.html")},
                          content_type="multipart/form-data")
    assert refused.status_code == 400 and rows(app, "SELECT id FROM media") == []
    assert client.post("/a/all-about-me/mine/1", data={"voice": (io.BytesIO(fake_webm()), "v.html")},
                       content_type="multipart/form-data").status_code == 302
    media_id = rows(app, "SELECT id FROM media")[0]["id"]
    with client.get(f"/media/{media_id}") as served:
        assert served.mimetype == "audio/webm" and served.headers["X-Content-Type-Options"] == "nosniff"
        assert served.headers["Content-Disposition"] == f'inline; filename="voice-{media_id}.webm"'
        assert "script-src" not in served.headers["Content-Security-Policy"]  # 'self' only, nothing inline


def test_bad_files_in_notes_and_staff_voices_are_refused_too(client, app):
    amira = learner_id(app, "Amira")
    page_id = rows(app, "SELECT id FROM passport_pages WHERE learner_id = ?", [amira])[0]["id"]
    sign_in_as(client, app, "staff")
    url = f"/staff/learners/{amira}/passport/pages/{page_id}/notes"
    for data in (b"", SVG, png_header(50000, 50000), PHP):
        response = client.post(url, data={"text": "", "photo": (io.BytesIO(data), "n.jpg")},
                               content_type="multipart/form-data")
        assert response.status_code == 400
    for data in (b"", SVG, PHP):
        response = client.post("/staff/voices", data={"text": "Home", "voice": (io.BytesIO(data), "v.webm")},
                               content_type="multipart/form-data")
        assert response.status_code == 400
    assert rows(app, "SELECT * FROM media") == [] and rows(app, "SELECT * FROM voice_recordings") == []


def test_a_body_too_big_for_its_route_gets_a_kind_413(client, app):
    sign_in_as(client, app, "staff")
    amira = learner_id(app, "Amira")
    response = client.post(f"/staff/learners/{amira}/observations", data={"note": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413 and "too big to send" in text_of(response)


# ---------------------------------------------------------------- script in every field

def finish_all_about_me(client, prefix=""):
    client.post(f"{prefix}/a/all-about-me/mine/start")
    response = client.post(f"{prefix}/a/all-about-me/mine/1", data={"choice": "animals", "words": SCRIPT})
    assert response.status_code == 302, response.text
    number = 2
    while "/done" not in response.headers["Location"]:
        response = client.post(f"{prefix}/a/all-about-me/mine/{number}", data={"go": "skip"})
        number += 1
    assert_escaped(client.get(f"{prefix}/a/all-about-me/mine/done"))  # "what I said", escaped


def assert_escaped(response, at_least=1):
    assert response.status_code == 200, response.status_code
    assert "<script>alert" not in response.text and "<img src=x" not in response.text
    assert response.text.count(ESCAPED) >= at_least
    return response


def test_script_typed_anywhere_is_shown_as_words_in_every_view_and_the_pdf(client, app, tmp_path):
    amira = learner_id(app, "Amira")
    # The learner: every text field of a passport page, and typed words in an activity.
    sign_in_as(client, app, "learner", "Amira")
    fields = {name: SCRIPT for name in ("what", "place", "who_with", "did", "learnt")}
    assert client.post("/passport/new", data=page_form(**fields)).status_code == 302
    page_id = rows(app, "SELECT id FROM passport_pages WHERE what = ?", [SCRIPT])[0]["id"]
    finish_all_about_me(client)
    assert_escaped(client.get(f"/passport/pages/{page_id}"), 5)
    assert_escaped(client.get(f"/passport/pages/{page_id}", headers={"HX-Request": "true"}), 5)
    # A refused form shows back what was typed, escaped (as a page and to htmx).
    for headers in ({}, {"HX-Request": "true"}):
        refused = client.post("/passport/new", data=page_form(**dict(fields, kind="party")), headers=headers)
        assert refused.status_code == 400 and "<script>alert" not in refused.text and ESCAPED in refused.text
    client.post("/sign-out")

    # A family joins with script as its name, then writes a note.
    sign_in_as(client, app, "staff")
    text = text_of(client.post(f"/staff/learners/{amira}/invitations"))
    link = text.split("Link ")[1].split(" ")[0].removeprefix("http://localhost")
    client.post("/sign-out")
    join = {"name": SCRIPT, "email": "script@example.org", "password": "a long pass phrase",
            "password_again": "different"}
    refused = client.post(link, data=join)  # a refused form shows what was typed, escaped
    assert refused.status_code == 400 and "<script>alert" not in refused.text
    join["password_again"] = join["password"]
    assert client.post(link, data=join).status_code == 302
    assert client.post(f"/family/children/{amira}/passport/pages/{page_id}/notes",
                       data={"text": SCRIPT}).status_code == 302
    client.post("/sign-out")

    # Staff: a note, an observation, the phrase search.
    sign_in_as(client, app, "staff")
    base = f"/staff/learners/{amira}"
    assert client.post(f"{base}/passport/pages/{page_id}/notes", data={"text": SCRIPT}).status_code == 302
    assert client.post(f"{base}/observations", data={"job": "nurse", "reaction": "liked", "note": SCRIPT}).status_code == 302
    assert_escaped(client.get("/staff/voices", query_string={"q": SCRIPT}))

    # Everywhere it is shown: portfolio, passport page, print views, and the PDF.
    assert_escaped(client.get(base), 4)  # page title, words, observation note, family name
    assert_escaped(client.get(f"{base}/passport/pages/{page_id}"), 8)
    assert_escaped(client.get(f"{base}/passport/print"), 8)
    _pages, text = pdf_info(client.get(f"{base}/passport.pdf").data, tmp_path)
    # In the PDF the typed characters are printed as they were typed: text, not markup.
    assert text.count('<script>alert("x")</script>') >= 8
    client.post("/sign-out")

    sign_in_as(client, app, "learner", "Amira")
    assert_escaped(client.get("/passport/print"), 8)
    client.post("/sign-out")
    client.post("/family/sign-in", data={"email": "script@example.org", "password": "a long pass phrase"})
    assert_escaped(client.get(f"/family/children/{amira}/passport/pages/{page_id}"), 8)
    assert_escaped(client.get(f"/family/children/{amira}/passport/print"), 8)


# ---------------------------------------------------------------- forged and replayed requests

@pytest.fixture
def csrf_app(tmp_path, monkeypatch, demo_database):
    """The app as it runs for real: every form needs its CSRF token."""
    monkeypatch.setenv("STUDENT_APP_INSTANCE", str(tmp_path / "instance"))
    shutil.copy(demo_database, tmp_path / "csrf.sqlite3")
    return create_app({"TESTING": True, "DATABASE": str(tmp_path / "csrf.sqlite3"),
                       "AUDIO_DIR": str(tmp_path / "audio"), "WTF_CSRF_ENABLED": True})


def token(client, url):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text).group(1)


def csrf_staff_sign_in(client, app):
    _name, email, password, _admin = STAFF[0]  # the admin: erasing needs one
    response = client.post("/staff/sign-in", data={"email": email, "password": password,
                                                   "csrf_token": token(client, "/staff/sign-in")})
    code_url = response.headers["Location"]
    with app.app_context():
        get_db().execute("UPDATE staff SET totp_last_step = 0 WHERE email = ?", [email])
    response = client.post(code_url, data={"code": current_code(app, email), "csrf_token": token(client, code_url)})
    assert response.status_code == 302, response.text


def test_share_and_delete_without_a_csrf_token_are_refused(csrf_app):
    app, client = csrf_app, csrf_app.test_client()
    chloe = learner_id(app, "Chloe")
    csrf_staff_sign_in(client, app)
    good = token(client, f"/staff/learners/{chloe}")
    with app.app_context():
        recording = get_db()["voice_recordings"].insert({
            "school_id": 1, "lang": "en", "text": "Home", "file": "x.webm", "mimetype": "audio/webm",
            "created_at": "2026-01-01T00:00:00+00:00"}).last_pk
    forged = [
        (f"/staff/learners/{chloe}/settings", {"career_group": "1", "choices": "2", "family_visible": "on"}),
        (f"/staff/learners/{chloe}/invitations", {}),
        (f"/staff/voices/{recording}/delete", {}),
        (f"/staff/learners/{chloe}/erase", {"confirm_name": "Chloe"}),
        (f"/staff/learners/{chloe}/badges/void", {}),
    ]
    for url, form in forged:
        for bad in (None, "not-a-token", good[:-2] + "xx"):
            data = form if bad is None else dict(form, csrf_token=bad)
            response = client.post(url, data=data)
            assert response.status_code == 400, url
            assert "could not save that" in text_of(response)
    # Nothing was shared or deleted...
    chloe_row = rows(app, "SELECT family_visible FROM learners WHERE id = ?", [chloe])
    assert chloe_row == [{"family_visible": 0}]
    assert rows(app, "SELECT id FROM invitations") == []
    assert len(rows(app, "SELECT id FROM voice_recordings")) == 1
    # ...and with the page's own token the same requests work (so the test can fail).
    assert client.post(forged[0][0], data=dict(forged[0][1], csrf_token=good)).status_code == 302
    assert rows(app, "SELECT family_visible FROM learners WHERE id = ?", [chloe]) == [{"family_visible": 1}]
    assert client.post(forged[2][0], data={"csrf_token": good}).status_code == 302
    assert client.post(forged[3][0], data=dict(forged[3][1], csrf_token=good)).status_code == 302
    assert rows(app, "SELECT id FROM learners WHERE id = ?", [chloe]) == []


def test_a_photo_over_the_page_limit_is_accepted_with_csrf_on(csrf_app):
    """The upload limit applies before CSRFProtect reads the form (it once answered 413)."""
    app, client = csrf_app, csrf_app.test_client()
    amira = learner_id(app, "Amira")
    picks = []
    for pick in demo_code("Amira"):
        client.post(f"/sign-in/learner/{amira}", data={"picks": ",".join(picks), "pick": pick,
                                                       "csrf_token": token(client, f"/sign-in/learner/{amira}")})
        picks.append(pick)
    noisy = io.BytesIO()
    Image.effect_noise((1800, 1400), 60).convert("RGB").save(noisy, "JPEG", quality=95)
    assert noisy.tell() > app.config["MAX_CONTENT_LENGTH"]
    # The body is built here as bytes: the test client would spool a big one to a file it never closes.
    body, kind = multipart(page_form(csrf_token=token(client, "/passport/new/kind")), [("photos", "big.jpg", noisy.getvalue())])
    response = client.post("/passport/new", data=body, content_type=kind)
    assert response.status_code == 302, text_of(response)
    # Signed out, the same body is refused before it is read in full.
    client.post("/sign-out", data={"csrf_token": token(client, "/home")})
    body, kind = multipart(page_form(), [("photos", "big.jpg", noisy.getvalue())])
    assert client.post("/passport/new", data=body, content_type=kind).status_code == 413


def test_a_voided_badge_replayed_signs_nobody_in(client, app, monkeypatch):
    monkeypatch.setattr("student_app.badges.new_badge_secret", lambda: "replayed-badge-secret")
    amira = learner_id(app, "Amira")
    sign_in_as(client, app, "staff")
    client.post(f"/staff/learners/{amira}/badges")
    client.post(f"/staff/learners/{amira}/badges/void")
    client.post("/sign-out")
    tablet = app.test_client()
    for _ in range(3):  # scanned again and again
        assert tablet.get("/badge/replayed-badge-secret").status_code == 404
        assert tablet.post("/badge", data={"secret": "replayed-badge-secret"}).status_code == 404
    assert tablet.get("/home").status_code == 302
    assert rows(app, "SELECT * FROM sign_ins") == []


def test_a_used_family_invitation_replayed_is_refused(client, app):
    amira = learner_id(app, "Amira")
    sign_in_as(client, app, "staff")
    text = text_of(client.post(f"/staff/learners/{amira}/invitations"))
    link = text.split("Link ")[1].split(" ")[0].removeprefix("http://localhost")
    code = text.split("Code ")[1].split(" ")[0]
    client.post("/sign-out")
    join = {"name": "First Family", "email": "first@example.org", "password": "a long pass phrase",
            "password_again": "a long pass phrase"}
    assert client.post(link, data=join).status_code == 302
    client.post("/sign-out")
    attacker = app.test_client()
    replay = dict(join, email="second@example.org", name="Someone Else")
    for response in (attacker.get(link), attacker.post(link, data=replay),
                     attacker.post("/family/join", data=dict(replay, code=code))):
        assert response.status_code == 400 and "already been used" in text_of(response)
    assert rows(app, "SELECT name FROM families WHERE email = 'second@example.org'") == []
    linked = rows(app, "SELECT families.name FROM family_links JOIN families ON families.id = family_id "
                       "WHERE learner_id = ? ORDER BY families.name", [amira])
    assert [row["name"] for row in linked] == ["First Family", "Rosa Khan"]


def test_back_after_sign_out_on_a_shared_tablet_shows_nothing(client, app):
    sign_in_as(client, app, "learner", "Amira")
    for url in ("/home", "/passport", "/a/all-about-me"):
        assert client.get(url).headers["Cache-Control"] == "no-store"
    with client.session_transaction() as session:
        old_cookie_token = session["token"]
    signed_out = client.post("/sign-out")
    assert signed_out.headers["Cache-Control"] == "no-store"
    after = client.get(signed_out.headers["Location"], follow_redirects=True)
    assert after.headers["Cache-Control"] == "no-store"  # the next child's page is not kept either
    assert rows(app, "SELECT * FROM sign_ins") == []  # the session is gone on the server
    # Back: the browser asks again (nothing was stored), and the server says sign in.
    for url in ("/home", "/passport"):
        assert client.get(url).status_code == 302
    # Even the old cookie, kept by someone, does nothing now.
    with client.session_transaction() as session:
        session["token"] = old_cookie_token
    assert client.get("/home").status_code == 302


def test_media_is_served_with_nosniff_a_disposition_and_no_store(client, app):
    sign_in_as(client, app, "learner", "Amira")
    assert post_page_with_photo(client, small_jpeg(), "a.jpg").status_code == 302
    client.post("/a/all-about-me/mine/start")
    client.post("/a/all-about-me/mine/1", data={"voice": (io.BytesIO(fake_webm()), "v.webm")},
                content_type="multipart/form-data")
    for row in rows(app, "SELECT id, kind FROM media"):
        for url in (f"/media/{row['id']}", f"/media/{row['id']}/thumb"):
            with client.get(url) as served:
                assert served.status_code == 200
                assert served.headers["X-Content-Type-Options"] == "nosniff"
                assert served.headers["Cache-Control"] == "private, no-store"
                assert re.fullmatch(r'inline; filename="(photo|voice)-\d+\.(jpg|webm)"',
                                    served.headers["Content-Disposition"])


def test_an_upload_past_the_learners_space_is_refused_kindly_everywhere(client, app):
    """Answers and notes check the space before their transaction (inside it, a refusal was a 500)."""
    app.config["LEARNER_MEDIA_MB"] = 0
    amira = learner_id(app, "Amira")
    page_id = rows(app, "SELECT id FROM passport_pages WHERE learner_id = ?", [amira])[0]["id"]
    sign_in_as(client, app, "learner", "Amira")
    client.post("/a/all-about-me/mine/start")
    response = client.post("/a/all-about-me/mine/1", data={"photo": (io.BytesIO(small_jpeg()), "p.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "no more room" in text_of(response)
    client.post("/sign-out")
    sign_in_as(client, app, "staff")
    response = client.post(f"/staff/learners/{amira}/passport/pages/{page_id}/notes",
                           data={"text": "Look", "photo": (io.BytesIO(small_jpeg()), "n.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "no more room" in text_of(response)
    assert rows(app, "SELECT * FROM media") == [] and rows(app, "SELECT * FROM page_notes") == []


def test_photos_are_decoded_one_at_a_time_and_jpegs_at_a_reduced_scale(app, monkeypatch):
    """Issue 13.6: memory stays bounded when many big photos arrive at once."""
    import threading

    from PIL import Image, ImageOps

    from student_app import media

    active, most, loaded = [0], [0], []
    lock = threading.Lock()
    real_transpose, real_load = ImageOps.exif_transpose, Image.Image.load

    def transpose(image, **kwargs):
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        time.sleep(0.02)
        with lock:
            active[0] -= 1
        return real_transpose(image, **kwargs)

    def load(image):
        loaded.append(image.size)
        return real_load(image)

    out = io.BytesIO()
    Image.new("RGB", (4000, 3000), "navy").save(out, "JPEG")
    big = out.getvalue()
    monkeypatch.setattr(media.ImageOps, "exif_transpose", transpose)
    monkeypatch.setattr(Image.Image, "load", load)
    with app.app_context():
        threads = [threading.Thread(target=media.clean_photo, args=(big,)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert most[0] == 1, "decodes overlapped"
    assert loaded and max(w for w, _h in loaded) <= 2 * media.PHOTO_LONG_SIDE, loaded
