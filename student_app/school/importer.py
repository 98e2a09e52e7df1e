"""Importing learners from a CSV file that an MIS (SIMS, Arbor, Bromcom) exports, or that a
spreadsheet saved: read the file, plan what each row would do, and apply the plan.

`read_rows` turns the file's bytes into rows (or refuses the file with a kind message);
`plan` says, for every row, what would happen (add, update, unchanged, or an error naming the
field); `apply` writes a plan in one transaction. Nothing is written until `apply`, so the
admin screen and `flask learners import --dry-run` show the plan first.

A learner missing from the file is never touched: an import only adds and updates (the
Kolibri importer once deleted everyone missing from a file; schools remember). Learners are
matched by UPN, then admission number, then by name and month of birth, so that re-importing
the same file, or next term's export, changes nothing that has not changed."""

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from .. import audit
from ..db import transaction
from ..lookups import has_left
from . import records

ROW_LIMIT = 5000
DELIMITERS = (";", ",", "\t")

# Header names an MIS or a hand-made sheet uses, by the detail they hold; compared with
# case, spaces and punctuation left out. Earlier names win when a file has two of a kind.
ALIASES = {
    "name": ("name", "full name", "pupil name", "learner name", "student name", "child name"),
    "first_name": ("first name", "forename", "legal forename", "preferred forename", "given name"),
    "last_name": ("last name", "surname", "legal surname", "preferred surname", "family name"),
    "date_of_birth": ("date of birth", "dob", "birth date", "birthdate"),
    "class": ("class", "form", "tutor group", "reg group", "registration group", "class name"),
    "upn": ("upn", "unique pupil number"),
    "admission_number": ("admission number", "adno", "admission no", "adm no"),
    "career_group": ("career send group", "send group", "group"),
}


def header_key(text):
    """A header compared in any case and spacing: `Date of Birth`, `date_of_birth`, `DOB.`."""
    return re.sub(r"[\W_]+", "", records.clean_text(text).casefold())


KEY_FIELDS = {header_key(alias): (name, rank) for name, aliases in ALIASES.items()
              for rank, alias in enumerate(aliases)}


class FileRefused(ValueError):
    """A file we cannot import at all; the message says why in plain words."""


class PlanHasErrors(ValueError):
    """`apply` was asked to write a plan with rows in error, without skipping them."""


@dataclass
class Row:
    line: int  # the row's physical line in the file; the header is line 1
    values: dict  # detail -> the cell's text, cleaned
    raw: dict  # detail -> the cell as written (to spot a formula)


class Rows(list):
    """The rows of a file, and which of its columns were read."""

    def __init__(self, rows, columns, ignored):
        super().__init__(rows)
        self.columns = columns  # detail -> the header it came from
        self.ignored = ignored  # headers of columns not read


def decode(data):
    """The file's text: UTF-8 (with or without a byte-order mark), UTF-16 with one (Excel's
    "Unicode text"), or Windows-1252, which Excel on Windows writes as "CSV"."""
    if not data.strip():
        raise FileRefused(_("This file is empty. Please export the learners again."))
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileRefused(_("This is an Excel workbook, not a CSV file. In Excel, choose "
                            "File, Save As, and \"CSV UTF-8\", then upload that file."))
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                return data.decode("cp1252")
            except UnicodeDecodeError:
                pass
    raise FileRefused(_("This is not a CSV file we can read. Please export the learners "
                        "from the MIS as CSV, or save the spreadsheet as \"CSV UTF-8\"."))


def count_outside_quotes(line, char):
    quoted, count = False, 0
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == char and not quoted:
            count += 1
    return count


def read_rows(data: bytes):
    """The rows of a CSV file, with the details each holds, matched by header name.
    Raises FileRefused for a file we cannot import."""
    text = decode(data)
    lines = io.StringIO(text, newline="")
    first, line_no = "", 0
    for first in lines:  # the header is the first line with anything in it
        line_no += 1
        if first.strip():
            break
    delimiter = None
    found = re.fullmatch(r'"?sep=(.)"?', first.strip())
    if found and found.group(1) in DELIMITERS:  # Excel's own hint: "sep=;" on the first line
        delimiter = found.group(1)
        first = next(lines, "")
        line_no += 1
    if delimiter is None:
        counts = {char: count_outside_quotes(first, char) for char in DELIMITERS}
        delimiter = max(DELIMITERS, key=lambda char: counts[char]) if any(counts.values()) else ","
    header_line = line_no
    end = header_line - 1  # the line a csv.Error is on, before the first row is read
    try:
        header = next(csv.reader([first], delimiter=delimiter), [])
        columns, ignored = {}, []  # detail -> (rank, index)
        for index, title in enumerate(header):
            found = KEY_FIELDS.get(header_key(title))
            if found is None:
                if records.clean_text(title):
                    ignored.append(records.clean_text(title))
                continue
            name, rank = found
            if name in columns and columns[name][0] <= rank:
                ignored.append(records.clean_text(title))
                continue
            if name in columns:
                ignored.append(records.clean_text(header[columns[name][1]]))
            columns[name] = (rank, index)
        if "name" not in columns and not {"first_name", "last_name"} <= set(columns):
            raise FileRefused(_(
                "We could not find the learners' names in this file. Its first line should name "
                "the columns, with one called \"Name\", or two called \"First name\" and "
                "\"Last name\" (or \"Forename\" and \"Surname\")."))
        if "name" in columns:  # a full name wins; the two halves are then not read
            for half in ("first_name", "last_name"):
                if half in columns:
                    ignored.append(records.clean_text(header[columns.pop(half)[1]]))
        indexes = {name: index for name, (_rank, index) in columns.items()}
        rows = []
        reader = csv.reader(lines, delimiter=delimiter)
        end = header_line
        for cells in reader:
            start, end = end + 1, header_line + reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # blank rows, most often at the end of an Excel sheet
            if len(rows) == ROW_LIMIT:
                raise FileRefused(_(
                    "This file has more than %(limit)s learners. One import takes at most "
                    "%(limit)s: please split the file into smaller ones.", limit=f"{ROW_LIMIT:,}"))
            raw = {name: cells[index] if index < len(cells) else "" for name, index in indexes.items()}
            rows.append(Row(start, {name: records.clean_text(value) for name, value in raw.items()}, raw))
    except csv.Error:
        raise FileRefused(_("Line %(line)s of this file is not CSV we can read. Please export the "
                            "learners from the MIS as CSV again.", line=end + 1)) from None
    if not rows:
        raise FileRefused(_("This file has no learners in it, only the line that names the columns."))
    titles = {name: records.clean_text(header[index]) for name, index in indexes.items()}
    return Rows(rows, titles, ignored)


@dataclass
class Outcome:
    """What one row of the file would do."""

    line: int
    name: str
    class_name: str
    action: str = "unchanged"  # add, update, unchanged or error
    changes: list = field(default_factory=list)  # (detail, old, new)
    errors: list = field(default_factory=list)  # (column's header, reason)
    notes: list = field(default_factory=list)  # plain words, e.g. "new class 7B"
    learner_id: int = None
    details: dict = field(default_factory=dict)  # what is written: detail -> value
    new_class: bool = False
    new_code: bool = False  # moving class needs a new picture code


@dataclass
class Plan:
    rows: list
    new_classes: list  # names of classes the import makes
    columns: dict
    ignored: list
    make_classes: bool = True

    def count(self, action):
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self):
        return {action: self.count(action) for action in ("add", "update", "unchanged", "error")}

    def fingerprint(self):
        """A short hash of what the plan would do: a confirm that finds another plan (the
        school's learners changed since the preview) shows the new preview instead."""
        # Not the error messages: they are in the page's language, which may change meanwhile.
        parts = [[row.line, row.action, row.learner_id, row.changes, [column for column, _why in row.errors],
                  row.details, row.new_class, row.new_code] for row in self.rows]
        return hashlib.sha256(json.dumps([parts, self.new_classes], default=str).encode()).hexdigest()[:32]


def fold(name):
    """A name compared in any case, in one Unicode form (Siân typed two ways is one Siân)."""
    return records.clean_text(name).casefold()


CHANGEABLE = ("name", "date_of_birth", "class_id", "career_group", "upn", "admission_number")


def cell_problem(raw):
    """A cell a spreadsheet would run as a formula (`=HYPERLINK(...)`, `+1`, `@SUM`), even
    behind spaces, a tab or a carriage return."""
    value = raw.lstrip(" ")
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return _("This cell starts with = + - or @, so a spreadsheet would run it as a "
                 "formula. Please remove that character.")
    return None


def row_details(row, columns):
    """The row's details, checked by the rules every form uses: (details, errors)."""
    values, errors, details = row.values, [], {}
    for name, raw in row.raw.items():
        problem = cell_problem(raw)
        if problem:
            errors.append((columns[name], problem))
    if errors:
        return details, errors
    if "name" in values:
        name = values["name"]
        if name.count(",") == 1:  # SIMS writes "Surname, Forename"
            last, first = (part.strip() for part in name.split(","))
            name = f"{first} {last}".strip()
        label = columns["name"]
    else:
        name = f"{values['first_name']} {values['last_name']}".strip()
        label = f"{columns['first_name']}, {columns['last_name']}"
    problem = records.name_problem(name)
    if problem:
        errors.append((label, problem))
    details["name"] = name
    if values.get("date_of_birth"):
        # "03/09/2012 00:00": a date Excel wrote as a date and time
        value = re.sub(r"\s+0?0:00(:00)?$", "", values["date_of_birth"])
        month, problem = records.birth_month(value)
        if problem:
            errors.append((columns["date_of_birth"], problem))
        details["date_of_birth"] = month
    if values.get("class"):
        problem = records.class_name_problem(values["class"])
        if problem:
            errors.append((columns["class"], problem))
        details["class"] = values["class"]
    if values.get("career_group"):
        group, problem = records.career_group(values["career_group"])
        if problem:
            errors.append((columns["career_group"], problem))
        details["career_group"] = group
    if values.get("upn"):
        upn = values["upn"].replace(" ", "").upper()
        problem = records.upn_problem(upn)
        if problem:
            errors.append((columns["upn"], problem))
        details["upn"] = upn
    if values.get("admission_number"):
        number = values["admission_number"].replace(" ", "")
        problem = records.admission_number_problem(number)
        if problem:
            errors.append((columns["admission_number"], problem))
        details["admission_number"] = number
    return details, errors


def plan(db, school_id, rows, make_classes=True):
    """What importing `rows` (from read_rows) into the school would do, row by row. Reads
    the school's learners and classes in a few queries, whatever the file's size."""
    columns = getattr(rows, "columns", {})
    label = {name: columns.get(name, name) for name in ALIASES}
    learners = [dict(row) for row in db.query(
        """SELECT id, name, date_of_birth, class_id, career_group, upn, admission_number, code, left_on
           FROM learners WHERE school_id = ?""", [school_id])]
    by_kind = {kind: {learner[kind]: learner for learner in learners if learner[kind]} for kind in records.IDENTIFIERS}
    by_name = {}
    for learner in learners:
        by_name.setdefault(fold(learner["name"]), []).append(learner)
    classes = {}
    class_names = {}
    for row in db.query("SELECT id, name FROM classes WHERE school_id = ? AND archived_at IS NULL ORDER BY id",
                        [school_id]):
        classes.setdefault(fold(row["name"]), row["id"])
        class_names[row["id"]] = row["name"]
    codes, sizes = {}, {}  # class id -> picture codes in it, and its size, as the plan would leave them
    for learner in learners:
        codes.setdefault(learner["class_id"], set()).add(learner["code"])
        sizes[learner["class_id"]] = sizes.get(learner["class_id"], 0) + 1

    checked = [(row, *row_details(row, label)) for row in rows]
    # Identifiers that belong to another school or to an erased learner: one query a kind.
    taken = {kind: records.identifier_problems(
        db, school_id, kind, {details[kind] for _row, details, errors in checked if details.get(kind)})
        for kind in records.IDENTIFIERS}

    outcomes, new_classes, seen = [], [], {"upn": {}, "admission_number": {}, "person": {}, "learner": {}}
    for row, details, errors in checked:
        outcome = Outcome(row.line, details.get("name", ""), details.get("class", ""), details=details)
        outcomes.append(outcome)
        errors = list(errors)
        # Duplicates inside the file: the later row is in error.
        person = (fold(details.get("name", "")), details.get("date_of_birth"))
        for kind in records.IDENTIFIERS:
            value = details.get(kind)
            if value and value in seen[kind]:
                errors.append((label[kind], _("Line %(line)s of the file has this number too.",
                                              line=seen[kind][value])))
            elif value:
                seen[kind][value] = row.line
        numbers = tuple(details.get(kind) for kind in records.IDENTIFIERS)
        earlier = seen["person"].get(person)
        # Two rows of one name and month of birth are one learner twice, unless their
        # numbers say they are two learners.
        if earlier and not errors and not (any(numbers) and any(earlier[1]) and numbers != earlier[1]):
            errors.append((label["name"] if "name" in columns else _("Name"), _(
                "Line %(line)s of the file has a learner with the same name and month of birth.",
                line=earlier[0])))
        seen["person"].setdefault(person, (row.line, numbers))
        if errors:
            outcome.action, outcome.errors = "error", errors
            continue

        # Who the row is about: by UPN, then admission number, then name and month of birth.
        learner, errors = match(details, by_kind, by_name, label, columns)
        if not errors and learner and learner["id"] in seen["learner"]:
            errors.append((_("Learner"), _("Line %(line)s of the file is about the same learner.",
                                           line=seen["learner"][learner["id"]])))
        for kind in records.IDENTIFIERS:
            value = details.get(kind)
            if errors or not value or (learner and learner[kind] == value):
                continue
            if value in by_kind[kind] and by_kind[kind][value] is not learner:
                errors.append((label[kind], _("Another learner of this school already has this number.")))
            elif taken[kind].get(value):
                errors.append((label[kind], taken[kind][value]))
        if errors:
            outcome.action, outcome.errors = "error", errors
            continue
        if learner:
            seen["learner"][learner["id"]] = row.line
            outcome.learner_id = learner["id"]

        # The class: an existing one (any case), or one the import makes.
        class_id = None
        if details.get("class"):
            class_id = classes.get(fold(details["class"]))
            if class_id is None and not make_classes:
                outcome.action = "error"
                outcome.errors = [(label["class"], _(
                    "There is no class called %(name)s in the app. Add the class first, or "
                    "import with \"make classes\" on.", name=details["class"]))]
                continue
            if class_id is None:
                outcome.new_class = True
                outcome.notes.append(_("new class %(name)s", name=details["class"]))
        elif learner is None:
            outcome.action = "error"
            outcome.errors = [(label["class"], _("Please give the class of a new learner."))]
            continue

        target = class_id if class_id is not None else ("new", fold(details["class"])) if details.get("class") else None
        if target is not None and (learner is None or target != learner["class_id"]):
            if sizes.get(target, 0) >= records.CLASS_SIZE_LIMIT:
                outcome.action = "error"
                outcome.errors = [(label["class"], records.class_full_message())]
                continue
        if learner is None:
            outcome.action = "add"
            sizes[target] = sizes.get(target, 0) + 1
            continue
        outcome.class_name = outcome.class_name or class_names.get(learner["class_id"], "")
        # What changes; a blank cell keeps what the app has (an import never erases).
        wanted = {"name": details["name"], "date_of_birth": details.get("date_of_birth"),
                  "class_id": class_id, "career_group": details.get("career_group"),
                  "upn": details.get("upn"), "admission_number": details.get("admission_number")}
        for detail in CHANGEABLE:
            new = wanted[detail]
            if detail == "class_id" and outcome.new_class:
                outcome.changes.append(("class", class_names.get(learner["class_id"], ""), details["class"]))
            elif new is not None and new != learner[detail]:
                if detail == "class_id":
                    outcome.changes.append(("class", class_names.get(learner["class_id"], ""), class_names[new]))
                else:
                    outcome.changes.append((detail, learner[detail], new))
        if not outcome.changes:
            continue
        if has_left(learner):
            outcome.action = "error"
            outcome.errors = [(_("Learner"), _(
                "This learner is marked as left, so their record is read only. Take them back "
                "first if they are still at the school."))]
            outcome.changes = []
            continue
        outcome.action = "update"
        if any(detail == "class" for detail, _old, _new in outcome.changes):
            sizes[target] = sizes.get(target, 0) + 1
            sizes[learner["class_id"]] -= 1
            if learner["code"] and learner["code"] in codes.get(target, set()):
                outcome.new_code = True
                outcome.notes.append(_("a new picture code (another learner of that class has theirs)"))
            else:
                codes.setdefault(target, set()).add(learner["code"])
    named = set()
    for outcome in outcomes:  # the classes of rows that will be imported, in the file's spelling
        if outcome.new_class and outcome.action != "error" and fold(outcome.details["class"]) not in named:
            named.add(fold(outcome.details["class"]))
            new_classes.append(outcome.details["class"])
    return Plan(outcomes, new_classes, dict(columns), list(getattr(rows, "ignored", [])), make_classes)


def match(details, by_kind, by_name, label, columns):
    """The learner a row is about (or None for a new one), and any errors."""
    found = {}
    for kind in records.IDENTIFIERS:
        if details.get(kind) and details[kind] in by_kind[kind]:
            found[kind] = by_kind[kind][details[kind]]
    if len({learner["id"] for learner in found.values()}) > 1:
        return None, [(label["admission_number"], _(
            "The UPN and the admission number belong to two different learners. Please check them."))]
    if found:
        return next(iter(found.values())), []
    month = details.get("date_of_birth")
    candidates = by_name.get(fold(details["name"]), [])
    if month:
        same = [c for c in candidates if c["date_of_birth"] == month] or [
            c for c in candidates if not c["date_of_birth"]]
    else:
        same = candidates
    name_label = label["name"] if "name" in columns else _("Name")
    if len(same) > 1:
        return None, [(name_label, _(
            "%(count)s learners have this name and month of birth. Please add their UPN or "
            "admission number to the file, so we know which one this is.", count=len(same)))]
    if not same:
        return None, []
    learner = same[0]
    for kind in records.IDENTIFIERS:
        if details.get(kind) and learner[kind] and learner[kind] != details[kind]:
            return None, [(label[kind], _(
                "A learner with this name and month of birth has another number in the app "
                "(%(number)s). Please check which is right.", number=learner[kind]))]
    return learner, []


def apply(db, school_id, plan, actor, skip_errors=False, filename=""):
    """Write `plan` in one transaction: make the new classes, add and update learners, and
    log the import once. `actor` is who imported it (audit.log_action's actor, or None for
    the signed-in member of staff). Returns the counts."""
    counts = plan.counts
    if counts["error"] and not skip_errors:
        raise PlanHasErrors(_("%(count)s rows have errors. Correct them in the file, or choose to "
                              "skip them.", count=counts["error"]))
    with transaction(db):
        made = {}
        for name in plan.new_classes:
            made[fold(name)] = records.find_or_make_class(db, school_id, name)
        existing = {fold(row["name"]): row["id"] for row in db.query(
            "SELECT id, name FROM classes WHERE school_id = ? AND archived_at IS NULL ORDER BY id DESC",
            [school_id])}

        def class_of(name):
            return made.get(fold(name)) or existing[fold(name)]

        # Moves first, so new learners' picture codes avoid the codes of those moving in.
        for row in plan.rows:
            if row.action != "update":
                continue
            sets = {}
            for detail, _old, new in row.changes:
                if detail == "class":
                    sets["class_id"] = class_of(new)
                else:
                    sets[detail] = new
            # The plan foresaw most clashes of picture codes; a new code given to an earlier
            # mover it could not foresee, so ask the class as it is now.
            if "class_id" in sets and (row.new_code or db.execute(
                    "SELECT 1 FROM learners WHERE class_id = ? AND id != ? AND code = "
                    "(SELECT code FROM learners WHERE id = ?)",
                    [sets["class_id"], row.learner_id, row.learner_id]).fetchone()):
                sets["code"] = records.new_picture_code(db, sets["class_id"])
            db["learners"].update(row.learner_id, sets)
        for row in plan.rows:
            if row.action == "add":
                fields = dict(row.details)
                records.add_learner(db, school_id, class_of(fields.pop("class")), fields)
        result = {"added": counts["add"], "updated": counts["update"], "unchanged": counts["unchanged"],
                  "skipped": counts["error"]}
        audit.log_action(school_id, "imported learners{}: {} added, {} updated, {} unchanged, {} skipped".format(
            f" from {filename}" if filename else "", result["added"], result["updated"], result["unchanged"],
            result["skipped"]), actor=actor, db=db)
    return result
