"""Families at home: joining by invitation, and a list of their linked children.

A family sees only the children they are linked to, read only, through the passport views
registered for families (see passport.py).
"""

import secrets
from datetime import date, datetime, timedelta, timezone

from flask import Blueprint, abort, g, redirect, request, url_for
from flask_babel import gettext as _

from .auth import (
    family_required, new_password_problem, password_matches, release_try, reserve, reserve_try, security_event,
    start_session, token_hash,
)
from .db import get_db, now, transaction
from .passwords import hashed
from .web import render

bp = Blueprint("family", __name__, url_prefix="/family")

INVITATION_DAYS = 14
INVITATION_FREE_TRIES = 10  # wrong invitation codes from one address in 15 minutes before a wait
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I/L to misread
CODE_LENGTH = 8  # about 40 bits; single use and expiring


def new_invitation(learner_id, staff_id):
    """Make an invitation; returns (token for the link, short code). Only hashes are kept."""
    token = secrets.token_urlsafe(24)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    expires = datetime.now(timezone.utc) + timedelta(days=INVITATION_DAYS)
    get_db()["invitations"].insert({
        "learner_id": learner_id, "token_hash": token_hash(token), "code_hash": token_hash(code),
        "created_by": staff_id, "created_at": now(), "expires_at": expires.isoformat(timespec="seconds"),
    })
    return token, f"{code[:4]}-{code[4:]}"


def normalise_code(code):
    return code.upper().replace("-", "").replace(" ", "")


def find_invitation(token=None, code=None):
    """The invitation for a link token or a typed code, and why it cannot be used (or None)."""
    key, column = (token_hash(token), "token_hash") if token else (token_hash(normalise_code(code or "")), "code_hash")
    rows = list(get_db().query(f"SELECT * FROM invitations WHERE {column} = ?", [key]))
    if not rows:
        return None, _("We could not find that invitation. Please check the code, or ask the school for a new one.")
    invitation = rows[0]
    if invitation["revoked_at"]:
        return None, _("This invitation was cancelled by the school. Please ask them for a new one.")
    if invitation["used_at"]:
        return None, _("This invitation has already been used. Please sign in, or ask the school for a new one.")
    if datetime.fromisoformat(invitation["expires_at"]) < datetime.now(timezone.utc):
        return None, _("This invitation has run out. Please ask the school for a new one.")
    return invitation, None


@bp.route("/join", methods=["GET", "POST"])
@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token=None):
    form = request.form
    message, status = None, 200
    if request.method == "GET" and token:
        _invitation, problem = find_invitation(token=token)
        if problem:
            return render("family/join.html", token=None, message=problem, form={}), 400
    if request.method == "POST":
        # Invitation codes are short enough to guess: each try from an address counts, and
        # many wrong ones make the next wait (a slow-down, as for passwords).
        wait, reserved = reserve({"pair": (f"invitation:{request.remote_addr}", INVITATION_FREE_TRIES)})
        if wait:
            security_event("held back (too many invitation codes)", "family")
            message = _("Too many tries. Please wait %(seconds)s seconds, then try again.", seconds=wait)
            return render("family/join.html", token=token, message=message, form=form), 429
        invitation, problem = find_invitation(token=token, code=form.get("code"))
        if invitation is not None:
            release_try(reserved)
        if problem:
            message, status = problem, 400
        else:
            family_id, message = _account_for(form)
            if family_id is not None:
                return _link(invitation, family_id)
            status = 400
    return render("family/join.html", token=token, message=message, form=form), status


def _account_for(form):
    """The family account to link: the signed-in one, an existing one (its password checked
    under the same limits as signing in), or a new one. Every refusal is the same message,
    so the form does not tell whether an email has an account."""
    if g.user is not None and g.user["role"] == "family":
        return g.user["id"], None
    refused = _("We could not use those details. If you already have a family account, type its email "
                "and password. If you are new, type your name, your email and a password of at least 8 "
                "characters twice (not a very common one).")
    email = form.get("email", "").strip()
    password = form.get("password", "")
    if "@" not in email or len(email) > 200:
        return None, refused
    wait, reserved = reserve_try("family", email)
    found = None if wait else password_matches("families", email, password)
    if wait:
        security_event("held back (too many tries)", "family")
        return None, _("Too many tries. Please wait %(seconds)s seconds, then try again.", seconds=wait)
    db = get_db()
    if found is not None:
        release_try(reserved)
        if found["disabled_at"]:  # only said to someone who knows the password
            return None, _("This account is switched off. Please ask the school.")
        return found["id"], None
    name = form.get("name", "").strip()
    if (not name or len(name) > 100 or new_password_problem(password, form.get("password_again", ""))
            or db.execute("SELECT 1 FROM families WHERE email = ?", [email]).fetchone()):
        security_event("refused (join form)", "family")
        return None, refused
    # A new account: the try reserved for the password check was no wrong password, so it must
    # not count towards the waits (a parents' evening on the school's one address).
    release_try(reserved)
    return db["families"].insert({
        "email": email, "name": name, "password_hash": hashed(password),
        "created_at": now(),
    }).last_pk, None


def _link(invitation, family_id):
    db = get_db()
    with transaction(db):
        used = db.execute(
            "UPDATE invitations SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL",
            [now(), family_id, invitation["id"]]).rowcount
        if not used:  # two tabs at once: the first one wins
            abort(409)
        db.execute("INSERT OR IGNORE INTO family_links (family_id, learner_id) VALUES (?, ?)",
                   [family_id, invitation["learner_id"]])
    if g.user is None or g.user["role"] != "family":
        start_session("family", family_id)
    return redirect(url_for("family.home"))


def family_accounts(learner_id):
    """The family accounts linked to a learner, each with whether it can see their work now
    (staff have shared the learner's work with family, and this account is not left out)."""
    return list(get_db().query(
        """SELECT families.id, families.name, families.email,
                  coalesce(families.disabled_at, family_links.switched_off_at) AS disabled_at,
                  family_links.visible AS chosen,
                  learners.family_visible AND family_links.visible AND family_links.switched_off_at IS NULL AS can_see
           FROM families JOIN family_links ON family_links.family_id = families.id
           JOIN learners ON learners.id = family_links.learner_id
           WHERE family_links.learner_id = ? ORDER BY families.name""", [learner_id]))


def family_viewers(learner_id):
    """The names of the family accounts that can see a learner's work now."""
    return [f["name"] for f in family_accounts(learner_id) if f["can_see"]]


def decides_own_sharing(learner):
    """True for a learner of 16 or over, unless staff have recorded that they lack capacity to
    decide who in their family sees their work."""
    from .benchmarks import age_on

    age = age_on(learner["date_of_birth"], date.today())
    return age is not None and age >= 16 and not learner["lacks_sharing_capacity"]


@bp.get("/")
@family_required
def home():
    children = list(get_db().query(
        """SELECT learners.id, learners.name, learners.avatar,
                  learners.family_visible AND family_links.visible AS family_visible FROM learners
           JOIN family_links ON family_links.learner_id = learners.id
           WHERE family_links.family_id = ? AND family_links.switched_off_at IS NULL
           ORDER BY learners.name""", [g.user["id"]]))
    return render("family/home.html", children=children)


def init_app(app):
    app.jinja_env.globals["family_viewers"] = family_viewers
    app.register_blueprint(bp)
