"""The app's four languages, which one each page is shown in, and the preference route that
lets anyone (signed in or not) pick their language and colours."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import (
    Blueprint, abort, current_app, g, has_app_context, has_request_context, redirect, request, session, url_for,
)
from flask_babel import get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup
from flask_babel import gettext as _

from .db import get_db


@dataclass(frozen=True)
class Language:
    code: str  # the Babel locale: the catalogue's folder, and the value stored for a person
    name: str  # its own name in its own words, so anyone can find theirs (never translated)
    tag: str  # BCP 47, for the lang attribute
    direction: str  # "ltr" or "rtl"
    voice: str  # the espeak-ng voice that reads it aloud
    speech: str  # the narration cache's language code (and a recorded voice's)


LANGUAGES = {language.code: language for language in (
    Language("en_GB", "English", "en-GB", "ltr", "gmw/en", "en"),
    Language("cy", "Cymraeg", "cy", "ltr", "cel/cy", "cy"),
    Language("pl", "Polski", "pl", "ltr", "zlw/pl", "pl"),
    Language("ar", "العربية", "ar", "rtl", "sem/ar", "ar"),
)}
DEFAULT = "en_GB"
BY_SPEECH = {language.speech: language for language in LANGUAGES.values()}
THEMES = ("default", "contrast", "dark")
ADULT_TABLES = {"family": "families", "staff": "staff"}


def voice_for(speech, app):
    """The espeak-ng voice for a narration language; English's can be set for the school."""
    if speech == LANGUAGES[DEFAULT].speech:
        return app.config["NARRATION_VOICE"]
    return BY_SPEECH[speech].voice


def _chosen(name, allowed):
    """What the person asking chose for `name`: on their profile or row, else this browser's
    session, else nothing."""
    from . import access

    user = g.get("user")
    if user is not None:
        if user["role"] == "learner":
            stored = access.stored(user).get(name)
        else:
            stored = user.get(name)
        if stored in allowed:
            return stored
    found = session.get(name)
    return found if found in allowed else None


def select_locale():
    """Babel's locale selector: a learner's access profile, a family's or member of staff's own
    choice (a family's is theirs alone, not their children's), or this browser's session.
    Outside a request (a command such as `flask retention`) it is English (UK)."""
    if not has_request_context():
        return DEFAULT
    return _chosen("language", LANGUAGES) or DEFAULT


def current_locale():
    """Flask-Babel's get_locale(), which looks its context up three times through Flask's
    proxy for `g`, and a page asks fifty times or more: the locale Flask-Babel keeps for the
    request (or the one force_locale set; Flask-Babel 4 keeps it in g._flask_babel) is read
    at once when it is there, and get_locale() answers when it is not."""
    context = g._get_current_object().get("_flask_babel") if has_app_context() else None
    kept = getattr(context, "babel_locale", None)
    return get_locale() if kept is None else kept


def page_language():
    return LANGUAGES.get(str(current_locale()), LANGUAGES[DEFAULT])


def adult_theme():
    """The colours of a page for anyone without an access profile (families, staff, visitors)."""
    return _chosen("theme", THEMES) or "default"


def safe_next(target):
    """A path on this site to go back to, never another site."""
    # Control characters first: urlsplit drops \r, \n and \t, so "/\r\n//x" would look like a
    # path here and reach the browser as "//x", another site (and a 500 in the header).
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target or ""):
        return url_for("auth.index")
    parts = urlsplit(target or "")
    if (not target or not target.startswith("/") or target.startswith("//") or "\\" in target
            or parts.scheme or parts.netloc):
        return url_for("auth.index")
    return target


def back_here():
    """Where the picker brings a person back to: this page, unless it answered a form (a
    POST-only address would refuse the GET that the redirect makes)."""
    if request.method != "GET":
        return url_for("auth.index")
    return request.full_path if request.query_string else request.path


bp = Blueprint("preferences", __name__)


@bp.post("/preferences")
def save():
    from . import access

    chosen = {}
    for name, allowed in (("language", LANGUAGES), ("theme", THEMES)):
        value = request.form.get(name)
        if value is None:
            continue
        if value not in allowed:
            abort(400, _("Please choose one of the languages or colours offered."))
        chosen[name] = value
    if not chosen:
        abort(400, _("Please choose one of the languages or colours offered."))
    user = g.get("user")
    if user is None:
        session.update(chosen)
    elif user["role"] == "learner":
        access.save(user["id"], dict(access.profile(user), **chosen))
    else:
        table = ADULT_TABLES[user["role"]]
        assignments = ", ".join(f"{name} = ?" for name in chosen)
        get_db().execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [*chosen.values(), user["id"]])
    return redirect(safe_next(request.form.get("next")))


def typed(lang):
    """Attributes for words a person typed: their direction from their own letters, and the
    language of the page they were typed on (WCAG 3.1.2), when it is known."""
    return Markup('dir="auto"') + (Markup(' lang="{}"').format(lang) if lang else "")


def _translations():
    """Flask-Babel's translations for the page's locale. Flask-Babel finds them anew for each
    text (looking its context up three times); these are kept for each locale, so a locale
    forced for part of a page (force_locale) gets its own."""
    locale = current_locale()
    if locale is None:
        return get_translations()
    kept = current_app._get_current_object().extensions["translations"]
    found = kept.get(locale)
    if found is None:
        found = kept[locale] = get_translations()
    return found


@pass_context
def template_gettext(context, message, **variables):
    """`_()` and `gettext()` in templates, as Jinja's i18n extension makes them ("newstyle":
    the translation is escaped and always formatted with `variables`), with the translations
    kept and without the extension's two calls in between: a page translates thirty or so."""
    translated = _translations().ugettext(message)
    if context.eval_ctx.autoescape:
        translated = Markup(translated)
    # Formatting a text with no "%" in it changes nothing (and most have none).
    return translated % variables if variables or "%" in translated else translated


def init_app(app):
    app.extensions["translations"] = {}  # locale -> its translations
    # In place of Flask-Babel's; ngettext() and the others, seldom used, stay as it installs them.
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)
    app.jinja_env.globals.update(
        languages=LANGUAGES, page_language=page_language, adult_theme=adult_theme, themes=THEMES,
        back_here=back_here, typed=typed)
    app.register_blueprint(bp)
