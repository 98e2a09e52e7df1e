"""Staff record their own voice for a phrase; their school hears it instead of espeak."""

import io
import re

from student_app.passwords import hashed

from student_app.db import get_db
from tests.conftest import sign_in_staff, sign_in_as
from tests.test_library import fake_webm

PHRASE = "What would you like to do?"


def record(client, text=PHRASE, data=None):
    return client.post("/staff/voices", data={"text": text, "voice": (io.BytesIO(data or fake_webm()), "v.webm")},
                       content_type="multipart/form-data")


def home_voice_url(client):
    page = client.get("/home").text
    return re.search(r'<h1 class="say-text">What would you like to do\?</h1>\s*<a class="listen" href="([^"]+)"', page)[1]


def test_a_recorded_phrase_plays_instead_of_the_synthetic_voice(client, app):
    sign_in_as(client, app, "staff")
    listing = client.get(f"/staff/voices?q={PHRASE[:10]}").text
    assert PHRASE.replace("?", "") in listing and "Computer voice" in listing
    assert record(client).status_code == 302
    assert "Recorded voice" in client.get("/staff/voices?only=recorded").text
    client.post("/sign-out")
    sign_in_as(client, app, "learner", "Amira")
    url = home_voice_url(client)
    assert url.startswith("/voice/")
    with client.get(url) as clip:
        assert clip.status_code == 200 and clip.data == fake_webm()


def test_another_school_keeps_the_synthetic_voice_and_cannot_fetch_the_recording(client, app):
    sign_in_as(client, app, "staff")
    record(client)
    recording = get_recording(app)
    with app.app_context():
        db = get_db()
        other = db["schools"].insert({"name": "Elm School"}).last_pk
        db["staff"].insert({"school_id": other, "email": "elm@example.org", "name": "Elm",
                            "password_hash": hashed("elm-password-1"), "staff_role": "teacher"})
    elm = app.test_client()
    sign_in_staff(elm, app, "elm@example.org", "elm-password-1")
    assert elm.get(f"/voice/{recording}").status_code == 404
    assert app.test_client().get(f"/voice/{recording}").status_code == 404  # signed out


def get_recording(app):
    with app.app_context():
        return get_db().execute("SELECT id FROM voice_recordings").fetchone()[0]


def test_only_app_phrases_and_real_recordings_are_kept(client, app):
    sign_in_as(client, app, "staff")
    assert record(client, text="Anything I like").status_code == 400
    response = record(client, data=b"x" * 10)
    assert response.status_code == 400 and "empty" in response.text
    assert client.post("/staff/voices", data={"text": PHRASE, "voice": (io.BytesIO(fake_webm()), "v.webm"),
                                              "back": "https://evil.example/"},
                       content_type="multipart/form-data").headers["Location"] == "/staff/voices"


def test_staff_can_go_back_to_the_computer_voice(client, app):
    sign_in_as(client, app, "staff")
    record(client)
    assert client.post(f"/staff/voices/{get_recording(app)}/delete").status_code == 302
    client.post("/sign-out")
    sign_in_as(client, app, "learner", "Amira")
    assert home_voice_url(client).startswith("/narration/")


def test_a_welsh_phrase_can_have_a_recorded_voice_for_welsh_pages_only(client, app):
    """Each language's phrases can be recorded; a Welsh reading plays on Welsh pages and the
    English page keeps its own voice."""
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("cy"):
        welsh = gettext(PHRASE)
    assert welsh != PHRASE
    sign_in_as(client, app, "staff")
    listing = client.get("/staff/voices?lang=cy&q=" + welsh[:8]).text
    assert 'lang="cy"' in listing and welsh.replace("?", "") in listing
    assert record(client, text=welsh).status_code == 400  # not an English phrase
    response = client.post("/staff/voices", data={"text": welsh, "lang": "cy", "voice": (io.BytesIO(fake_webm()), "v.webm")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert client.get("/staff/voices?lang=xx").status_code == 400
    client.post("/sign-out")
    sign_in_as(client, app, "learner", "Amira")
    assert home_voice_url(client).startswith("/narration/")  # English: still the computer voice
    client.post("/preferences", data={"language": "cy"})
    page = client.get("/home").text
    found = re.search(r'<h1 class="say-text">' + re.escape(welsh) + r'</h1>\s*<a class="listen" href="([^"]+)"', page)
    assert found and found[1].startswith("/voice/")
