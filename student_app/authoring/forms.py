"""The forms staff make their school's content with: one form for each kind of item, whose
fields are named as the content file's fields are ("name", "route.kind", "clue.2.symbol"), so
that a problem content.py finds in the file is shown beside the field it names.

A form's values become the item's TOML (to_toml) and a stored TOML becomes its values again
(values_of): the file is the one truth, as for the app's own content."""

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field

import tomli_w
from flask_babel import gettext as _

from .. import content


@dataclass(frozen=True)
class Field:
    name: str  # the file's field; in cards, the field of one card ("text")
    label: str
    kind: str = "text"  # text, long, symbol, choice, many, lines
    hint: str = ""
    required: bool = True
    options: tuple = ()  # (value, label) for choice and many
    words_from: str = ""  # for a symbol: the field whose words label a photo taken for it
    most: int = 300  # characters


@dataclass(frozen=True)
class Cards:
    """A list of tables in the file ([[clue]]), each a row of the form."""

    table: str
    label: str
    fields: tuple
    counts: tuple  # (fewest, most)
    hint: str = ""


@dataclass(frozen=True)
class Form:
    kind: str  # job, clues, who-can, word-mat, visit
    title: str
    fields: tuple = ()
    cards: Cards | None = None
    also: tuple = field(default_factory=tuple)  # fields kept in the job's local file (jobs only)


def slug(text):
    """An item's id from its name: lower case ASCII words joined by hyphens ("Café worker"
    becomes "cafe-worker"); names in other alphabets keep their letters."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode() or text
    words = re.findall(r"\w+", plain.lower())
    return "-".join(words)[:60].strip("-")


def _skills():
    from ..web import symbol_label

    return tuple((skill, symbol_label(f"skill-{skill}", capital=True)) for skill in content.SKILLS)


def _subjects():
    from ..web import symbol_label

    return tuple((subject, symbol_label(f"subject-{subject}", capital=True)) for subject in content.SUBJECTS)


def _sectors(catalogue):
    from ..symbols import get_symbols
    from ..web import symbol_label

    sectors = sorted({job.sector for job in catalogue.jobs.values()})
    return tuple((sector, symbol_label(f"sector-{sector}", capital=True) if f"sector-{sector}" in get_symbols()
                  else sector.replace("-", " ").capitalize()) for sector in sectors)


def _routes():
    from ..web import symbol_label

    return tuple((kind, symbol_label(f"route-{kind}", capital=True)) for kind in content.ROUTE_KINDS)


def form_for(kind, catalogue):
    """The form of one kind of item, in the page's language."""
    simple = _("At most %(num)s words a sentence: Group 1 hears this.", num=content.GROUP_ONE_WORDS)
    if kind == "job":
        return Form(kind, _("A job"), fields=(
            Field("name", _("The job's name"), hint=_("Like “Bakery assistant”."), most=60),
            Field("symbol", _("The job's picture"), "symbol", words_from="name"),
            Field("sector", _("Kind of work"), "choice", options=_sectors(catalogue)),
            Field("what", _("What the job is"), "long"),
            Field("what_simple", _("What the job is, in fewer words"), "long", hint=simple),
            Field("where", _("Where you work")),
            Field("where_symbol", _("A picture of where you work"), "symbol", words_from="where"),
            Field("wear", _("What you wear")),
            Field("wear_symbol", _("A picture of what you wear"), "symbol", words_from="wear"),
            Field("skills", _("Skills you use (1 to 5)"), "many", options=_skills()),
            Field("subjects", _("School subjects that help (1 to 4)"), "many", options=_subjects()),
            Field("route.kind", _("The way in"), "choice", options=_routes()),
            Field("route.text", _("How to get in"), "long",
                  hint=_("Say so if a supported internship is unpaid.")),
        ), also=(
            Field("employers", _("Employers near us (one a line)"), "lines", required=False,
                  hint=_("Names and what they offer, like “The Mill Bakery takes work experience students.”")),
            Field("demand", _("Are there jobs like this near us?"), required=False),
        ))
    if kind == "clues":
        return Form(kind, _("Guess my job clues"), cards=Cards("clue", _("Clues"), (
            Field("text", _("Clue"), hint=_("Said in the job's own voice, like “I get up early to make bread.”")),
            Field("symbol", _("Its picture"), "symbol", words_from="text"),
        ), content.CLUE_COUNTS, hint=_("Never say the job's name, and never show the job's own picture.")))
    if kind == "who-can":
        return Form(kind, _("Who can do this job?"), fields=(
            Field("question", _("The question"), hint=_("Like “Who can be a bakery assistant?”")),
            Field("example", _("Someone who does it"), "long",
                  hint=_("A real kind of person doing the job, against the stereotype.")),
            Field("example_symbol", _("A picture of them"), "symbol", words_from="example"),
            Field("needs", _("What the job needs of everyone (if anything)"), required=False,
                  hint=_("An age, fitness, a licence: so nobody is told untruly that anyone can.")),
            Field("needs_symbol", _("A picture for what it needs"), "symbol", required=False, words_from="needs"),
            Field("help", _("Help that makes it possible"), "long"),
            Field("help_symbol", _("A picture of the help"), "symbol", words_from="help"),
        ))
    table, noun = ("word", _("Words")) if kind == "word-mat" else ("page", _("Pages, in order"))
    low, high = content.PLACE_CARD_COUNTS[kind]
    return Form(kind, _("A word mat") if kind == "word-mat" else _("A look before a visit"), fields=(
        Field("title", _("The place's name"), hint=simple, most=80),
        Field("symbol", _("A picture of the place"), "symbol", words_from="title"),
    ), cards=Cards(table, noun, (
        Field("text", _("Word") if kind == "word-mat" else _("What this page says"),
              hint=_("One word or a few.") if kind == "word-mat" else simple,
              most=60 if kind == "word-mat" else 200),
        Field("symbol", _("Its picture"), "symbol", words_from="text"),
    ), (low, high), hint=_("Each word needs a picture of its own.") if kind == "word-mat" else ""))


def names(form):
    """Every form field's name, with each card's fields numbered from 1 ("clue.2.text")."""
    found = [f.name for f in form.fields + form.also]
    if form.cards:
        found += [f"{form.cards.table}.{n}.{f.name}" for n in range(1, form.cards.counts[1] + 1)
                  for f in form.cards.fields]
    return found


def read(form, posted):
    """(values, errors) from a posted form: the values by field name, the cards with empty
    rows taken out (so that the numbers are the file's), and a message by field for what is
    missing or too long. Every value is plain text."""
    values, errors = {}, {}

    def one(f, name):
        if f.kind == "many":
            value = [v for v in posted.getlist(name) if v in dict(f.options)]
        else:
            value = posted.get(name, "").replace("\r\n", "\n").strip()
            if f.kind != "long" and f.kind != "lines":
                value = " ".join(value.split())
        values[name] = value
        if f.kind != "many" and f.kind != "lines" and len(value) > f.most * (4 if f.kind == "long" else 1):
            errors[name] = _("Please keep this shorter: at most %(num)s characters.",
                             num=f.most * (4 if f.kind == "long" else 1))
        elif f.kind == "choice" and value and value not in dict(f.options):
            errors[name] = _("Please choose one of the options.")
        elif f.required and not value:
            errors[name] = _("Please choose a picture.") if f.kind == "symbol" else _(
                "Please choose at least one.") if f.kind == "many" else _("Please choose one.") if f.kind == "choice" \
                else _("Please fill this in.")

    for f in form.fields + form.also:
        one(f, f.name)
    if form.cards:
        cards, table = form.cards, form.cards.table
        rows = []
        for n in range(1, cards.counts[1] + 1):
            row = {f.name: posted.get(f"{table}.{n}.{f.name}", "").strip() for f in cards.fields}
            if any(row.values()):
                rows.append(n)
        for new, old in enumerate(rows, start=1):
            for f in cards.fields:
                sent = posted.get(f"{table}.{old}.{f.name}", "")
                values[f"{table}.{new}.{f.name}"] = " ".join(sent.split())
                if not values[f"{table}.{new}.{f.name}"]:
                    errors[f"{table}.{new}.{f.name}"] = _("Please choose a picture.") if f.kind == "symbol" else _(
                        "Please fill this in.")
                elif len(values[f"{table}.{new}.{f.name}"]) > f.most:
                    errors[f"{table}.{new}.{f.name}"] = _("Please keep this shorter: at most %(num)s characters.",
                                                          num=f.most)
            if f"{table}.{old}.id" in posted:
                values[f"{table}.{new}.id"] = posted[f"{table}.{old}.id"]
        values[table] = len(rows)
        if len(rows) < cards.counts[0]:
            errors[table] = _("Please fill in at least %(num)s.", num=cards.counts[0])
    return values, errors


def card_ids(values, table, count):
    """A word mat's words keep their ids (an answer names the word by its id); a new word's
    id is made from its words, once, and never used twice."""
    used, ids = set(), []
    for n in range(1, count + 1):
        kept = values.get(f"{table}.{n}.id", "")
        made = kept if re.fullmatch(r"[a-z0-9-]{1,60}", kept or "") and kept not in used else ""
        if not made:
            base = slug(values[f"{table}.{n}.text"]) or "word"
            made, k = base, 2
            while made in used:
                made, k = f"{base}-{k}", k + 1
        used.add(made)
        ids.append(made)
    return ids


def to_toml(form, item_id, values):
    """The item's file (and for a job, its local file or None) from the form's values."""
    data = {}
    if form.kind == "job":
        data["id"] = item_id
    elif form.kind in ("clues", "who-can"):
        data["job"] = item_id
    for f in form.fields:
        value = values.get(f.name)
        if not value:
            continue
        if "." in f.name:
            table, key = f.name.split(".", 1)
            data.setdefault(table, {})[key] = value
        else:
            data[f.name] = value
    if form.cards:
        table, count = form.cards.table, values.get(form.cards.table, 0)
        ids = card_ids(values, table, count) if form.kind == "word-mat" else []
        data[table] = [
            ({"id": ids[n - 1]} if ids else {}) | {f.name: values[f"{table}.{n}.{f.name}"] for f in form.cards.fields}
            for n in range(1, count + 1)]
    local = None
    if form.kind == "job":
        employers = [line.strip() for line in values.get("employers", "").splitlines() if line.strip()]
        if employers or values.get("demand"):
            local = tomli_w.dumps({"job": item_id, "employers": employers, "demand": values.get("demand", "")})
    return tomli_w.dumps(data), local


def values_of(form, text, local=None):
    """The form's values from the item's stored TOML (and a job's local file)."""
    data = tomllib.loads(text) if text else {}
    values = {}
    for f in form.fields:
        if "." in f.name:
            table, key = f.name.split(".", 1)
            values[f.name] = data.get(table, {}).get(key, "")
        else:
            values[f.name] = data.get(f.name, [] if f.kind == "many" else "")
    if form.cards:
        rows = data.get(form.cards.table, [])
        values[form.cards.table] = len(rows)
        for n, row in enumerate(rows, start=1):
            for key, value in row.items():
                values[f"{form.cards.table}.{n}.{key}"] = value
    if local:
        found = tomllib.loads(local)
        values["employers"] = "\n".join(found.get("employers", []))
        values["demand"] = found.get("demand", "")
    return values
