"""Narration: text to speech with pyttsx3 (espeak-ng), cached as MP3 files named by a hash."""

import atexit
import base64
import binascii
import contextlib
import ctypes.util
import functools
import hashlib
import io
import itertools
import json
import multiprocessing
import os
import shutil
import tempfile
import threading
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import NamedTuple

import click
from flask.cli import AppGroup
from flask import Blueprint, abort, current_app, g, has_request_context, request, url_for

from .access import VOICES, narration_voice
from .i18n import BY_SPEECH, LANGUAGES, page_language, voice_for
from .read_once import read_once

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


def clip_path(audio_dir, key, private=False):
    """Where a clip is cached. Clips of words that are not the app's own (what someone typed)
    live apart, under private/, so they are never served for a public cache and are the first
    to go when the cache is full."""
    return Path(audio_dir) / ("private" if private else "") / key[:2] / f"{key}.mp3"


def cache_bytes(app, grew=0):
    """The narration cache's size in bytes, counted again at most once a minute."""
    state = app.extensions.setdefault("narration_cache", {"bytes": None, "at": 0.0})
    if state["bytes"] is None or time.monotonic() - state["at"] > 60:
        state["bytes"] = sum(path.stat().st_size for path in Path(app.config["AUDIO_DIR"]).rglob("*.mp3"))
        state["at"] = time.monotonic()
    state["bytes"] += grew
    return state["bytes"]


def make_room(app, reserved=0):
    """Keep the cache under NARRATION_CACHE_MB: the oldest private clips go first; if the
    app's own phrases alone fill it, nothing more is rendered (the text still shows).
    `reserved` is room already promised to clips still being rendered (not counted yet)."""
    limit = int(app.config["NARRATION_CACHE_MB"]) * 1024 * 1024 - reserved
    if cache_bytes(app) < limit:
        return
    private = sorted((Path(app.config["AUDIO_DIR"]) / "private").rglob("*.mp3"), key=lambda path: path.stat().st_mtime)
    while private and cache_bytes(app) >= limit * 0.9:
        path = private.pop(0)
        size = path.stat().st_size
        path.unlink(missing_ok=True)
        cache_bytes(app, grew=-size)
    if cache_bytes(app) >= limit:
        raise NarrationUnavailable(f"the narration cache is full (NARRATION_CACHE_MB = {app.config['NARRATION_CACHE_MB']})")


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
    # The espeak driver writes the WAV from a callback that may come after runAndWait has
    # returned (the "empty file" below): the folder it writes to is kept for the life of the
    # process, so a late write lands in it rather than failing in a folder already deleted.
    wav = _scratch() / f"clip-{next(_clip_numbers)}.wav"
    partial = wav.with_suffix(".mp3")
    try:
        # Now and then the espeak driver hands back an empty file; a second pass has sound.
        for _ in range(attempts):
            with _engine_lock:
                _speak_to_wav(text, wav, voice, rate)
            data, samplerate = soundfile.read(wav) if wav.exists() else ((), 0)
            if len(data):
                break
        else:
            raise NarrationUnavailable(f"the speech engine made no sound for {text!r}")
        soundfile.write(partial, data, samplerate, format="MP3")
        shutil.move(partial, path)
    finally:
        wav.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)


_clip_numbers = itertools.count()


@functools.cache
def _scratch():
    """This process's folder for clips being made (removed when the process ends)."""
    folder = Path(tempfile.mkdtemp(prefix="narration-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def settings(app, lang="en"):
    """The voice for the narration language `lang`, the school's default speed, the cache."""
    return voice_for(lang, app), app.config["NARRATION_RATE"], app.config["AUDIO_DIR"]


class Clip(NamedTuple):
    """One clip to render: the arguments of `render`, plain data a worker process can take."""

    text: str
    path: Path
    voice: str
    rate: int


def clip_for(app, text, lang, rate=None, variant="", private=False):
    """The phrase's clip in language `lang`: its voice (with an espeak-ng variant from
    access.VOICES, if any), its speed (the school's by default) and where it is cached."""
    voice, default_rate, audio_dir = settings(app, lang)
    voice, rate = voice + variant, rate or default_rate
    return Clip(text, clip_path(audio_dir, clip_key(text, lang, voice, rate), private), voice, rate)


def cached_path(app, text, lang, rate=None):
    return clip_for(app, text, lang, rate).path


def render_clips(app, clips, pool=None, window=1, before_render=None, done=None):
    """Render `clips` (not cached yet) into the cache, in this process or, given a process
    `pool`, up to `window` at a time in its workers (the engine is not thread-safe; each
    worker has its own). The cache's bookkeeping stays here, whoever renders: a clip is
    started only if the cache has room (NarrationUnavailable if not), counting each clip
    still being rendered at the size of the largest so far, and `before_render` may refuse
    it first; its size is counted when it is done, and then `done(clip)` is called."""
    waiting, running, largest = deque(clips), {}, 0
    if waiting and app.extensions["narration_problem"]:
        raise NarrationUnavailable(app.extensions["narration_problem"])

    def start(clip):
        make_room(app, reserved=len(running) * largest)
        if before_render is not None:
            before_render()
        if pool is not None:
            return pool.submit(render, *clip)
        finished = Future()
        render(*clip)
        finished.set_result(None)
        return finished

    def finish(future):
        nonlocal largest
        clip = running.pop(future)
        future.result()  # a worker's NarrationUnavailable is raised here
        size = clip.path.stat().st_size
        largest = max(largest, size)
        cache_bytes(app, grew=size)
        if done is not None:
            done(clip)

    try:
        while waiting or running:
            while waiting and len(running) < (window if pool is not None else 1):
                clip = waiting.popleft()
                running[start(clip)] = clip
            for future in wait(running, return_when=FIRST_COMPLETED).done:
                finish(future)
    finally:
        # Stopped (the cache is full, a clip failed): clips already started still land in
        # the cache, so they are counted too.
        for future in wait(running).done:
            with contextlib.suppress(Exception):
                finish(future)


def ensure_clip(app, text, lang, rate=None, variant="", private=False, before_render=None):
    """The path of the phrase's clip, rendering it first if it is not cached yet (and if the
    cache has room; `before_render` may refuse first). `variant` is an espeak-ng voice variant
    added to the language's voice (access.VOICES)."""
    clip = clip_for(app, text, lang, rate, variant, private)
    if not clip.path.exists():
        render_clips(app, [clip], before_render=before_render)
    elif private:
        os.utime(clip.path)  # in use: the last to go when the cache is full
    return clip.path


class BadToken(ValueError):
    """A narration link the app did not make."""


class SealedTokens:
    """Narration link tokens: the payload (language, text, speed, voice) encrypted with
    AES-SIV under a key derived from the app's secret. Authenticated, so only the app makes
    them; sealed, so a link in a log, a proxy or a browser's history does not show what a
    learner wrote; deterministic, so one phrase keeps one link and browsers cache it."""

    def __init__(self, secret):
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.ciphers.aead import AESSIV
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        key = HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=b"narration links").derive(secret.encode())
        self._siv = AESSIV(key)

    def dumps(self, payload):
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(self._siv.encrypt(data, None)).rstrip(b"=").decode()

    def loads(self, token):
        from cryptography.exceptions import InvalidTag

        try:
            data = self._siv.decrypt(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)), None)
            return json.loads(data)
        except (InvalidTag, binascii.Error, ValueError, UnicodeDecodeError):
            raise BadToken(token[:20]) from None


def _serializer():
    tokens = current_app.extensions.get("narration_tokens")
    if tokens is None:
        tokens = current_app.extensions["narration_tokens"] = SealedTokens(current_app.secret_key)
    return tokens


def known_phrases(app, speech):
    """The phrases `flask narration build` renders in a language: the interface and the
    content, nothing anyone typed. Worked out once a process."""
    cache = app.extensions.setdefault("narration_phrases", {})
    if speech not in cache:
        cache[speech] = frozenset(phrases_by_language(app, [BY_SPEECH[speech].code])[speech])
    return cache[speech]


def school_phrases(lang):
    """The texts of the viewer's school's own content in narration language `lang` (which
    `school_texts`, if the app has one, gives: see authoring.store)."""
    found = current_app.extensions.get("school_texts")
    return found(lang) if found is not None else frozenset()


def count_own_words_render():
    """Words that are not the app's own are rendered at most NARRATION_OWN_WORDS_PER_DAY times
    a day for each person (or address, signed out): a learner cannot make the server speak
    without end. A render is counted when it happens; a cached clip costs nothing."""
    from datetime import datetime, timedelta, timezone

    from .db import get_db, now, transaction

    user = g.get("user")
    who = f"{user['role']}:{user['id']}" if user else f"address:{request.remote_addr}"
    since = (datetime.now(timezone.utc) - timedelta(days=1)).isoformat(timespec="seconds")
    db = get_db()
    with transaction(db):
        db.execute("DELETE FROM narration_renders WHERE who = ? AND at <= ?", [who, since])
        if db.execute("SELECT count(*) FROM narration_renders WHERE who = ?", [who]).fetchone()[0] >= int(
                current_app.config["NARRATION_OWN_WORDS_PER_DAY"]):
            abort(429)
        db["narration_renders"].insert({"who": who, "at": now()})


SPEECH_OF_TAG = {each.tag: each.speech for each in LANGUAGES.values()}  # "en-GB": "en"


def narration_url(text, lang=None, voice=None):
    """A URL that plays `text` at the learner's speed and in their voice (or in `voice`, a
    name from access.VOICES, for a voice to try), in the language it is written in (`lang`, a
    narration code or a page's language tag; by default the page's); signed, so only phrases
    the app shows can be spoken."""
    from .voices import recorded

    # Content shown in English because it has no translation yet says so (content.Text).
    lang = lang or getattr(text, "lang", None) or page_language().speech
    lang = SPEECH_OF_TAG.get(lang, lang)
    if lang not in BY_SPEECH:
        lang = page_language().speech

    human = recorded(lang).get(text) if voice is None else None  # a voice to try is that voice
    if human is not None:
        return url_for("voices.play", recording_id=human)
    app, school_rate, rate, variant, script_root = _voice_of_request()
    if app.extensions["narration_problem"]:
        return None
    if voice in VOICES:
        variant = VOICES[voice]
    payload = (lang, text) if rate == school_rate and not variant else (lang, text, rate, variant)
    if isinstance(text, str) and len(text) <= LONGEST_KEPT:
        return app.extensions["narration_links"](script_root, payload)
    return _link(script_root, payload)


def _voice_of_request():
    """What every narration link of a request shares (the app, the school's speed, the
    listener's own speed and voice, the path the app is served under), worked out at its first
    link and kept in g: a page has a dozen links."""
    kept = g.get("narration_voice") if has_request_context() else None
    if kept is None:
        app = current_app._get_current_object()
        school_rate = app.config["NARRATION_RATE"]
        rate, variant = narration_voice()
        script_root = request.script_root if has_request_context() else None
        kept = (app, school_rate, rate or school_rate, variant, script_root)
        if has_request_context():
            g.narration_voice = kept
    return kept


# A page has ten or so narration links, the same phrases on every visit, and sealing a phrase
# and building its URL is most of the work: each link is kept once made. AES-SIV is
# deterministic, so a phrase's link never changes for one secret and one script root (the path
# the app is served under). Bounded, and only for texts as long as the app's own phrases (at
# most 364 characters), as what people write may be long.
LINKS_KEPT, LONGEST_KEPT = 4096, 500


def _link(script_root, payload):
    """The link that plays `payload` (`script_root`, which url_for puts first, keys the cache)."""
    return url_for("narration.clip", token=_serializer().dumps(payload))


@bp.get("/narration/<token>.mp3")
def clip(token):
    try:
        lang, text, *how = _serializer().loads(token)
        rate, variant = (how + [None, ""])[:2]  # a phrase at the school's own speed has only two
    except (BadToken, ValueError):
        abort(404)
    if lang not in BY_SPEECH or variant not in VOICES.values() or not isinstance(text, str):
        abort(404)
    app = current_app._get_current_object()
    # The app's own phrases may be cached by anyone for a year; anything else (what a learner
    # typed, a sentence with someone's name in it) is private to this browser, bounded in size,
    # and its renders are counted.
    own_words = text not in known_phrases(app, lang)
    schools = own_words and text in school_phrases(lang)  # a school's own content: its phrases too
    own_words = own_words and not schools
    if own_words and len(text) > int(app.config["NARRATION_OWN_WORDS_MAX_CHARS"]):
        abort(413)
    try:
        path = ensure_clip(app, text, lang, rate, variant, private=own_words,
                           before_render=count_own_words_render if own_words else None)
    except NarrationUnavailable:
        abort(503)
    return app.response_class(
        path.read_bytes(),
        mimetype="audio/mpeg",
        headers={"Cache-Control": "private, no-store" if own_words else "private, max-age=86400" if schools
                 else "public, max-age=31536000, immutable"},
    )


def interface_phrases(app):
    """Interface texts in the templates that take no placeholders, in English (read once a
    process while no template changes: finding them parses every template)."""
    from jinja2.ext import babel_extract

    def read():
        found = set()
        for template in Path(app.template_folder).rglob("*.html"):
            with template.open("rb") as handle:
                for _, _, message, _ in babel_extract(handle, ("_", "gettext"), [], {}):
                    if isinstance(message, str) and "%(" not in message:
                        found.add(message)
        return frozenset(found)

    return set(read_once("interface phrases", [app.template_folder], read))


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


# How often `flask narration build` says how far it has got, in seconds.
PROGRESS_EVERY = 5.0


class _Progress:
    """Counts a language's clips as they are rendered, with a line now and then."""

    def __init__(self, lang, total):
        self.lang, self.total, self.made = lang, total, 0
        self.said = time.monotonic()

    def __call__(self, clip):
        self.made += 1
        if self.made < self.total and time.monotonic() - self.said >= PROGRESS_EVERY:
            click.echo(f"Narration ({self.lang}): {self.made} of {self.total} rendered…", err=True)
            self.said = time.monotonic()


@narration_cli.command("build")
@click.option("--language", "languages", multiple=True, type=click.Choice(sorted(LANGUAGES)),
              help="Build only this language (repeat for more); all four by default.")
@click.option("--jobs", type=click.IntRange(min=1), show_default="the cores this process may use",
              default=lambda: len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1,
              help="Clips rendered at once, each in a process of its own.")
def build_command(languages, jobs):
    """Render every phrase of each language's catalogue that has not been rendered yet."""
    app = current_app._get_current_object()
    if app.extensions["narration_problem"]:
        raise click.ClickException(app.extensions["narration_problem"])
    # Workers are started afresh ("spawn"), not forked from this process with its app and
    # perhaps an engine of its own; they start when the first clip is sent, and get only
    # the clips' plain data: the phrases and the cache's limit are worked out here.
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) if jobs > 1 else None
    try:
        for lang, phrases in phrases_by_language(app, languages).items():
            started = time.monotonic()
            missing = [clip for clip in (clip_for(app, text, lang) for text in sorted(phrases))
                       if not clip.path.exists()]
            at_once = min(jobs, len(missing))  # no workers for one clip
            if missing:
                click.echo(f"Narration ({lang}): {len(missing)} of {len(phrases)} phrases to render, "
                           f"{at_once} at a time…", err=True)
            progress = _Progress(lang, len(missing))
            try:
                render_clips(app, missing, pool if at_once > 1 else None, at_once, done=progress)
            except NarrationUnavailable as problem:  # the cache is full: the limit holds here too
                raise click.ClickException(f"{problem}; {progress.made} rendered in {lang} before it filled.")
            click.echo(
                f"Narration ({lang}, voice {voice_for(lang, app)}): {len(phrases)} phrases, {progress.made} rendered, "
                f"{len(phrases) - progress.made} already cached, in {time.monotonic() - started:.1f} s."
            )
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def init_app(app):
    app.extensions["narration_problem"] = engine_problem()
    if app.extensions["narration_problem"]:
        app.logger.warning(app.extensions["narration_problem"])
    app.extensions["narration_links"] = functools.lru_cache(maxsize=LINKS_KEPT)(_link)
    app.jinja_env.globals["narration_url"] = narration_url
    app.register_blueprint(bp)
    app.cli.add_command(narration_cli)
