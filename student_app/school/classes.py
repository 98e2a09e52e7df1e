"""Classes and learners: an admin adds, renames and archives classes and says which staff
work with each (a teaching assistant sees only those classes' learners); adds a learner, edits
their details on one page, moves them to another class, marks them as left with the month
(retention counts from it) or takes them back. Teachers and admins show and reset a learner's
picture code."""

from datetime import date

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import format_date, gettext as _

from . import bp
from .. import audit
from ..auth import end_sessions_of
from ..db import get_db, now, transaction
from ..lookups import (admin_required, class_of_school, class_sizes, classes_of_school, form_id, has_left,
                       is_assistant, learner_for_change, learner_of_school, still_here_sql, teacher_required,
                       this_month)
from ..web import render
from . import records


@bp.app_template_filter("month_year")
def month_year(month):
    """A YYYY-MM month in words, in the page's language ("July 2026")."""
    return format_date(date.fromisoformat(month + "-01"), "MMMM yyyy") if month else ""


def class_name_taken(db, school_id, name, except_id=None):
    """True if another current class of the school has this name in any case (Python's
    casefold, so that 'KLASA Ą' and 'klasa ą' are the same, which SQLite's NOCASE misses)."""
    return any(row[1].casefold() == name.casefold() and row[0] != except_id for row in db.execute(
        "SELECT id, name FROM classes WHERE school_id = ? AND archived_at IS NULL", [school_id]))


def class_name_error(db, name, except_id=None):
    problem = records.class_name_problem(name)
    if problem is None and class_name_taken(db, g.user["school_id"], name, except_id):
        problem = _("There is already a class called %(name)s. Please choose another name.", name=name)
    return problem


# Classes. (The routes here name a class `group_id` and a learner `pupil_id`, not class_id
# and learner_id as elsewhere, so the permission matrix tries them on a class and a learner of
# their own: a code reset or a change of staff there leaves the other rows' data alone.)

def classes_context(**extra):
    db = get_db()
    school = g.user["school_id"]
    counts = class_sizes()
    staff = {}
    for row in db.query("""SELECT staff_classes.class_id, staff.name FROM staff_classes
                           JOIN staff ON staff.id = staff_classes.staff_id
                           WHERE staff.school_id = ? ORDER BY staff.name""", [school]):
        staff.setdefault(row["class_id"], []).append(row["name"])
    for_each = [dict(group, learners=counts.get(group["id"], 0), staff=staff.get(group["id"], []))
                for group in classes_of_school()]
    archived = [dict(group, learners=counts.get(group["id"], 0), staff=staff.get(group["id"], []))
                for group in classes_of_school(archived=True)]
    return {"classes": for_each, "archived": archived, "errors": {}, "form": {}, **extra}


@bp.get("/classes")
def classes():
    admin_required()
    return render("school/classes.html", **classes_context())


@bp.post("/classes")
def add_class():
    admin_required()
    db = get_db()
    name = records.clean_text(request.form.get("name"))
    problem = class_name_error(db, name)
    if problem:
        return render("school/classes.html", **classes_context(errors={"name": problem}, form=request.form)), 400
    db["classes"].insert({"school_id": g.user["school_id"], "name": name, "created_at": now()})
    flash(_("The class %(name)s is added.", name=name))
    return redirect(url_for("school.classes"))


def school_staff():
    return list(get_db().query(
        "SELECT id, name, email, staff_role, disabled_at FROM staff WHERE school_id = ? ORDER BY name",
        [g.user["school_id"]]))


def class_context(group, **extra):
    db = get_db()
    learners = list(db.query("SELECT * FROM learners WHERE class_id = ? ORDER BY name", [group["id"]]))
    assigned = {row[0] for row in db.execute("SELECT staff_id FROM staff_classes WHERE class_id = ?", [group["id"]])}
    return {"group": group, "learners": [dict(row, left=has_left(row)) for row in learners],
            "staff": school_staff(), "assigned": assigned, "errors": {}, "form": {}, **extra}


@bp.get("/classes/<int:group_id>")
def class_page(group_id):
    admin_required()
    return render("school/class.html", **class_context(class_of_school(group_id)))


@bp.post("/classes/<int:group_id>/name")
def rename_class(group_id):
    admin_required()
    group = class_of_school(group_id)
    db = get_db()
    name = records.clean_text(request.form.get("name"))
    problem = records.class_name_problem(name)
    if problem is None and not group["archived_at"] and class_name_taken(db, group["school_id"], name, group_id):
        problem = _("There is already a class called %(name)s. Please choose another name.", name=name)
    if problem:
        return render("school/class.html", **class_context(group, errors={"name": problem}, form=request.form)), 400
    db.execute("UPDATE classes SET name = ? WHERE id = ?", [name, group_id])
    flash(_("The class is now called %(name)s.", name=name))
    return redirect(url_for("school.class_page", group_id=group_id))


@bp.post("/classes/<int:group_id>/staff")
def assign_staff(group_id):
    """Who works with the class. For a teaching assistant this is what they may see: only the
    learners of the classes ticked for them."""
    admin_required()
    class_of_school(group_id)
    staff = {row["id"] for row in school_staff()}
    chosen = {form_id(value) for value in request.form.getlist("staff")}
    if not chosen <= staff:
        abort(400, _("Please choose staff from the list."))
    db = get_db()
    with transaction(db):
        db.execute("DELETE FROM staff_classes WHERE class_id = ?", [group_id])
        db["staff_classes"].insert_all([{"staff_id": staff_id, "class_id": group_id} for staff_id in sorted(chosen)])
    flash(_("Saved who works with this class."))
    return redirect(url_for("school.class_page", group_id=group_id))


@bp.post("/classes/<int:group_id>/archive")
def archive_class(group_id):
    """An archived class keeps its learners' records; it leaves the sign-in screen, the staff
    home and the class lists. A class with learners still in it is not archived, or they
    would lose their way in."""
    admin_required()
    group = class_of_school(group_id)
    db = get_db()
    here = db.execute(f"SELECT count(*) FROM learners WHERE class_id = ? AND {still_here_sql()}",
                      [group_id, this_month()]).fetchone()[0]
    if here:
        message = _("%(name)s still has learners in it. Please move them to another class, or mark them "
                    "as left, before archiving it.", name=group["name"])
        return render("school/class.html", **class_context(group, errors={"archive": message})), 400
    db.execute("UPDATE classes SET archived_at = ? WHERE id = ? AND archived_at IS NULL", [now(), group_id])
    flash(_("%(name)s is archived. Its learners' records are kept.", name=group["name"]))
    return redirect(url_for("school.classes"))


@bp.post("/classes/<int:group_id>/restore")
def restore_class(group_id):
    admin_required()
    group = class_of_school(group_id)
    db = get_db()
    if group["archived_at"] and class_name_taken(db, group["school_id"], group["name"], group_id):
        message = _("There is already a class called %(name)s. Please rename this one first.", name=group["name"])
        return render("school/class.html", **class_context(group, errors={"restore": message})), 400
    db.execute("UPDATE classes SET archived_at = NULL WHERE id = ?", [group_id])
    flash(_("%(name)s is back among the current classes.", name=group["name"]))
    return redirect(url_for("school.class_page", group_id=group_id))


# Learners.

def learner_fields(db, form, learner_id=None, adding=False):
    """The checked details from the add or edit form, and the problems, by field."""
    school = g.user["school_id"]
    fields, errors = {}, {}
    fields["name"] = records.clean_text(form.get("name"))
    if problem := records.name_problem(fields["name"]):
        errors["name"] = problem
    fields["date_of_birth"], problem = records.birth_month(form.get("date_of_birth", ""))
    if problem:
        errors["date_of_birth"] = problem
    for kind, check in (("upn", records.upn_problem), ("admission_number", records.admission_number_problem)):
        value = records.clean_text(form.get(kind))
        value = value.replace(" ", "").upper() if kind == "upn" else value
        fields[kind] = value or None
        if value and (problem := check(value) or records.identifier_problem(db, school, kind, value, learner_id)):
            errors[kind] = problem
    avatar = form.get("avatar", "")
    if avatar or not adding:
        if avatar not in records.avatars():
            errors["avatar"] = _("Please choose one of the pictures.")
        fields["avatar"] = avatar
    if adding:
        fields["career_group"], problem = records.career_group(form.get("career_group", ""))
        if problem or fields["career_group"] is None:
            errors["career_group"] = _("Please choose Career SEND Group 1 or 2.")
        fields["photo_consent"] = form.get("photo_consent") == "on"
        class_id = form_id(form.get("class_id"))
        if class_id not in {group["id"] for group in classes_of_school()}:
            errors["class_id"] = _("Please choose a class from the list.")
        fields["class_id"] = class_id
    return fields, errors


def learner_form_context(**extra):
    return dict(classes=classes_of_school(), avatars=records.avatars(), **extra)


@bp.route("/learners/new", methods=["GET", "POST"])
def new_learner():
    admin_required()
    if request.method == "GET":
        return render("school/learner_new.html", **learner_form_context(
            errors={}, form={"class_id": request.args.get("class_id", ""), "career_group": "1"}))
    db = get_db()
    fields, errors = learner_fields(db, request.form, adding=True)
    if errors:
        return render("school/learner_new.html", **learner_form_context(errors=errors, form=request.form)), 400
    with transaction(db):
        learner_id = records.add_learner(db, g.user["school_id"], fields["class_id"], fields)
        audit.log(db["learners"].get(learner_id), "added", change=True)
    flash(_("%(name)s is added, with a picture code of their own.", name=fields["name"]))
    return redirect(url_for("school.learner_details", pupil_id=learner_id))


def details_context(learner, **extra):
    archived = get_db().execute("SELECT archived_at FROM classes WHERE id = ?", [learner["class_id"]]).fetchone()[0]
    return learner_form_context(**{"learner": learner, "left": has_left(learner), "this_month": this_month(),
                                   "errors": {}, "form": learner, "class_archived": bool(archived), **extra})


@bp.get("/learners/<int:pupil_id>")
def learner_details(pupil_id):
    """One learner's details, the one place to change them (admins; teachers read them)."""
    teacher_required()
    return render("school/learner.html", **details_context(learner_of_school(pupil_id)))


@bp.post("/learners/<int:pupil_id>")
def save_learner(pupil_id):
    admin_required()
    learner = learner_for_change(pupil_id)
    db = get_db()
    fields, errors = learner_fields(db, request.form, pupil_id)
    if errors:
        return render("school/learner.html", **details_context(learner, errors=errors, form=request.form)), 400
    changed = [words for column, words in (("name", "name"), ("date_of_birth", "month of birth"),
                                           ("avatar", "picture"), ("upn", "UPN"),
                                           ("admission_number", "admission number"))
               if fields[column] != learner[column]]
    with transaction(db):
        db.execute("""UPDATE learners SET name = ?, date_of_birth = ?, avatar = ?, upn = ?, admission_number = ?
                      WHERE id = ?""", [fields["name"], fields["date_of_birth"], fields["avatar"], fields["upn"],
                                        fields["admission_number"], pupil_id])
        if changed:
            audit.log(dict(learner, name=fields["name"]), f"details changed: {', '.join(changed)}", change=True)
    flash(_("Details saved."))
    return redirect(url_for("school.learner_details", pupil_id=pupil_id))


def move_to_class(db, learner, class_id):
    """Put the learner in the class; give them a new picture code if a classmate there has
    theirs. Returns True if the code changed."""
    clash = learner["code"] and db.execute("SELECT 1 FROM learners WHERE class_id = ? AND code = ? AND id != ?",
                                           [class_id, learner["code"], learner["id"]]).fetchone()
    db.execute("UPDATE learners SET class_id = ? WHERE id = ?", [class_id, learner["id"]])
    if clash:
        db.execute("UPDATE learners SET code = ? WHERE id = ?",
                   [records.new_picture_code(db, class_id, keep=learner["code"]), learner["id"]])
    return bool(clash)


@bp.post("/learners/<int:pupil_id>/class")
def move_learner(pupil_id):
    admin_required()
    learner = learner_for_change(pupil_id)
    db = get_db()
    targets = {group["id"]: group for group in classes_of_school()}
    class_id = form_id(request.form.get("class_id"))
    if class_id not in targets or class_id == learner["class_id"]:
        message = _("Please choose another current class from the list.")
        return render("school/learner.html", **details_context(learner, errors={"class_id": message})), 400
    with transaction(db):
        new_code = move_to_class(db, learner, class_id)
        audit.log(learner, f"moved from {learner['class_name']} to {targets[class_id]['name']}", change=True)
    flash(_("%(name)s is now in %(group)s.", name=learner["name"], group=targets[class_id]["name"]))
    if new_code:
        flash(_("A classmate there had the same picture code, so %(name)s has a new one. Please show them "
                "their new code, or print a new sign-in card.", name=learner["name"]))
    return redirect(url_for("school.learner_details", pupil_id=pupil_id))


@bp.post("/learners/<int:pupil_id>/left")
def mark_left(pupil_id):
    """The month the learner left, or will leave: from it they no longer sign in, and their
    record is kept for the retention period after it, read only."""
    admin_required()
    learner = learner_of_school(pupil_id)
    month, problem = records.left_month(request.form.get("left_on", ""))
    if problem:
        return render("school/learner.html", **details_context(learner, errors={"left_on": problem})), 400
    db = get_db()
    with transaction(db):
        db.execute("UPDATE learners SET left_on = ? WHERE id = ?", [month, pupil_id])
        if month <= this_month():
            end_sessions_of("learner", pupil_id)
        audit.log(learner, f"marked as left ({month})", change=True)
    flash(_("%(name)s is marked as leaving in %(month)s.", name=learner["name"], month=month_year(month)))
    return redirect(url_for("school.learner_details", pupil_id=pupil_id))


@bp.post("/learners/<int:pupil_id>/back")
def take_back(pupil_id):
    """Undo a learner marked as left by mistake: they are at school again and sign in."""
    admin_required()
    learner = learner_of_school(pupil_id)
    if not learner["left_on"]:
        abort(400, _("%(name)s is not marked as left.", name=learner["name"]))
    db = get_db()
    # Their class may have been archived at the end of the year: then they come back into a
    # current class, chosen on the same form, or they could not find a class to sign in from.
    archived = db.execute("SELECT archived_at FROM classes WHERE id = ?", [learner["class_id"]]).fetchone()[0]
    targets = {group["id"]: group for group in classes_of_school()}
    class_id = form_id(request.form.get("class_id")) if archived else None
    if archived and class_id not in targets:
        message = _("Their class has been archived. Please choose the class they come back to.")
        return render("school/learner.html", **details_context(learner, errors={"back_class": message})), 400
    with transaction(db):
        db.execute("UPDATE learners SET left_on = NULL WHERE id = ?", [pupil_id])
        if class_id:
            move_to_class(db, learner, class_id)
        audit.log(learner, f"taken back (had been marked as left, {learner['left_on']})", change=True)
    flash(_("%(name)s is at school again and can sign in.", name=learner["name"]))
    return redirect(url_for("school.learner_details", pupil_id=pupil_id))


@bp.get("/learners/<int:pupil_id>/code")
def learner_code(pupil_id):
    """The learner's picture code, its three pictures in order with their words."""
    teacher_required()
    learner = learner_of_school(pupil_id)
    audit.log(learner, "viewed picture code")
    return render("school/learner_code.html", learner=learner, code=records.code_pictures(learner["code"]),
                  left=has_left(learner))


@bp.post("/learners/<int:pupil_id>/code")
def reset_code(pupil_id):
    """A new picture code, unique in the class: the old one stops at once, and the learner
    is signed out everywhere (someone may have seen it)."""
    teacher_required()
    learner = learner_for_change(pupil_id)
    db = get_db()
    with transaction(db):
        db.execute("UPDATE learners SET code = ?, code_hash = '', failed_codes = 0, last_failed_at = NULL WHERE id = ?",
                   [records.new_picture_code(db, learner["class_id"], keep=learner["code"]), pupil_id])
        end_sessions_of("learner", pupil_id)
        audit.log(learner, "picture code reset", change=True)
    flash(_("%(name)s has a new picture code. The old one no longer works.", name=learner["name"]))
    return redirect(url_for("school.learner_code", pupil_id=pupil_id))


@bp.get("/learners/left")
def left_learners():
    """Learners who have left (or will leave), newest first: staff still read their records.
    A teaching assistant sees those of their classes only."""
    mine = "AND learners.class_id IN (SELECT class_id FROM staff_classes WHERE staff_id = ?)" if is_assistant() else ""
    rows = list(get_db().query(
        f"""SELECT learners.*, classes.name AS class_name FROM learners JOIN classes ON classes.id = learners.class_id
            WHERE learners.school_id = ? AND learners.left_on IS NOT NULL {mine}
            ORDER BY learners.left_on DESC, learners.name LIMIT 2000""",
        [g.user["school_id"]] + ([g.user["id"]] if mine else [])))
    return render("school/learners_left.html", learners=[dict(row, left=has_left(row)) for row in rows])
