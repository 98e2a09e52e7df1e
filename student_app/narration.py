"""Narration: text to speech with pyttsx3 (espeak-ng), cached as MP3 files named by a hash."""

import atexit
import contextlib
import ctypes.util
import hashlib
import io
import shutil
import tempfile
import threading
import time
from pathlib import Path

import click
from flask.cli import AppGroup
from flask import Blueprint, abort, current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from .access import VOICES, narration_rate, narration_variant
from .i18n import BY_SPEECH, LANGUAGES, page_language, voice_for

bp = Blueprint("narration", __name__)

# pyttsx3 keeps one engine per process and breaks if two threads use it at once.
_engine_lock = threading.Lock()
_engine = None
_voices = None


@atexit.register
def _let_go_of_the_engine():
    """Drop the engine before the interpreter takes its modules apart (pyttsx3's clean-up
    would otherwise print an AttributeError as the process ends)."""
    global _engine
    _engine = None


class NarrationUnavailable(RuntimeError):
    """The speech engine is not installed."""


def engine_problem():
    """Why narration cannot run here, in plain words, or None if it can."""
    if ctypes.util.find_library("espeak-ng") is None and shutil.which("espeak-ng") is None:
        return (
            "Narration is off: the espeak-ng speech engine is not installed "
            "(on Debian or Ubuntu: sudo apt-get install espeak-ng). Text still shows."
        )
    return None


def clip_key(text, lang, voice, rate):
    """The cache name of a phrase: a hash of everything that changes the sound."""
    return hashlib.sha256(f"{lang}\n{voice}\n{rate}\n{text}".encode()).hexdigest()[:32]


def clip_path(audio_dir, key):
    return Path(audio_dir) / key[:2] / f"{key}.mp3"


def _speak_to_wav(text, wav, voice, rate):
    """One pass of the engine, writing a 22050 Hz mono WAV; the caller holds the lock.

    The voice is set on the engine (espeak-ng applies that at once), but the speed travels
    inside the utterance as espeak-ng's embedded speed command (Ctrl-A, number, "S"): a speed
    set with setProperty goes through the library's queue and now and then reached the
    engine one clip late, so a clip came out at the previous clip's speed."""
    global _engine, _voices
    import pyttsx3

    if _engine is None:
        _engine = pyttsx3.init()
        _voices = {v.id for v in _engine.getProperty("voices")}
    if voice.split("+")[0] not in _voices:  # a variant ("+f3") may follow the voice
        raise NarrationUnavailable(f"espeak-ng has no voice called '{voice}'")
    _engine.setProperty("voice", voice)
    spoken = text.replace("\x01", " ")  # the phrase cannot carry commands of its own
    _engine.save_to_file(f"\x01{int(rate)}S{spoken}", str(wav))
    # The espeak driver prints a line for every file it saves; keep the console readable.
    with contextlib.redirect_stdout(io.StringIO()):
        _engine.runAndWait()


def render(text, path, voice, rate, attempts=3):
    """Speak `text` into an MP3 file at `path`, atomically."""
    import soundfile

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        wav = Path(scratch) / "clip.wav"
        # Now and then the espeak driver hands back an empty file; a second pass has sound.
        for _ in range(attempts):
            with _engine_lock:
                _speak_to_wav(text, wav, voice, rate)
            data, samplerate = soundfile.read(wav)
            if len(data):
                break
        else:
            raise NarrationUnavailable(f"the speech engine made no sound for {text!r}")
        partial = Path(scratch) / "clip.mp3"
        soundfile.write(partial, data, samplerate, format="MP3")
        shutil.move(partial, path)


def settings(app, lang="en"):
    """The voice for the narration language `lang`, the school's default speed, the cache."""
    return voice_for(lang, app), app.config["NARRATION_RATE"], app.config["AUDIO_DIR"]


def cached_path(app, text, lang, rate=None):
    voice, default_rate, audio_dir = settings(app, lang)
    return clip_path(audio_dir, clip_key(text, lang, voice, rate or default_rate))


def ensure_clip(app, text, lang, rate=None, variant=""):
    """The path of the phrase's clip, rendering it first if it is not cached yet. `variant`
    is an espeak-ng voice variant added to the language's voice (access.VOICES)."""
    voice, default_rate, audio_dir = settings(app, lang)
    voice, rate = voice + variant, rate or default_rate
    path = clip_path(audio_dir, clip_key(text, lang, voice, rate))
    if not path.exists():
        if app.extensions["narration_problem"]:
            raise NarrationUnavailable(app.extensions["narration_problem"])
        render(text, path, voice, rate)
    return path


def _serializer():
    return URLSafeSerializer(current_app.secret_key, salt="narration")


def narration_url(text, lang=None, voice=None):
    """A URL that plays `text` at the learner's speed and in their voice (or in `voice`, a
    name from access.VOICES, for a voice to try), in the language it is written in (`lang`, a
    narration code or a page's language tag; by default the page's); signed, so only phrases
    the app shows can be spoken."""
    from .voices import recorded

    # Content shown in English because it has no translation yet says so (content.Text).
    lang = lang or getattr(text, "lang", None) or page_language().speech
    lang = {each.tag: each.speech for each in LANGUAGES.values()}.get(lang, lang)  # "en-GB": "en"
    if lang not in BY_SPEECH:
        lang = page_language().speech

    human = recorded(lang).get(text) if voice is None else None  # a voice to try is that voice
    if human is not None:
        return url_for("voices.play", recording_id=human)
    if current_app.extensions["narration_problem"]:
        return None
    rate = narration_rate() or current_app.config["NARRATION_RATE"]
    variant = VOICES[voice] if voice in VOICES else narration_variant()
    payload = [lang, text]
    if rate != current_app.config["NARRATION_RATE"] or variant:
        payload += [rate, variant]
    return url_for("narration.clip", token=_serializer().dumps(payload))


@bp.get("/narration/<token>.mp3")
def clip(token):
    try:
        lang, text, *how = _serializer().loads(token)
    except (BadSignature, ValueError):
        abort(404)
    if lang not in BY_SPEECH:  # a link signed before the app knew its languages
        abort(404)
    rate, variant = (how + [None, ""])[:2]  # links signed before voices had only a speed
    if variant not in VOICES.values():
        abort(404)
    try:
        path = ensure_clip(current_app, text, lang, rate, variant)
    except NarrationUnavailable:
        abort(503)
    return current_app.response_class(
        path.read_bytes(),
        mimetype="audio/mpeg",
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


def interface_phrases(app):
    """Interface texts in the templates that take no placeholders, in English."""
    from jinja2.ext import babel_extract

    found = set()
    for template in Path(app.template_folder).rglob("*.html"):
        with template.open("rb") as handle:
            for _, _, message, _ in babel_extract(handle, ("_", "gettext"), [], {}):
                if isinstance(message, str) and "%(" not in message:
                    found.add(message)
    return found


narration_cli = AppGroup("narration", help="Narration commands.")


def phrases_by_language(app, codes=None):
    """Each narration language's phrases: the interface in that language, and the content
    that exists in it (English fallbacks are built with the English)."""
    from flask_babel import force_locale, gettext

    interface = interface_phrases(app)
    found = {}
    for code, language in LANGUAGES.items():
        if codes and code not in codes:
            continue
        with app.app_context(), force_locale(code):
            texts = {gettext(message) for message in interface}
        texts |= {text for text in app.extensions["catalogues"][code].texts()
                  if getattr(text, "lang", language.speech) == language.speech}
        found[language.speech] = texts
    return found


@narration_cli.command("build")
@click.option("--language", "languages", multiple=True, type=click.Choice(sorted(LANGUAGES)),
              help="Build only this language (repeat for more); all four by default.")
def build_command(languages):
    """Render every phrase of each language's catalogue that has not been rendered yet."""
    app = current_app._get_current_object()
    if app.extensions["narration_problem"]:
        raise click.ClickException(app.extensions["narration_problem"])
    for lang, phrases in phrases_by_language(app, languages).items():
        started, made = time.monotonic(), 0
        for text in sorted(phrases):
            if not cached_path(app, text, lang).exists():
                ensure_clip(app, text, lang)
                made += 1
        click.echo(
            f"Narration ({lang}, voice {voice_for(lang, app)}): {len(phrases)} phrases, {made} rendered, "
            f"{len(phrases) - made} already cached, in {time.monotonic() - started:.1f} s."
        )


def init_app(app):
    app.extensions["narration_problem"] = engine_problem()
    if app.extensions["narration_problem"]:
        app.logger.warning(app.extensions["narration_problem"])
    app.jinja_env.globals["narration_url"] = narration_url
    app.register_blueprint(bp)
    app.cli.add_command(narration_cli)
