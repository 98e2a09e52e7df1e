"""Lookups that many staff views share: a learner or a class of the signed-in member of
staff's school, and what their role lets them do. A teaching assistant reaches only the
learners of the classes they are assigned to; anyone else is told 404, as for another
school's learner, so a changed URL never shows whether a learner exists."""

from datetime import date

from flask import abort, g
from flask_babel import gettext as _

from .db import fold, get_db

STAFF_ROLES = ("admin", "teacher", "assistant")


def form_id(value):
    """A row id sent in a form, or None: only plain ASCII digits, never a huge number."""
    value = value or ""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 16 else None


def is_assistant(user=None):
    user = user if user is not None else g.user
    return user is not None and user["role"] == "staff" and user["staff_role"] == "assistant"


def own_class_ids(user=None):
    """The classes the member of staff is assigned to (their own classes)."""
    user = user if user is not None else g.user
    return {row["class_id"] for row in get_db().query(
        "SELECT class_id FROM staff_classes WHERE staff_id = ?", [user["id"]])}


def assigned_class_ids(user=None):
    """The classes a teaching assistant is assigned to, or None for staff who reach every
    class of their school."""
    user = user if user is not None else g.user
    return own_class_ids(user) if is_assistant(user) else None


def learner_of_school(learner_id):
    """The learner, with their class's name, if the member of staff asking may reach them."""
    rows = list(
        get_db().query(
            """SELECT learners.*, classes.name AS class_name FROM learners
               JOIN classes ON classes.id = learners.class_id
               WHERE learners.id = ? AND learners.school_id = ?""",
            [learner_id, g.user["school_id"]],
        )
    )
    if not rows:
        abort(404)
    assigned = assigned_class_ids()
    if assigned is not None and rows[0]["class_id"] not in assigned:
        abort(404)
    return rows[0]


def class_of_school(class_id):
    rows = list(
        get_db().query(
            "SELECT * FROM classes WHERE id = ? AND school_id = ?", [class_id, g.user["school_id"]]
        )
    )
    if not rows:
        abort(404)
    assigned = assigned_class_ids()
    if assigned is not None and class_id not in assigned:
        abort(404)
    return rows[0]


def classes_of_school(archived=False):
    """The school's classes the member of staff may reach, by name (current ones, or the
    archived ones)."""
    rows = list(get_db().query(
        f"""SELECT * FROM classes WHERE school_id = ? AND archived_at IS {'NOT ' if archived else ''}NULL
            ORDER BY name COLLATE NOCASE""", [g.user["school_id"]]))
    assigned = assigned_class_ids()
    return [row for row in rows if assigned is None or row["id"] in assigned]


def this_month():
    return date.today().isoformat()[:7]


def still_here_sql(table="learners"):
    """SQL true for a learner whose month of leaving has not come (one ? for this month)."""
    return f"({table}.left_on IS NULL OR {table}.left_on > ?)"


def learners_of_class(class_id):
    """The class's learners who have not left, by name (the class is one the member of staff
    may reach: class_of_school)."""
    return list(get_db().query(
        f"""SELECT * FROM learners WHERE class_id = ? AND school_id = ? AND {still_here_sql()}
            ORDER BY name COLLATE NOCASE, id""", [class_id, g.user["school_id"], this_month()]))


def class_sizes():
    """How many learners who have not left each class of the school has: {class id: count}."""
    return dict(get_db().execute(
        f"""SELECT class_id, count(*) FROM learners WHERE school_id = ? AND {still_here_sql()}
            GROUP BY class_id""", [g.user["school_id"], this_month()]).fetchall())


LEARNERS_FOUND = 50


def find_learners(words, limit=LEARNERS_FOUND):
    """Learners who have not left, of the current classes the member of staff may reach, whose
    name holds `words` in any case and any alphabet (Python's casefold, kept by the database in
    name_folded, so "łucja" finds Łucja): at most `limit` of them, by name, each with their class's name."""
    assigned = assigned_class_ids()
    query = f"""SELECT learners.*, classes.name AS class_name FROM learners JOIN classes ON classes.id = learners.class_id
                WHERE learners.school_id = ? AND classes.archived_at IS NULL AND {still_here_sql()}
                AND instr(learners.name_folded, ?) > 0"""
    args = [g.user["school_id"], this_month(), fold(words)]
    if assigned is not None:
        query += f" AND learners.class_id IN ({', '.join('?' * len(assigned)) or 'NULL'})"
        args += sorted(assigned)
    return list(get_db().query(query + " ORDER BY learners.name COLLATE NOCASE, learners.id LIMIT ?", args + [limit]))


def school_of_viewer():
    """The school of whoever is signed in (a family's, through their children), or None."""
    user = g.get("user")
    if user is None:
        return None
    if user["role"] == "family":
        if "family_school" not in g:
            row = get_db().execute(
                """SELECT learners.school_id FROM family_links JOIN learners ON learners.id = family_links.learner_id
                   WHERE family_links.family_id = ? LIMIT 1""", [user["id"]]).fetchone()
            g.family_school = row[0] if row else None
        return g.family_school
    return user["school_id"]


def admin_required():
    if not g.user["is_admin"]:
        abort(403)


def teacher_required():
    """Settings, exports, invitations and badges are for teachers and admins: a teaching
    assistant records on their learners' behalf and changes nothing else."""
    if is_assistant():
        abort(403, _("Please ask a teacher: teaching assistants cannot change this."))


def has_left(learner):
    """True once a learner's month of leaving has come: they no longer sign in, and staff
    read their record without changing it."""
    from datetime import date

    return bool(learner["left_on"]) and learner["left_on"] <= date.today().isoformat()[:7]


def learner_for_change(learner_id):
    """The learner, for a view that changes their record. A learner who has left is read
    only: staff still read their portfolio and passport (retention keeps them), but nothing is
    added or changed, so the record stays as it was when they left."""
    learner = learner_of_school(learner_id)
    if has_left(learner):
        abort(409, _("%(name)s has left the school, so their record can be read but not changed.",
                     name=learner["name"]))
    return learner


def linked_learner(learner_id):
    """A learner the signed-in family is linked to and may see (sharing on), or 404."""
    rows = list(get_db().query(
        """SELECT learners.* FROM learners JOIN family_links ON family_links.learner_id = learners.id
           WHERE family_links.family_id = ? AND learners.id = ? AND learners.family_visible = 1
           AND family_links.visible = 1 AND family_links.switched_off_at IS NULL""",
        [g.user["id"], learner_id]))
    if not rows:
        abort(404)
    return rows[0]


def record_owner(wanted, learner_id, changing):
    """Whose record a view registered for `wanted` ("learner", "staff" or "family") is about:
    the learner signed in; a learner of the member of staff's school (one who has left is read
    only, so `changing` refuses them); a learner the family may see. None means sign in."""
    user = g.user
    if user is None:
        return None
    if user["role"] != wanted:
        abort(403)
    if wanted == "learner":
        return user
    if wanted == "staff":
        return (learner_for_change if changing else learner_of_school)(learner_id)
    return linked_learner(learner_id)
