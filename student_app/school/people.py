"""Staff accounts: an admin invites a colleague by a single-use link (shown on screen and as a
printable page with a QR code: the app sends no email), gives them a role, and for a teaching
assistant the classes they work with; changes roles and classes later; and cancels
invitations not yet used. Switching an account off and resetting two-step sign-in are in
staff.py and two_factor.py."""

import segno
from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from . import bp
from ..db import get_db, now, transaction
from ..lookups import STAFF_ROLES, admin_required, classes_of_school, form_id
from ..web import render
from .records import clean_text, name_problem
from .setup import INVITATION_DAYS, email_problem, join_link, new_staff_invitation


def staff_role_name(staff_role):
    return {"admin": _("admin"), "teacher": _("teacher"), "assistant": _("teaching assistant")}[staff_role]


def _chosen_classes(form):
    """The class ids ticked on a form, each a current class of this school."""
    school = {group["id"] for group in classes_of_school()}
    chosen = {form_id(value) for value in form.getlist("class")}
    if not chosen <= school:
        abort(400, _("Please choose classes from the list."))
    return chosen


def _role_from(form):
    staff_role = form.get("staff_role", "")
    return staff_role if staff_role in STAFF_ROLES else None


def _staff_page(errors=None, form=None, status=200):
    db = get_db()
    school_id = g.user["school_id"]
    members = list(db.query(
        """SELECT staff.id, staff.name, staff.email, staff.staff_role, staff.totp_confirmed_at, staff.disabled_at,
                  (SELECT group_concat(classes.name, ', ') FROM staff_classes
                   JOIN classes ON classes.id = staff_classes.class_id
                   WHERE staff_classes.staff_id = staff.id AND classes.archived_at IS NULL) AS class_names
           FROM staff WHERE school_id = ? ORDER BY name COLLATE NOCASE""", [school_id]))
    assigned = {}
    for row in db.query("""SELECT staff_classes.* FROM staff_classes JOIN staff ON staff.id = staff_classes.staff_id
                           WHERE staff.school_id = ?""", [school_id]):
        assigned.setdefault(row["staff_id"], set()).add(row["class_id"])
    invitations = list(db.query(
        """SELECT id, name, email, staff_role, created_at, expires_at FROM staff_invitations
           WHERE school_id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?
           ORDER BY created_at DESC""", [school_id, now()]))
    return render("school/staff.html", members=members, assigned=assigned, invitations=invitations,
                  classes=classes_of_school(), roles=STAFF_ROLES, errors=errors or {},
                  form=form or {}, chosen=set(form.getlist("class")) if form else set()), status


@bp.get("/staff")
def staff_list():
    admin_required()
    return _staff_page()


@bp.post("/staff/invitations")
def invite_staff():
    """Make a single-use invitation and show it once, to print or pass on."""
    admin_required()
    db = get_db()
    form = request.form
    name, email = clean_text(form.get("name")), clean_text(form.get("email")).lower()
    staff_role = _role_from(form)
    errors = {"name": name_problem(name), "email": email_problem(db, email),
              "staff_role": None if staff_role else _("Please choose a role.")}
    if not errors["email"] and db.execute(
            """SELECT 1 FROM staff_invitations WHERE email = ? AND used_at IS NULL AND revoked_at IS NULL
               AND expires_at > ?""", [email, now()]).fetchone():
        errors["email"] = _("There is already an invitation for this email address. Cancel it first to make a new one.")
    errors = {field: message for field, message in errors.items() if message}
    classes = _chosen_classes(form)
    if staff_role == "assistant" and not classes and not errors:
        errors["class"] = _("Please choose the classes this teaching assistant works with.")
    if errors:
        return _staff_page(errors, form, 400)
    with transaction(db):
        token = new_staff_invitation(db, g.user["school_id"], email, name, staff_role, classes, g.user["id"])
    link = join_link(token)
    qr = segno.make(link, error="m").svg_inline(scale=4, title=_("Invitation link for %(name)s", name=name))
    return render("school/staff_invitation.html", name=name, email=email, staff_role=staff_role, link=link, qr=qr,
                  days=INVITATION_DAYS, school=db["schools"].get(g.user["school_id"]))


@bp.post("/staff/invitations/<int:staff_invitation_id>/cancel")
def cancel_staff_invitation(staff_invitation_id):
    admin_required()
    changed = get_db().execute(
        """UPDATE staff_invitations SET revoked_at = ? WHERE id = ? AND school_id = ?
           AND used_at IS NULL AND revoked_at IS NULL""", [now(), staff_invitation_id, g.user["school_id"]]).rowcount
    if not changed:
        abort(404)
    flash(_("Invitation cancelled: the link no longer works."))
    return redirect(url_for("school.staff_list"))


@bp.post("/staff/<int:staff_id>")
def change_staff(staff_id):
    """An admin changes a colleague's role and, for a teaching assistant, their classes. The
    school always keeps an admin: nobody changes their own role."""
    admin_required()
    db = get_db()
    member = db.execute("SELECT id, name, staff_role FROM staff WHERE id = ? AND school_id = ?",
                        [staff_id, g.user["school_id"]]).fetchone()
    if member is None:
        abort(404)
    staff_role = _role_from(request.form)
    if staff_role is None:
        abort(400, _("Please choose a role."))
    if staff_id == g.user["id"] and staff_role != "admin":
        abort(400, _("You cannot change your own role: ask another admin, so that the school always has one."))
    # Classes are kept for every role (a teacher's follow their class at the end of the year);
    # for a teaching assistant they are also all they can see.
    classes = _chosen_classes(request.form)
    if staff_role == "assistant" and not classes:
        abort(400, _("Please choose the classes this teaching assistant works with."))
    with transaction(db):
        db.execute("UPDATE staff SET staff_role = ? WHERE id = ?", [staff_role, staff_id])
        current = {group["id"] for group in classes_of_school()}
        db.execute(f"DELETE FROM staff_classes WHERE staff_id = ? AND class_id IN ({','.join('?' * len(current)) or 'NULL'})",
                   [staff_id, *current])
        for class_id in classes:
            db["staff_classes"].insert({"staff_id": staff_id, "class_id": class_id})
    flash(_("%(name)s is now %(role)s.", name=member[1], role=staff_role_name(staff_role)))
    return redirect(url_for("school.staff_list"))


def init_app(app):
    app.jinja_env.globals["staff_role_name"] = staff_role_name
