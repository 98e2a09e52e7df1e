import re
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


def test_each_clip_has_its_own_voice_and_speed_whatever_came_before(tmp_path):
    """Clips made one after another in one process, switching speed and language: each must
    sound as asked (pyttsx3's queued settings sometimes landed a clip late)."""
    english = "What would you like to do?"
    durations = []
    for n, (text, voice, rate) in enumerate([(english, "gmw/en", 150), (english, "gmw/en", 185),
                                             ("Pwy wyt ti?", "cel/cy", 120)] * 3):
        path = tmp_path / f"{n}.mp3"
        render(text, path, voice, rate)
        durations.append(soundfile.info(path).duration)
    for n, duration in enumerate(durations[3:], start=3):
        assert abs(duration - durations[n % 3]) < 0.05, durations  # encoder padding only
    assert durations[1] < durations[0] * 0.9


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


class Small:
    """A catalogue of a few texts, so that a build renders a handful of clips."""

    def __init__(self, *texts):
        self.found = texts

    def texts(self):
        return list(self.found)


def assert_spoken(path):
    info = soundfile.info(path)
    assert info.format == "MP3" and 0.5 < info.duration < 10
    data, _ = soundfile.read(path)
    assert abs(data).max() > 0.05  # not silence


def test_build_renders_only_what_changed_in_each_language(runner, app, monkeypatch):
    from student_app.content import Text

    phrases = {"Who are you?", "Next clue"}
    monkeypatch.setattr(narration, "interface_phrases", lambda app: set(phrases))
    app.extensions["catalogues"] = {
        "en_GB": Small("I wear a helmet."),
        # Welsh content, and an English fallback, which is built with the English.
        "cy": Small(Text("Rydw i'n gwisgo helmed.", "cy"), Text("I dig.", "en", fallback=True)),
    }
    first = runner.invoke(args=["narration", "build", "--language", "en_GB", "--language", "cy", "--jobs", "1"])
    assert first.exit_code == 0, first.output
    assert "Narration (en, voice gmw/en): 3 phrases, 3 rendered, 0 already cached" in first.output
    assert "Narration (cy, voice cel/cy): 3 phrases, 3 rendered, 0 already cached" in first.output
    audio = app.config["AUDIO_DIR"]
    for text in ("Pwy wyt ti?", "Cliw nesaf", "Rydw i'n gwisgo helmed."):
        assert narration.clip_path(audio, narration.clip_key(text, "cy", "cel/cy", 150)).exists()
    phrases.add("Well done!")
    second = runner.invoke(args=["narration", "build", "--language", "en_GB", "--language", "cy"])
    assert "(en, voice gmw/en): 4 phrases, 1 rendered, 3 already cached" in second.output
    assert "(cy, voice cel/cy): 4 phrases, 1 rendered, 3 already cached" in second.output


def test_build_renders_in_worker_processes_and_says_how_far_it_has_got(runner, app, monkeypatch):
    phrases = {"Who are you?", "Next clue", "Well done!"}
    monkeypatch.setattr(narration, "interface_phrases", lambda app: set(phrases))
    app.extensions["catalogues"] = {"en_GB": Small("I wear a helmet.")}
    monkeypatch.setattr(narration, "PROGRESS_EVERY", 0)

    def not_here(*_):
        raise AssertionError("rendered in the build's own process, not in a worker")

    monkeypatch.setattr(narration, "_speak_to_wav", not_here)
    result = runner.invoke(args=["narration", "build", "--language", "en_GB", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert "Narration (en): 4 of 4 phrases to render, 2 at a time…" in result.output
    assert [f"{n} of 4" for n in (1, 2, 3)] == re.findall(r"Narration \(en\): (\d of 4) rendered…", result.output)
    assert "Narration (en, voice gmw/en): 4 phrases, 4 rendered, 0 already cached" in result.output
    clips = [narration.cached_path(app, text, "en") for text in sorted(phrases | {"I wear a helmet."})]
    for path in clips:
        assert_spoken(path)
    assert narration.cache_bytes(app) == sum(path.stat().st_size for path in clips)


def test_the_cache_limit_stops_a_build_in_worker_processes(runner, app, monkeypatch):
    texts = {f"Clue number {n}" for n in range(1, 9)}  # about 8 KB each
    monkeypatch.setattr(narration, "interface_phrases", lambda app: set(texts))
    app.extensions["catalogues"] = {"en_GB": Small()}
    app.config["NARRATION_CACHE_MB"] = 1
    limit = 1024 * 1024
    filler = Path(app.config["AUDIO_DIR"]) / "ff" / "filler.mp3"
    filler.parent.mkdir(parents=True)
    filler.write_bytes(bytes(limit - 20_000))  # room for two or three clips
    result = runner.invoke(args=["narration", "build", "--language", "en_GB", "--jobs", "2"])
    assert result.exit_code != 0 and "the narration cache is full" in result.output
    made = [path for path in Path(app.config["AUDIO_DIR"]).rglob("*.mp3") if path != filler]
    assert 1 <= len(made) < len(texts) and f"; {len(made)} rendered in en before it filled." in result.output
    for path in made:
        assert_spoken(path)
    # A clip starts only while the cache has room for the clips already being rendered, so it
    # passes its limit by less than one clip for each worker; and every clip is counted.
    total = sum(path.stat().st_size for path in made) + filler.stat().st_size
    assert total < limit + 2 * max(path.stat().st_size for path in made)
    assert narration.cache_bytes(app) == total


def test_welsh_pages_are_read_in_the_welsh_voice(client, app):
    from tests.conftest import sign_in_as

    with app.app_context():
        get_db().execute("""UPDATE learners SET access = '{"language": "cy", "rate": "slow"}' WHERE name = 'Amira'""")
    sign_in_as(client, app, "learner", "Amira")
    page = client.get("/home").text
    url = re.search(r'<a class="listen" href="([^"]+)"[^>]*>\s*<img[^>]*><span class="visually-hidden">Gwrando</span>',
                    page).group(1)
    assert client.get(url).status_code == 200
    # Amira's page says "Dyfala fy swydd": in the Welsh voice, at her own (slow) speed.
    key = narration.clip_key("Dyfala fy swydd", "cy", "cel/cy", 120)
    listen_urls = re.findall(r'class="listen" href="([^"]+)"', page)
    for each in listen_urls:
        client.get(each)
    assert narration.clip_path(app.config["AUDIO_DIR"], key).exists()
    assert not narration.clip_path(app.config["AUDIO_DIR"], narration.clip_key("Dyfala fy swydd", "cy", "gmw/en", 120)).exists()


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
