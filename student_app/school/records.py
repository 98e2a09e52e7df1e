"""The rules a learner's details follow, shared by the add and edit forms and the importer,
and the writes that add learners and classes. Functions take the database and the school
and return plain values; the caller holds the transaction."""

import hmac
import json
import re
import secrets
import unicodedata
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _

from ..auth import CODE_LENGTH, CODE_SYMBOLS
from ..db import now

NAME_LIMIT = 80
CLASS_NAME_LIMIT = 60
# The letters a UPN's check letter is drawn from (no I, O or S), as the DfE publishes them.
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
ADMISSION_LIMIT = 20
EARLIEST_BIRTH = date(1990, 1, 1)
IDENTIFIERS = ("upn", "admission_number")
# The most learners a class can have, each with a picture code of their own (new_picture_code
# stops at half of the 729 codes, so that guessing one stays hard).
CLASS_SIZE_LIMIT = len(CODE_SYMBOLS) ** CODE_LENGTH // 2 - 1


def clean_text(value):
    """Text from a form or a spreadsheet cell: NFC, spaces collapsed, no control characters."""
    value = unicodedata.normalize("NFC", value or "")
    # Zero-width (non-)joiners are letters' business in Persian and Indic names: kept.
    value = "".join(ch for ch in value if unicodedata.category(ch)[0] != "C" or ch in " \t\u200c\u200d")
    return " ".join(value.split())


def name_problem(name, limit=NAME_LIMIT):
    """A person's name may use letters of any alphabet, spaces, hyphens, apostrophes and full
    stops: nothing a spreadsheet could run (=, +, @) and no markup."""
    if not name:
        return _("Please give a name.")
    if len(name) > limit:
        return _("Please keep the name under %(limit)s characters.", limit=limit)
    allowed = {" ", "-", "'", "\u2019", ".", "\u00b7", "\u30fb", "\u200c", "\u200d"}  # · (Catalan), ・ (Japanese)
    if not all(unicodedata.category(ch)[0] in "LM" or ch in allowed for ch in name) or not any(
            unicodedata.category(ch)[0] == "L" for ch in name):
        return _("A name can have letters, spaces, hyphens and apostrophes only.")
    return None


def class_name_problem(name):
    if not name:
        return _("Please give the class a name.")
    if len(name) > CLASS_NAME_LIMIT:
        return _("Please keep the class name under %(limit)s characters.", limit=CLASS_NAME_LIMIT)
    if name[:1] in "=+-@" or any(ch in "<>" for ch in name):
        return _("A class name cannot start with = + - or @, or hold < or >.")
    return None


def upn_check_letter(rest):
    """The check letter of a UPN whose last 12 characters are `rest`."""
    total = 0
    for weight, ch in zip(range(2, 14), rest):
        total += weight * (int(ch) if ch.isdigit() else UPN_LETTERS.index(ch))
    return UPN_LETTERS[total % 23]


def upn_problem(upn):
    """A UPN is 13 characters: a check letter, 11 digits, and a digit (or a letter for a
    temporary UPN)."""
    if not re.fullmatch(r"[A-Z][0-9]{11}[0-9A-Z]", upn) or (upn[-1].isalpha() and upn[-1] not in UPN_LETTERS):
        return _("A UPN is 13 characters: a letter, then 11 digits, then a digit or a letter.")
    if upn_check_letter(upn[1:]) != upn[0]:
        return _("This UPN's first letter does not match its digits. Please check it against the MIS.")
    return None


def admission_number_problem(value):
    if len(value) > ADMISSION_LIMIT or not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z/-]*", value):
        return _("An admission number has up to 20 letters and digits (and - or /).")
    return None


def birth_month(value):
    """The month and year of birth from `2012-09-03`, `03/09/2012` (day first, as UK
    spreadsheets write it), `3.9.2012` or `2012-09`; only the month is kept. Returns
    (YYYY-MM or None, problem or None)."""
    value = clean_text(value)
    if not value:
        return None, None
    found = None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y-%m", "%d/%m/%y"):
        try:
            found = datetime.strptime(value, pattern).date()
            break
        except ValueError:
            continue
    if found is None:
        return None, _("Please give the date of birth like 03/09/2012 or 2012-09-03.")
    if found > date.today():
        return None, _("This date of birth is in the future. Please check it.")
    if found < EARLIEST_BIRTH:
        return None, _("This date of birth is before 1990. Please check it.")
    return found.isoformat()[:7], None


def career_group(value):
    """A Career SEND Group from `1`, `2`, `Group 1` or `group 2`: (1, 2 or None, problem)."""
    value = clean_text(value).lower().replace("group", "").strip()
    if not value:
        return None, None
    if value in ("1", "2"):
        return int(value), None
    return None, _("The Career SEND Group is 1 or 2.")


def identifier_hash(school_id, kind, value):
    """Keyed with the app's secret: a UPN has few enough digits that a plain hash of an erased
    learner's would be found again by trying them all."""
    return hmac.new(current_app.secret_key.encode(), f"{school_id}:{kind}:{value}".encode(), "sha256").hexdigest()


def identifier_problem(db, school_id, kind, value, learner_id=None):
    """A UPN or admission number belongs to one learner of the school, and is never given to
    another once used (a hash is kept after the learner is erased); a UPN also belongs to one
    learner across the schools on this server."""
    rows = db.execute(f"SELECT id FROM learners WHERE school_id = ? AND {kind} = ?", [school_id, value]).fetchall()
    if any(row[0] != learner_id for row in rows):
        return _("Another learner of this school already has this number.")
    return identifier_problems(db, school_id, kind, [value], erased=not rows).get(value)


def identifier_problems(db, school_id, kind, values, erased=True):
    """For many UPNs or admission numbers at once (an import's), in two queries: {value:
    problem} for those of an erased learner (if `erased`: only numbers no learner of the school
    has now), or, for a UPN, of a learner of another school. Which learner of the school has
    which number is the caller's to check."""
    values = sorted(set(values))
    if not values:
        return {}
    problems = {}
    hashes = {identifier_hash(school_id, kind, value): value for value in values} if erased else {}
    for (value_hash,) in db.execute(
            """SELECT value_hash FROM used_identifiers WHERE school_id = ? AND kind = ?
               AND value_hash IN (SELECT value FROM json_each(?))""",
            [school_id, kind, json.dumps(list(hashes))]):
        problems[hashes[value_hash]] = _(
            "This number belonged to a learner who was erased, and is never given to another.")
    if kind == "upn":
        for (value,) in db.execute(
                """SELECT upn FROM learners WHERE school_id != ? AND left_on IS NULL
                   AND upn IN (SELECT value FROM json_each(?))""", [school_id, json.dumps(values)]):
            problems.setdefault(value, _("This UPN belongs to a learner of another school on this "
                                         "server. Please ask that school to mark them as left first."))
    return problems


def remember_identifiers(db, learner):
    """Keep a hash of an erased learner's UPN and admission number, so neither is reused."""
    for kind in IDENTIFIERS:
        if learner.get(kind):
            db.execute("INSERT OR IGNORE INTO used_identifiers (school_id, kind, value_hash) VALUES (?, ?, ?)",
                       [learner["school_id"], kind, identifier_hash(learner["school_id"], kind, learner[kind])])


def class_full_message():
    return _("A class can have at most %(limit)s learners, so that each has a picture code "
             "of their own. Please put some in another class.", limit=CLASS_SIZE_LIMIT)


class ClassFull(Exception):
    """No picture code is left for another learner in a class: a kind 400 (see init_app)."""


def new_picture_code(db, class_id, keep=None):
    """Three of the nine pictures, in order, that no other learner of the class has (and not
    `keep`, a code being replaced)."""
    taken = {row[0] for row in db.execute("SELECT code FROM learners WHERE class_id = ? AND code IS NOT NULL",
                                          [class_id])}
    taken.add(keep)
    if len(taken) > CLASS_SIZE_LIMIT:
        raise ClassFull(class_full_message())
    while True:
        code = "-".join(secrets.choice(CODE_SYMBOLS) for _ in range(CODE_LENGTH))
        if code not in taken:
            return code


def avatars():
    return [symbol_id for symbol_id in current_app.extensions["symbols"] if symbol_id.startswith("avatar-")]


def pick_avatar(db, class_id):
    """The picture fewest learners of the class have, so each can find their own."""
    counts = dict(db.execute("SELECT avatar, count(*) FROM learners WHERE class_id = ? GROUP BY avatar",
                             [class_id]).fetchall())
    choices = avatars()  # once: it reads every symbol's id
    return min(enumerate(choices), key=lambda pair: (counts.get(pair[1], 0), pair[0]))[1]


def find_or_make_class(db, school_id, name):
    """The school's current class of this name (any case), made if missing."""
    row = db.execute("""SELECT id FROM classes WHERE school_id = ? AND archived_at IS NULL
                        AND name = ? COLLATE NOCASE""", [school_id, name]).fetchone()
    if row:
        return row[0]
    return db["classes"].insert({"school_id": school_id, "name": name, "created_at": now()}).last_pk


def add_learner(db, school_id, class_id, fields):
    """Add a learner with checked `fields` (name, and any of date_of_birth, career_group, upn,
    admission_number, avatar, photo_consent); a picture code and picture are chosen for them."""
    row = {"school_id": school_id, "class_id": class_id, "name": fields["name"],
           "avatar": fields.get("avatar") or pick_avatar(db, class_id),
           "code": new_picture_code(db, class_id), "code_hash": "",
           "career_group": fields.get("career_group") or 1,
           "date_of_birth": fields.get("date_of_birth"), "photo_consent": int(bool(fields.get("photo_consent"))),
           "upn": fields.get("upn") or None, "admission_number": fields.get("admission_number") or None,
           "created_at": now()}
    return db["learners"].insert(row).last_pk


def left_month(value):
    """The month a learner left (or will leave) from a month field, `2026-07`, or `07/2026`
    typed where a browser shows a plain text box: (YYYY-MM or None, problem or None). Their
    records are kept for a set time after it (retention.py)."""
    value = clean_text(value)
    found = re.fullmatch(r"(\d{4})-(\d{1,2})", value) or re.fullmatch(r"(\d{1,2})/(\d{4})", value)
    if found:
        year, month = (int(part) for part in found.groups())
        if "/" in value:
            year, month = month, year
        if 1 <= month <= 12 and 2000 <= year <= date.today().year + 2:
            return f"{year:04d}-{month:02d}", None
    return None, _("Please give the month they left, like 2026-07.")


def code_pictures(code):
    """The three symbol ids of a kept picture code, in order ("code-cat-code-sun-code-tree"
    -> ["code-cat", "code-sun", "code-tree"]), or None for a learner whose code is not kept
    (made before it was: staff reset it to see one)."""
    pictures = re.findall(r"code-[a-z]+", code or "")
    return pictures if len(pictures) == CODE_LENGTH and all(p in CODE_SYMBOLS for p in pictures) else None
