from pathlib import Path

import pytest
import soundfile

from student_app import create_app, narration
from student_app.db import get_db, migrate
from student_app.demo import load_demo
from student_app.narration import clip_key, render


def test_a_short_phrase_renders_to_a_real_mp3(tmp_path):
    path = tmp_path / "clip.mp3"
    render("I help people who are poorly.", path, "gmw/en", 150)
    assert path.read_bytes()[:3] == b"ID3" or path.read_bytes()[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")
    info = soundfile.info(path)
    assert info.format == "MP3"
    assert 0.8 < info.duration < 10
    data, _ = soundfile.read(path)
    assert abs(data).max() > 0.05  # not silence


def test_an_empty_pass_from_the_engine_is_tried_again(tmp_path, monkeypatch):
    real, calls = narration._speak_to_wav, []

    def flaky(text, wav, voice, rate):
        calls.append(text)
        if len(calls) == 1:
            soundfile.write(wav, [], 22050, format="WAV", subtype="PCM_16")
        else:
            real(text, wav, voice, rate)

    monkeypatch.setattr(narration, "_speak_to_wav", flaky)
    render("Try again.", tmp_path / "clip.mp3", "gmw/en", 150)
    assert len(calls) == 2 and soundfile.info(tmp_path / "clip.mp3").duration > 0.3


def test_an_engine_that_stays_silent_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(narration, "_speak_to_wav", lambda text, wav, *_: soundfile.write(
        wav, [], 22050, format="WAV", subtype="PCM_16"))
    with pytest.raises(narration.NarrationUnavailable, match="no sound"):
        render("Hello", tmp_path / "clip.mp3", "gmw/en", 150)
    assert not (tmp_path / "clip.mp3").exists()


def test_key_changes_with_everything_that_changes_the_sound():
    base = clip_key("Hello", "en", "gmw/en", 150)
    assert base == clip_key("Hello", "en", "gmw/en", 150)
    others = {clip_key("Hello!", "en", "gmw/en", 150), clip_key("Hello", "cy", "gmw/en", 150),
              clip_key("Hello", "en", "cel/cy", 150), clip_key("Hello", "en", "gmw/en", 120)}
    assert base not in others and len(others) == 4


def test_clip_is_rendered_on_first_request_then_cached(client, app):
    with app.test_request_context():
        url = narration.narration_url("Next clue")
    first = client.get(url)
    assert first.status_code == 200 and first.mimetype == "audio/mpeg"
    assert "max-age" in first.headers["Cache-Control"]
    files = list(Path(app.config["AUDIO_DIR"]).rglob("*.mp3"))
    assert len(files) == 1
    mtime = files[0].stat().st_mtime_ns
    assert client.get(url).data == first.data
    assert files[0].stat().st_mtime_ns == mtime


def test_unsigned_text_is_not_spoken(client):
    assert client.get("/narration/anything-at-all.mp3").status_code == 404


def test_build_renders_only_what_changed(runner, app, monkeypatch):
    phrases = {"Who are you?", "Next clue"}
    monkeypatch.setattr(narration, "interface_phrases", lambda app: set(phrases))

    class Small:
        def texts(self):
            return ["I wear a helmet."]

    app.extensions["catalogue"] = Small()
    first = runner.invoke(args=["narration", "build"])
    assert first.exit_code == 0, first.output
    assert "3 phrases, 3 rendered, 0 already cached" in first.output
    phrases.add("Well done!")
    second = runner.invoke(args=["narration", "build"])
    assert "4 phrases, 1 rendered, 3 already cached" in second.output


def test_interface_phrases_come_from_the_templates(app):
    found = narration.interface_phrases(app)
    assert {"Who are you?", "Next clue", "My passport"} <= found
    assert not any("%(" in phrase for phrase in found)


def test_missing_engine_gives_a_clear_message_and_text_still_shows(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(narration, "engine_problem", lambda: "Narration is off: espeak-ng is missing.")
    monkeypatch.setenv("STUDENT_APP_INSTANCE", str(tmp_path))
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "db.sqlite3")})
    assert "Narration is off" in caplog.text
    with app.app_context():
        migrate(get_db())
        load_demo(get_db())
    page = app.test_client().get("/sign-in", follow_redirects=True)
    assert page.status_code == 200
    assert "Who are you?" in page.text and "Amira" in page.text
    assert "/narration/" not in page.text
