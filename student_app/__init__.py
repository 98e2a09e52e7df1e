"""Careers activities with symbols and narration for young people with SEND."""

import os
import secrets
import sys
from pathlib import Path

from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import Babel
from flask_compress import Compress
from flask_wtf.csrf import CSRFProtect

ROOT = Path(__file__).resolve().parent.parent
# How long a thread running Python keeps the GIL before one that waits gets it. A request lets
# go of it at each SQLite call and waits to get it back; at Python's default, 5 ms, a tablet's
# answer (ten calls) could wait 50 ms on a busy server behind others' page rendering. At
# 0.5 ms a classroom's answers had p95 56 to 85 ms against 120 to 170 (bench/classroom_load.py).
GIL_SWITCH_SECONDS = 0.0005

# Every setting, its default and what it is for. Each can be set by an environment
# variable named STUDENT_APP_<NAME> (the README lists them); tests pass a mapping.
SETTINGS = {
    "DATABASE": (None, "SQLite file; defaults to student_app.sqlite3 in the instance folder"),
    "CONTENT_DIR": (str(ROOT / "activities"), "folder of activity content (TOML files)"),
    "SYMBOLS_DIR": (str(ROOT / "symbols"), "folder of symbol images and manifest.toml"),
    "AUDIO_DIR": (str(ROOT / "audio"), "folder where narration is rendered and cached"),
    "NARRATION_VOICE": ("gmw/en", "espeak-ng voice for English (UK)"),
    "NARRATION_RATE": (150, "narration speed in words a minute"),
    "NARRATION_CACHE_MB": (2048, "the narration cache's size limit in megabytes (audio/); the oldest clips of "
                           "people's own words go first, and `flask narration build` stops there too"),
    "NARRATION_OWN_WORDS_PER_DAY": (200, "clips of words that are not the app's own (what someone typed) one person "
                                    "may have rendered in a day"),
    "NARRATION_OWN_WORDS_MAX_CHARS": (2000, "the longest text that is not the app's own that narration will read"),
    "LEARNER_IDLE_MINUTES": (15, "a learner on a shared tablet is signed out after this idle time"),
    "STAFF_IDLE_MINUTES": (60, "a member of staff is signed out after this idle time"),
    "LEARNER_SESSION_HOURS": (4, "a learner is signed out this long after signing in, however active"),
    "STAFF_SESSION_HOURS": (12, "staff and families are signed out this long after signing in, however active"),
    "SESSION_IDLE_MINUTES": (120, "a classroom session nobody moves on for this long ends by itself"),
    "LEARNER_MEDIA_MB": (200, "space for each learner's photos and recordings, in megabytes"),
    "MAX_CONTENT_LENGTH": (1024 * 1024, "largest request body accepted, in bytes"),
    "PUBLIC_URL": ("http://127.0.0.1:5000", "the address staff and families reach the app at; set-up links "
                   "made on the command line start with it"),
    "PROXY_HOPS": (0, "how many reverse proxies (for example nginx serving HTTPS) stand in front of the app; "
                   "only then are their X-Forwarded-For, -Proto and -Host headers believed"),
    "SESSION_COOKIE_SECURE": (False, "set to true when the app is served over HTTPS"),
    # How long each kind of record is kept; `flask retention` lists and deletes what is older.
    "RETAIN_CAREERS_MONTHS": (36, "a learner's whole record (answers, passport pages, photos, recordings, notes) "
                              "is kept this many months after the month they left; at least 36"),
    "RETAIN_AUDIT_MONTHS": (36, "audit log entries are kept this many months"),
    "RETAIN_INVITATION_DAYS": (90, "family invitations are kept this many days after they were used, "
                               "cancelled or ran out"),
    "RETAIN_SIGN_IN_DAYS": (30, "sign-in records (sessions, failed tries with their address, class code "
                            "tries) are kept this many days after they were last used"),
    "RETAIN_CLASS_SESSION_DAYS": (365, "classroom sessions are kept this many days after they ended "
                                  "(each learner's answers stay in their record)"),
    "RETAIN_VOIDED_BADGE_DAYS": (365, "voided sign-in badges are kept this many days"),
    "RETAIN_UNLINKED_FAMILY_DAYS": (30, "a family account linked to no learner is kept this many days "
                                    "after it was made"),
}


def create_app(test_config=None):
    """Build the app: defaults, then environment variables, then the test mapping."""
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    from .web import COMPILED_TEMPLATES, App, IdConverter

    app = App(
        __name__,
        instance_path=os.environ.get("STUDENT_APP_INSTANCE", str(ROOT / "instance")),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.url_map.converters["int"] = IdConverter  # before any route is added
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    app.config.from_mapping({name: default for name, (default, _) in SETTINGS.items()})
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="student_app_session",
        BABEL_DEFAULT_LOCALE="en_GB",
        BABEL_DEFAULT_TIMEZONE="Europe/London",
        WTF_CSRF_TIME_LIMIT=None,
        # Only files that hold no secrets: compressing pages with a CSRF token in them
        # would open them to length-based attacks (BREACH).
        COMPRESS_MIMETYPES=["text/css", "text/javascript", "application/javascript", "image/svg+xml"],
    )
    app.config.from_prefixed_env("STUDENT_APP")
    if test_config:
        app.config.update(test_config)

    if int(app.config["PROXY_HOPS"]):
        # Believe the proxy about the address and HTTPS: HSTS is sent and cookies are Secure.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.session_interface = _SessionInterface()

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["DATABASE"]:
        app.config["DATABASE"] = str(Path(app.instance_path) / "student_app.sqlite3")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")

    from .i18n import select_locale
    from .media import set_upload_limit

    Babel(app, locale_selector=select_locale)
    # Before CSRFProtect, which reads the whole form: a view taking photos gets its limit first.
    app.before_request(set_upload_limit)
    CSRFProtect(app)
    Compress(app)

    from . import (
        access, authoring, auth, backup, classroom, content, db, demo, desk, errors, family, i18n, learner, library,
        media, narration, passport, retention, review, say, school, staff, symbols, two_factor, voices, web,
    )

    db.init_app(app)
    try:
        symbols.init_app(app)
        content.init_app(app)
    except (symbols.ManifestError, content.ContentError) as problem:
        # On the command line (flask content check, flask run...), the problem in a sentence
        # naming the file and field, not a traceback; a server that cannot start still raises.
        import click

        if click.get_current_context(silent=True) is None:
            raise
        raise click.ClickException(str(problem)) from None
    narration.init_app(app)
    say.init_app(app)
    web.init_app(app)
    errors.init_app(app)
    demo.init_app(app)
    backup.init_app(app)
    retention.init_app(app)
    auth.init_app(app)
    media.init_app(app)
    access.init_app(app)
    i18n.init_app(app)
    app.register_blueprint(learner.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(library.bp, name=library.LEARNER)
    app.register_blueprint(library.bp, name=library.BEHALF, url_prefix="/staff/learners/<int:learner_id>")
    app.register_blueprint(library.bp, name=library.PREVIEW, url_prefix="/staff/preview/<int:group>")
    family.init_app(app)
    app.register_blueprint(classroom.bp)
    app.register_blueprint(voices.bp)
    app.register_blueprint(two_factor.bp)
    passport.init_app(app)
    review.init_app(app)
    desk.init_app(app)
    school.init_app(app)
    authoring.init_app(app)
    return app


class _SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the page came over HTTPS (directly, or through a
    trusted proxy), as well as when SESSION_COOKIE_SECURE says so."""

    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"] or (has_request_context() and request.is_secure))

    def get_signing_serializer(self, app):
        """Flask's, made once for the app's keys rather than twice a request (each time deriving
        its key again)."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = app.extensions.get("session_serializer")
        if kept is None or kept[0] != keys:
            kept = app.extensions["session_serializer"] = (keys, super().get_signing_serializer(app))
        return kept[1]


def _instance_secret(path):
    """Read the secret key kept in the instance folder, making it on first start."""
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
