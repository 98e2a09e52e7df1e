"""Each learner's access profile: how every page is made for them, on the server, so there is
no flash of the wrong style. Staff set it on the learner's portfolio; the learner on their
own symbol-supported settings screen."""

import functools
import json
from dataclasses import dataclass

from flask import abort, g, request
from flask_babel import gettext as _

from .db import get_db

# name -> (allowed values, default); every value is a plain string in the form and the database.
OPTIONS = {
    "text_size": (("normal", "large", "larger"), "normal"),
    "theme": (("default", "contrast", "dark"), "default"),
    "display": (("both", "symbols", "words"), "both"),
    "rate": (("slow", "normal", "fast"), "normal"),
    "voice": (("lower", "higher"), "lower"),
    "motion": (("normal", "reduced"), "normal"),
    "font": (("default", "dyslexia"), "default"),
    "method": (("touch", "keyboard", "switch1", "switch2"), "touch"),
    "scan_seconds": (("1.5", "2", "3", "4"), "2"),
    "scan_speak": (("no", "yes"), "no"),
    # The language of every page the learner sees and hears (codes from i18n.LANGUAGES).
    "language": (("en_GB", "cy", "pl", "ar"), "en_GB"),
}
RATES = {"slow": 120, "normal": 150, "fast": 185}  # narration, words a minute
# The narration voice: the language's espeak-ng voice, or its higher variant ("+f3").
VOICES = {"lower": "", "higher": "+f3"}


def stored(learner):
    """Only what was chosen for the learner, without the defaults."""
    return json.loads(learner.get("access") or "{}") if learner else {}


def profile(learner):
    """The learner's profile with every option filled in."""
    return dict(_filled(learner.get("access") if learner else None))


@functools.lru_cache(maxsize=1024)
def _filled(text):
    """A stored profile's options, filled in: worked out once for each text, as a learner's
    page asks for its profile twenty times or more (every narration link asks its speed)."""
    stored_values = json.loads(text or "{}")
    return {name: stored_values[name] if stored_values.get(name) in allowed else default
            for name, (allowed, default) in OPTIONS.items()}


def from_form(form, current):
    """A profile from a settings form; only the options the form sends change."""
    changed = dict(current)
    for name, (allowed, _default) in OPTIONS.items():
        if name in form:
            if form[name] not in allowed:
                abort(400, _("Please choose one of the settings offered."))
            changed[name] = form[name]
    return changed


def save(learner_id, new_profile):
    get_db().execute("UPDATE learners SET access = ? WHERE id = ?",
                     [json.dumps(new_profile, sort_keys=True), learner_id])


def body_classes(found):
    return " ".join(f"{name.replace('_', '-')}-{value}" for name, value in found.items()
                    if name not in ("scan_seconds", "rate", "voice", "language"))


def current():
    """The profile of the signed-in learner, or of the learner a page is made for."""
    found = g._get_current_object()  # not through the proxy: narration asks at every link
    learner = found.get("access_learner")
    if learner is None:
        user = found.get("user")
        if user is not None and user["role"] == "learner":
            learner = user
    return profile(learner) if learner is not None else None


def narration_voice():
    """The learner's narration speed in words a minute (None: the school's) and the espeak-ng
    variant to add to the language's voice ("" for its own)."""
    found = current()
    return (RATES[found["rate"]], VOICES[found["voice"]]) if found else (None, "")


# How many picture cards one screen may show a learner; staff choose one on the portfolio.
CHOICE_COUNTS = (2, 3, 4)


def choice_count(learner=None, most=None):
    """How many picture cards (or tiles) one screen shows this learner: the number on their
    own profile wins everywhere. With no learner (a staff preview for a Career SEND Group),
    `most` (the activity's number for the group), never more than any learner may have."""
    if learner is not None and learner.get("choices") in CHOICE_COUNTS:
        return learner["choices"]
    return max(CHOICE_COUNTS[0], min(most or CHOICE_COUNTS[0], CHOICE_COUNTS[-1]))


@dataclass(frozen=True)
class Screen:
    """One screenful of a longer list: a short set, and whether More shows another."""

    items: list
    page: int  # from 1
    pages: int

    @property
    def more(self):
        return self.page < self.pages


def page_asked(value=None):
    """The screenful asked for by `?page=` (1 when none is given); bad numbers get a 404."""
    value = request.args.get("page", "1") if value is None else value
    if not (value.isascii() and value.isdigit() and len(value) < 6) or int(value) < 1:
        abort(404)
    return int(value)


def screenful(items, count, page):
    """Items `count` at a time: the page'th set (a page past the end is a 404)."""
    items = list(items)
    pages = max(1, -(-len(items) // count))
    if page > pages:
        abort(404)
    return Screen(items[(page - 1) * count: page * count], page, pages)


def init_app(app):
    app.jinja_env.globals.update(access_profile=current, access_body_classes=body_classes)
