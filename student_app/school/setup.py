"""First run: `flask school create` makes a school and a single-use set-up link for its first
admin; the same join page takes every staff invitation (people.py makes the others). Joining
means reading and accepting the privacy responsibilities, choosing a password, then setting up
two-step sign-in. An admin's school page shows what is left to do."""

import json
import re
import secrets
from datetime import datetime, timedelta, timezone

import click
from flask import Blueprint, current_app, g, request, url_for
from flask.cli import with_appcontext
from flask_babel import gettext as _

from . import bp
from ..auth import new_password_problem, security_event, token_hash
from ..db import get_db, migrate, now, transaction
from ..lookups import admin_required
from ..passwords import hashed
from ..web import render
from .records import clean_text, name_problem

INVITATION_DAYS = 7
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def email_problem(db, email):
    if not EMAIL.fullmatch(email) or len(email) > 200:
        return _("Please give an email address like name@school.org.uk.")
    if db.execute("SELECT 1 FROM staff WHERE email = ?", [email]).fetchone():
        return _("A member of staff already has an account with this email address.")
    return None


def urn_problem(db, urn):
    if not re.fullmatch(r"[0-9]{6}", urn):
        return _("A URN is 6 digits, from Get Information About Schools.")
    if db.execute("SELECT 1 FROM schools WHERE urn = ?", [urn]).fetchone():
        return _("A school with this URN is already on this server.")
    return None


def new_staff_invitation(db, school_id, email, name, staff_role, classes=(), created_by=None):
    """A single-use link for a new member of staff, valid for 7 days; only its hash is kept.
    Returns the token for the link."""
    token = secrets.token_urlsafe(32)
    expires = datetime.now(timezone.utc) + timedelta(days=INVITATION_DAYS)
    db["staff_invitations"].insert({
        "school_id": school_id, "email": email, "name": name, "staff_role": staff_role,
        "classes": json.dumps(sorted(classes)), "token_hash": token_hash(token), "created_by": created_by,
        "created_at": now(), "expires_at": expires.isoformat(timespec="seconds")})
    return token


def join_link(token):
    """The invitation's full address (on the command line, inside a request context made
    from the PUBLIC_URL setting, since there is no request to take the host from)."""
    return url_for("school_join.join", token=token, _external=True)


def find_staff_invitation(token):
    """The invitation a link names, and why it cannot be used (or None)."""
    rows = list(get_db().query("SELECT * FROM staff_invitations WHERE token_hash = ?", [token_hash(token)]))
    if not rows:
        return None, _("We could not find that invitation. Please ask your school's admin for a new one.")
    invitation = rows[0]
    if invitation["revoked_at"]:
        return None, _("This invitation was cancelled. Please ask your school's admin for a new one.")
    if invitation["used_at"]:
        return None, _("This invitation has already been used. Please sign in, or ask your school's admin for a new one.")
    if datetime.fromisoformat(invitation["expires_at"]) < datetime.now(timezone.utc):
        return None, _("This invitation has run out. Please ask your school's admin for a new one.")
    return invitation, None


# The join page is for people who are not signed in yet, so it lives on its own blueprint,
# outside the staff-only one.
join_bp = Blueprint("school_join", __name__)


@join_bp.route("/staff/join/<token>", methods=["GET", "POST"])
def join(token):
    """Accept a staff invitation: read and accept the privacy responsibilities, choose a
    password; two-step sign-in is set up next, before the first session starts."""
    from ..two_factor import begin

    invitation, problem = find_staff_invitation(token)
    db = get_db()
    if problem:
        security_event("refused (unknown, used or expired staff invitation)", "staff")
        return render("school/join.html", invitation=None, message=problem, errors={}), 400
    school = db["schools"].get(invitation["school_id"])
    errors = {}
    if request.method == "POST":
        form = request.form
        if form.get("accept") != "yes":
            errors["accept"] = _("Please read the responsibilities and tick the box to accept them.")
        password = form.get("password", "")
        errors["password"] = new_password_problem(password, form.get("password_again", ""))
        errors = {field: message for field, message in errors.items() if message}
        if not errors and db.execute("SELECT 1 FROM staff WHERE email = ?", [invitation["email"]]).fetchone():
            errors["password"] = _("A member of staff already has an account with this email address. "
                                   "Please sign in, or ask your school's admin.")
        if not errors:
            with transaction(db):
                # One use only, even if the form is sent twice at once.
                if db.execute("UPDATE staff_invitations SET used_at = ? WHERE id = ? AND used_at IS NULL",
                              [now(), invitation["id"]]).rowcount != 1:
                    return render("school/join.html", invitation=None, errors={}, message=_(
                        "This invitation has already been used. Please sign in.")), 400
                staff_id = db["staff"].insert({
                    "school_id": invitation["school_id"], "email": invitation["email"], "name": invitation["name"],
                    "password_hash": hashed(password), "staff_role": invitation["staff_role"],
                    "privacy_accepted_at": now()}).last_pk
                db.execute("UPDATE staff_invitations SET used_by = ? WHERE id = ?", [staff_id, invitation["id"]])
                for class_id in json.loads(invitation["classes"]):
                    if db.execute("SELECT 1 FROM classes WHERE id = ? AND school_id = ?",
                                  [class_id, invitation["school_id"]]).fetchone():
                        db["staff_classes"].insert({"staff_id": staff_id, "class_id": class_id}, ignore=True)
            security_event("joined from a staff invitation", "staff", staff_id)
            return begin(db["staff"].get(staff_id))
    status = 400 if errors else 200
    return render("school/join.html", invitation=invitation, school=school, errors=errors, message=None), status


def checklist(school_id):
    """What an admin still has to do to get their school going, each with whether it is done."""
    db = get_db()

    def count(sql):
        return db.execute(sql, [school_id]).fetchone()[0]

    staff = count("SELECT count(*) FROM staff WHERE school_id = ?") + count(
        "SELECT count(*) FROM staff_invitations WHERE school_id = ? AND used_at IS NULL AND revoked_at IS NULL")
    classes = count("SELECT count(*) FROM classes WHERE school_id = ? AND archived_at IS NULL")
    learners = count("SELECT count(*) FROM learners WHERE school_id = ? AND left_on IS NULL")
    cards = count("""SELECT count(*) FROM badges JOIN learners ON learners.id = badges.learner_id
                     WHERE learners.school_id = ?""")
    families = count("""SELECT count(*) FROM invitations JOIN learners ON learners.id = invitations.learner_id
                        WHERE learners.school_id = ?""")
    return [
        {"done": staff > 1, "words": _("Invite your colleagues"), "link": url_for("school.staff_list")},
        {"done": classes > 0, "words": _("Add your classes"), "link": url_for("school.classes")},
        {"done": learners > 0, "words": _("Import your learners from the MIS, or add them one by one"),
         "link": url_for("school.import_form")},
        {"done": cards > 0, "words": _("Print each class's sign-in cards"), "link": url_for("school.classes")},
        {"done": families > 0, "words": _("Print invitation letters for families"), "link": url_for("school.classes")},
    ]


@bp.get("/")
def overview():
    """The admin's page for running the school: the first steps, then the year's tasks."""
    admin_required()
    school = get_db()["schools"].get(g.user["school_id"])
    return render("school/overview.html", school=school, steps=checklist(g.user["school_id"]))


@click.group("school")
def school_cli():
    """Create and list the schools on this server."""


@school_cli.command("create")
@click.option("--name", required=True, help="The school's name, as staff and families know it.")
@click.option("--urn", default="", help="The school's 6-digit URN (Get Information About Schools).")
@click.option("--admin-email", required=True, help="Email address of the school's first admin.")
@click.option("--admin-name", required=True, help="Name of the school's first admin.")
@with_appcontext
def create_command(name, urn, admin_email, admin_name):
    """Make a school and print a single-use set-up link (valid 7 days) for its first admin."""
    db = get_db()
    migrate(db)
    name, urn, admin_email, admin_name = (clean_text(value) for value in (name, urn, admin_email, admin_name))
    problems = [problem for problem in (
        _("Please give the school a name.") if not name or len(name) > 120 else None,
        urn_problem(db, urn) if urn else None, email_problem(db, admin_email), name_problem(admin_name)) if problem]
    if problems:
        raise click.ClickException(" ".join(problems))
    with transaction(db):
        school_id = db["schools"].insert({"name": name, "urn": urn or None, "created_at": now()}).last_pk
        token = new_staff_invitation(db, school_id, admin_email, admin_name, "admin")
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        link = join_link(token)
    click.echo(f"School {school_id} made: {name}" + (f" (URN {urn})" if urn else ""))
    click.echo(f"Set-up link for {admin_name} <{admin_email}>, valid for {INVITATION_DAYS} days, single use:")
    click.echo(f"  {link}")
    click.echo("Give it to them privately: whoever opens it becomes the school's admin.")


@school_cli.command("setup-link")
@click.option("--school", "school_id", required=True, type=int, help="The school's number (see `flask school list`).")
@click.option("--admin-email", required=True, help="Email address of the new admin.")
@click.option("--admin-name", required=True, help="Name of the new admin.")
@with_appcontext
def setup_link_command(school_id, admin_email, admin_name):
    """Print a new single-use set-up link for an admin of a school (when the first one ran out)."""
    db = get_db()
    if not db.execute("SELECT 1 FROM schools WHERE id = ?", [school_id]).fetchone():
        raise click.ClickException(f"There is no school {school_id}. `flask school list` shows them.")
    admin_email, admin_name = clean_text(admin_email), clean_text(admin_name)
    problems = [p for p in (email_problem(db, admin_email), name_problem(admin_name)) if p]
    if problems:
        raise click.ClickException(" ".join(problems))
    with transaction(db):
        token = new_staff_invitation(db, school_id, admin_email, admin_name, "admin")
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        click.echo(join_link(token))


@school_cli.command("list")
@with_appcontext
def list_command():
    """List the schools on this server with their numbers, URNs, staff and learners."""
    db = get_db()
    migrate(db)
    for row in db.query(
            """SELECT schools.id, schools.name, schools.urn,
                      (SELECT count(*) FROM staff WHERE staff.school_id = schools.id) AS staff,
                      (SELECT count(*) FROM learners WHERE learners.school_id = schools.id
                       AND learners.left_on IS NULL) AS learners
               FROM schools ORDER BY schools.id"""):
        click.echo(f"{row['id']}\t{row['name']}\tURN {row['urn'] or '-'}\t{row['staff']} staff\t{row['learners']} learners")


def init_app(app):
    app.cli.add_command(school_cli)
    app.register_blueprint(join_bp)
