"""What every page shares: rendering a page or its htmx fragment, headers, template helpers."""

import os
import re
import time
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from urllib.parse import quote

from babel.dates import format_date as babel_format_date
from flask import Flask, abort, current_app, has_request_context, render_template, request, url_for
from flask.globals import _cv_request
from flask_babel import format_date, get_locale, to_user_timezone
from flask_babel import gettext as _
from jinja2 import BytecodeCache
from jinja2_fragments.flask import render_block
from werkzeug.routing import IntegerConverter, Rule
from werkzeug.utils import cached_property


class IdConverter(IntegerConverter):
    """A row id in a URL (`<int:...>`): at most 18 digits, so a huge number is a 404 rather
    than an integer too big for SQLite (a 500)."""

    regex = r"\d{1,18}"


class CachedRule(Rule):
    """A URL rule whose URL builders are made once a process. Werkzeug writes and compiles two
    small Python functions for every rule, which is most of what making the app costs (about
    0.2 s for its 200 rules); they depend only on the rule's parts and defaults, and take the
    rule itself as their first argument, so an app made again in the same process (each test
    makes one, as does every `flask` command) reuses them."""

    _builders = {}

    def _compile_builder(self, append_unknown=True):
        try:
            key = (tuple(self._trace), tuple(sorted((self.defaults or {}).items())), append_unknown)
            hash(key)
        except (AttributeError, TypeError):  # a werkzeug that builds differently, or odd defaults
            return super()._compile_builder(append_unknown)
        if key not in self._builders:
            self._builders[key] = super()._compile_builder(append_unknown)
        return self._builders[key]


class App(Flask):
    """The app, with its URL rules' builders made once a process (CachedRule) and the
    addresses of its pages kept once built: a page names twenty or so (its menu, its forms),
    each about 70 microseconds to build, the same on every visit.

    An address is kept only when nothing but its arguments decides it: built within a request
    (relative to the app's own path), for an endpoint whose blueprints put no defaults of
    their own into its arguments (a member of staff's pages of one learner's library, passport
    and review fill in whose record from the request: fills_in), with arguments that can be a
    key. A static file's address holds its time of change (static_version, static_stamp)."""

    url_rule_class = CachedRule
    URLS_KEPT = 4096

    def url_for(self, endpoint, *, _anchor=None, _method=None, _scheme=None, _external=None, **values):
        context = _cv_request.get(None)
        if context is None or _external or _scheme:
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme,
                                   _external=_external, **values)
        request_now = context.request
        if endpoint[:1] == ".":
            endpoint = f"{request_now.blueprint}{endpoint}" if request_now.blueprint else endpoint[1:]
        key = kept = None
        if self._keeps(endpoint):
            try:
                key = (endpoint, request_now.script_root, _anchor, _method, frozenset(values.items()),
                       static_stamp(self, values.get("filename")) if endpoint == "static" else None)
                kept = self._urls.get(key)
            except TypeError:  # an argument that cannot be a key (a list of values)
                key = None
        if kept is None:
            kept = super().url_for(endpoint, _anchor=_anchor, _method=_method, **values)
            if key is not None:
                if len(self._urls) >= self.URLS_KEPT:
                    self._urls.clear()
                self._urls[key] = kept
        return kept

    @cached_property
    def _urls(self):
        return {}

    def _keeps(self, endpoint):
        """No blueprint the endpoint is in ("a" and "a.b" for "a.b.page") puts defaults into
        its arguments (a function marked with fills_in puts them only into those it names).
        Asked for every address a page names: the answer for each endpoint is kept."""
        kept = self._endpoints_kept.get(endpoint)
        if kept is None:
            parts = endpoint.split(".")[:-1]
            blueprints = [".".join(parts[:n]) for n in range(1, len(parts) + 1)]
            kept = self._endpoints_kept[endpoint] = not any(
                getattr(function, "fills_in", None) is None or blueprint in function.fills_in
                for blueprint in blueprints for function in self.url_default_functions.get(blueprint, ()))
        return kept

    @cached_property
    def _endpoints_kept(self):
        return {}


def fills_in(*names):
    """Marks a blueprint's url_defaults function as filling in arguments only for these of the
    names the blueprint is registered under: the others' addresses can be kept (App.url_for)."""

    def mark(function):
        function.fills_in = frozenset(names)
        return function

    return mark


class CompiledTemplates(BytecodeCache):
    """Templates compiled once a process, for every app made in it (Jinja checks each one's
    source against what was compiled, so an edited template is compiled again)."""

    def __init__(self):
        self.compiled = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def wants_fragment():
    """True for an htmx request that swaps part of a page (not a boost or a history restore)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render(template, block=None, **context):
    """The whole page, or only `block` of it when htmx asked for a fragment."""
    if block and wants_fragment():
        return render_block(template, block, **context)
    return render_template(template, **context)


def attachment(filename):
    """A Content-Disposition header value for a download named in any alphabet (RFC 6266): an
    ASCII `filename=` for old browsers and the real name as `filename*=UTF-8''...`. Anything
    that could leave a folder or end the header (slashes, quotes, control characters) and
    runs of spaces become "-"."""
    stem, dot, suffix = filename.rpartition(".")
    if not dot:
        stem, suffix = filename, ""
    stem = re.sub(r"[^\w.]+", "-", unicodedata.normalize("NFC", stem)).strip("-.") or "download"
    suffix = re.sub(r"[^A-Za-z0-9]", "", suffix)
    name = f"{stem}.{suffix}" if suffix else stem
    ascii_stem = re.sub(r"[^A-Za-z0-9.]+", "-", unicodedata.normalize("NFKD", stem).encode("ascii", "ignore")
                        .decode()).strip("-.") or "download"
    ascii_name = f"{ascii_stem}.{suffix}" if suffix else ascii_stem
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def history_range(start, end, years, today=None):
    """The dates a history page shows: those asked for, or else this school year. Returns
    (start, end, links): links are (school year, its URL on this page, whether shown), for
    each school year the record holds, newest first, and this one."""
    from .responses import year_range

    today = today or date.today()
    this_year = today.year if today.month >= 9 else today.year - 1
    if not start and not end:
        start, end = year_range(this_year)
    values = {key: value for key, value in request.view_args.items()} if request.view_args else {}
    links = []
    for year in sorted(set(years) | {this_year}, reverse=True):
        first, last = year_range(year)
        links.append((year, url_for(request.endpoint, **values, **{"from": first, "to": last}),
                      (start, end) == (first, last)))
    return start, end, links


def older_than():
    """The ?older= of a history page: the id of the play its list goes on from, or None."""
    value = request.args.get("older", "")
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) < 16):
        abort(400, _("That link to older activities is not right. Go back to the page and choose Older activities again."))
    return int(value)


def older_url(older):
    """This history page again, with the same dates and filters, going on from the play
    `older`; None when there is nothing older."""
    if older is None:
        return None
    args = {key: value for key, value in request.args.items() if key != "older"}
    return url_for(request.endpoint, **(request.view_args or {}), **args, older=older)


def symbol_url(symbol_id):
    """A symbol's address (kept once built, as every page address is: App.url_for)."""
    return url_for("symbols.image", symbol_id=symbol_id)


def capital_first(text):
    """The text with a capital first letter and the rest as written, so that "IT support
    worker" and "T level" keep their capitals (Jinja's own capitalize lowers the rest). A
    content text keeps its language."""
    from .content import Text

    if not text:
        return text
    changed = text[:1].upper() + text[1:]
    return Text(changed, text.lang, text.fallback) if isinstance(text, Text) else changed


def symbol_label(symbol_id, capital=False):
    """A symbol's label in the page's language, or its English marked as a fallback."""
    from .content import Text
    from .i18n import DEFAULT, page_language

    language = page_language()
    from .symbols import get_symbols

    labels = get_symbols()[symbol_id].labels
    found = labels.get(language.speech)
    text = found or labels["en"]
    if capital:
        text = capital_first(text)
    if language.code == DEFAULT:
        return text
    return Text(text, language.speech) if found else Text(text, "en", fallback=True)


def when(stamp, time_only=False):
    """A stored UTC time shown in the school's time zone, in plain words. The clock is digits
    in every language (as Babel's HH:mm gives); a day's words are made once per language, so a
    page of a hundred answers does not ask Babel a hundred times."""
    moment = to_user_timezone(datetime.fromisoformat(stamp))
    clock = f"{moment:%H:%M}"
    if time_only:
        return clock
    return f"{_day_words(moment.date(), str(get_locale()))}, {clock}"


@lru_cache(maxsize=4096)
def _day_words(day, locale):
    return babel_format_date(day, "EEEE d MMMM yyyy", locale=locale)


def day(stamp):
    """A date (or YYYY-MM-DD text) in plain words."""
    if not isinstance(stamp, date):
        stamp = date.fromisoformat(stamp[:10])
    return format_date(stamp, "EEEE d MMMM yyyy")


def about():
    return render("about.html")


STATIC_MAX_AGE = 365 * 24 * 3600


# A page names seven static files; looking each one's time up on every page is seven calls to
# the file system, each of which lets go of the GIL and waits to get it back under waitress's
# threads. So a time found is trusted for a couple of seconds: a changed file still gets its
# new address at once for all practical purposes.
STAMP_SECONDS = 2.0
_stamps = {}


def static_stamp(app, filename):
    """A static file's time of change, or None for a missing file."""
    try:
        path = os.path.join(app.static_folder, filename)
    except TypeError:
        return None
    clock = time.monotonic()
    kept = _stamps.get(path)
    if kept is not None and clock - kept[0] < STAMP_SECONDS:
        return kept[1]
    try:
        stamp = format(os.stat(path).st_mtime_ns, "x")
    except (OSError, ValueError):
        stamp = None
    if len(_stamps) > 1024:  # only the app's own files are named; a bound all the same
        _stamps.clear()
    _stamps[path] = (clock, stamp)
    return stamp


def static_version(endpoint, values):
    """A static file's address carries its time of change (?v=), so browsers keep the style
    sheet and the scripts for a year and ask again only when a new version of the app changes
    them: a page load on school Wi-Fi asks for nothing but the page."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        stamp = static_stamp(current_app, values["filename"])
        if stamp:  # a missing file gets its plain address and a 404
            values["v"] = stamp


def set_headers(response):
    if wants_fragment() and response.status_code in (302, 303):
        # htmx would follow the redirect and swap the whole next page into the fragment;
        # tell it to load the next page instead.
        response = current_app.response_class(status=204, headers={"HX-Redirect": response.location})
    if response.is_streamed and response.mimetype in current_app.config["COMPRESS_MIMETYPES"]:
        # Read the (small) file whole, so Flask-Compress compresses it in one piece: its
        # streaming path would leave the file open.
        response.direct_passthrough = False
        response.make_sequence()
    response.vary.add("HX-Request")
    headers = response.headers
    # Nothing is loaded from another site, and nothing may frame the app.
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
        # A versioned address (static_version) never changes what it holds.
        headers["Cache-Control"] = f"public, max-age={STATIC_MAX_AGE}, immutable"
    if "Cache-Control" not in headers:
        # Pages and redirects name learners and show their work: a shared tablet's browser
        # keeps none of them, so Back after signing out shows nothing (and the class's list of
        # names is not kept either). Static files, symbols, narration and media set their own.
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app):
    app.jinja_env.globals.update(symbol_url=symbol_url, symbol_label=symbol_label)
    # Every "|capitalize" in a template keeps acronyms: only the first letter changes.
    app.jinja_env.filters["capitalize"] = capital_first
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["day"] = day
    app.add_url_rule("/about", "about", about)
    app.after_request(set_headers)
    app.url_defaults(static_version)


def csv_safe(text):
    """A CSV cell a spreadsheet must not run as a formula (OWASP: also a tab or carriage return
    first, which some spreadsheets skip before an =)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
