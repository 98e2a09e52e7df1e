"""Narration links that hold under attack (issue 13.5): a link does not show the words it
speaks; clips of anyone's own words are private and bounded; the cache has a size limit."""

import base64
import re

import pytest

from student_app import narration
from tests.conftest import sign_in_as

SECRET_WORDS = "I would like to work with horses near my nan's farm"


@pytest.fixture
def quick_render(monkeypatch):
    """Clips written at once (the logic is under test, not espeak-ng); counts the renders."""
    made = []

    def render(text, path, voice, rate, attempts=3):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"ID3" + bytes(2000))
        made.append(text)

    monkeypatch.setattr(narration, "render", render)
    return made


def link_for(app, text, lang="en"):
    with app.test_request_context():
        return narration.narration_url(text, lang)


def test_a_link_does_not_show_the_words_it_speaks(app):
    token = link_for(app, SECRET_WORDS).rsplit("/", 1)[1].removesuffix(".mp3")
    decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert b"horses" not in decoded and "horses" not in token
    assert link_for(app, SECRET_WORDS) == link_for(app, SECRET_WORDS)  # one phrase, one link
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert app.test_client().get(f"/narration/{forged}.mp3").status_code == 404


def test_own_words_are_private_and_the_apps_phrases_public(app, client, quick_render):
    sign_in_as(client, app, "learner", "Amira")
    own = client.get(link_for(app, SECRET_WORDS))
    assert own.status_code == 200 and own.headers["Cache-Control"] == "private, no-store"
    phrase = client.get(link_for(app, "Home"))
    assert phrase.status_code == 200 and phrase.headers["Cache-Control"].startswith("public")
    assert (narration.clip_path(app.config["AUDIO_DIR"], "x", private=True).parent.parent).is_dir()


def test_own_words_are_bounded_in_length_and_in_renders_a_day(app, client, quick_render):
    app.config["NARRATION_OWN_WORDS_PER_DAY"] = 3
    sign_in_as(client, app, "learner", "Amira")
    assert client.get(link_for(app, "x" * 2001)).status_code == 413
    for n in range(3):
        assert client.get(link_for(app, f"My words number {n}")).status_code == 200
    assert client.get(link_for(app, "My words number 3")).status_code == 429
    assert client.get(link_for(app, "My words number 0")).status_code == 200  # cached: no render
    assert client.get(link_for(app, "Home")).status_code == 200  # the app's phrases are not counted
    assert len(quick_render) == 4


def test_the_cache_has_a_size_limit_the_app_and_the_build_keep(app, client, runner, quick_render):
    sign_in_as(client, app, "learner", "Amira")
    client.get(link_for(app, "Old words of mine"))
    app.config["NARRATION_CACHE_MB"] = 0
    narration.cache_bytes(app, grew=0)
    assert client.get(link_for(app, "New words of mine")).status_code == 503
    # The oldest private clip went to make room; the app's phrases stay.
    assert not list((narration.Path(app.config["AUDIO_DIR"]) / "private").rglob("*.mp3"))
    result = runner.invoke(args=["narration", "build", "--language", "cy"])
    assert result.exit_code != 0 and "cache is full" in result.output
