"""Two-factor sign-in for staff: after the password, a code from an authenticator app (TOTP)
or a one-time recovery code. A member of staff without it sets it up before their first
session starts; an admin of their school can reset it."""

import math
import secrets
import time
from datetime import datetime, timedelta, timezone

import pyotp
import segno
from flask import Blueprint, abort, g, redirect, request, session, url_for
from flask_babel import gettext as _

from .auth import fresh_session, security_event, start_session, staff_required, token_hash
from .db import get_db, now, transaction
from .web import render

bp = Blueprint("two_factor", __name__)
ISSUER = "My Career Steps"
RECOVERY_CODES = 10
TRIES = 5  # wrong codes before the password must be typed again
PENDING_SECONDS = 300  # time allowed between the password and the code
# Wrong codes for one account, over all its half sign-ins, before each further try waits
# (doubling, up to 5 minutes): someone who has the password still cannot guess codes quickly.
ACCOUNT_FREE_TRIES, TRY_WINDOW = 15, timedelta(minutes=15)


def begin(staff):
    """The password was right: hold the sign-in until the second factor is given."""
    fresh_session()
    session["pending_staff"] = staff["id"]
    session["pending_since"] = time.time()
    # Names this half sign-in on the server, where its wrong codes are counted: a copy of an
    # older cookie brings back no tries.
    session["pending_attempt"] = secrets.token_urlsafe(16)
    if staff["totp_confirmed_at"]:
        return redirect(url_for("two_factor.code"))
    return redirect(url_for("two_factor.enrol"))


def pending_staff():
    staff_id = session.get("pending_staff")
    if staff_id is None or time.time() - session.get("pending_since", 0) > PENDING_SECONDS:
        forget_pending()  # an old half sign-in; anyone signed in stays signed in
        return None
    rows = list(get_db().query("SELECT * FROM staff WHERE id = ? AND disabled_at IS NULL", [staff_id]))
    return rows[0] if rows else None


def step_of(secret, code):
    """The 30-second step a code belongs to (now, or one step either side), or None."""
    totp = pyotp.TOTP(secret)
    current = int(time.time()) // 30
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.at(step * 30), code):
            return step
    return None


def check_code(staff, code):
    """True for a fresh authenticator code or an unused recovery code; each works once."""
    code = code.strip().replace(" ", "")
    db = get_db()
    if code.isdigit() and len(code) == 6:
        step = step_of(staff["totp_secret"], code)
        if step is None:
            return False
        # A code seen once is never accepted again, even within its 30 seconds.
        return db.execute("UPDATE staff SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?",
                          [step, staff["id"], step]).rowcount == 1
    return db.execute(
        "UPDATE recovery_codes SET used_at = ? WHERE staff_id = ? AND code_hash = ? AND used_at IS NULL",
        [now(), staff["id"], token_hash(code.upper().replace("-", ""))]).rowcount == 1


def forget_pending():
    for key in ("pending_staff", "pending_since", "pending_attempt"):
        session.pop(key, None)


def _since(delta):
    return (datetime.now(timezone.utc) - delta).isoformat(timespec="seconds")


def account_wait(db, staff_id):
    """Seconds before the account's next code may be tried, 0 if none."""
    count, last = db.execute("SELECT count(*), max(at) FROM failed_sign_ins WHERE key = ? AND at > ?",
                             [f"two-step:{staff_id}", _since(TRY_WINDOW)]).fetchone()
    if count < ACCOUNT_FREE_TRIES:
        return 0
    ready = datetime.fromisoformat(last) + timedelta(seconds=min(300, 5 * 2 ** (count - ACCOUNT_FREE_TRIES)))
    return max(0, math.ceil((ready - datetime.now(timezone.utc)).total_seconds()))


def counted_check(staff, check):
    """Check a code and count it if wrong as one step, on the server: 'ok', 'wrong', 'wait'
    or 'restart' (the password must be typed again). IMMEDIATE takes the write lock first, so
    tries sent at once are checked one after another and each sees the others' counts."""
    db = get_db()
    attempt = f"two-step:{staff['id']}:{session.get('pending_attempt', '')}"
    with transaction(db):
        wrong = db.execute("SELECT count(*) FROM failed_sign_ins WHERE key = ?", [attempt]).fetchone()[0]
        if wrong >= TRIES or not session.get("pending_attempt"):
            return "restart"
        if account_wait(db, staff["id"]):
            return "wait"
        if check():
            return "ok"
        for key in (attempt, f"two-step:{staff['id']}"):
            db["failed_sign_ins"].insert({"key": key, "at": now()})
        return "restart" if wrong + 1 >= TRIES else "wrong"


def _refuse(staff, outcome, template, **context):
    if outcome == "wait":
        security_event("held back (too many two-step codes)", "staff", staff["id"])
        message = _("Too many tries. Please wait %(seconds)s seconds, then try again.",
                    seconds=account_wait(get_db(), staff["id"]))
        return render(template, message=message, **context), 429
    security_event("refused (wrong two-step code)", "staff", staff["id"])
    if outcome == "restart":
        forget_pending()
        return redirect(url_for("auth.staff_sign_in"))
    return render(template, message=_("That code did not work. Please try again."), **context), 401


@bp.route("/staff/sign-in/code", methods=["GET", "POST"])
def code():
    staff = pending_staff()
    if staff is None or not staff["totp_confirmed_at"]:
        return redirect(url_for("auth.staff_sign_in"))
    if request.method == "POST":
        outcome = counted_check(staff, lambda: check_code(staff, request.form.get("code", "")))
        if outcome != "ok":
            return _refuse(staff, outcome, "sign_in/code_2fa.html")
        start_session("staff", staff["id"])
        return redirect(url_for("staff.home"))
    return render("sign_in/code_2fa.html", message=None)


@bp.route("/staff/sign-in/set-up", methods=["GET", "POST"])
def enrol():
    staff = pending_staff()
    if staff is None or staff["totp_confirmed_at"]:
        return redirect(url_for("auth.staff_sign_in"))
    db = get_db()
    if not staff["totp_secret"]:
        db.execute("UPDATE staff SET totp_secret = ? WHERE id = ?", [pyotp.random_base32(), staff["id"]])
        staff = pending_staff()
    uri = pyotp.TOTP(staff["totp_secret"]).provisioning_uri(name=staff["email"], issuer_name=ISSUER)
    context = {"secret": staff["totp_secret"],
               "qr": segno.make(uri, error="m").svg_inline(scale=5, title=_("Code for your authenticator app"))}
    if request.method == "POST":
        step = None

        def right_code():
            nonlocal step
            step = step_of(staff["totp_secret"], request.form.get("code", "").strip())
            return step is not None

        outcome = counted_check(staff, right_code)
        if outcome != "ok":
            return _refuse(staff, outcome, "sign_in/enrol_2fa.html", **context)
        codes = ["".join(secrets.choice("ABCDEFGHJKMNPQRSTUVWXYZ23456789") for _ in range(10))
                 for _ in range(RECOVERY_CODES)]
        with transaction(db):
            db.execute("UPDATE staff SET totp_confirmed_at = ?, totp_last_step = ? WHERE id = ?",
                       [now(), step, staff["id"]])
            db.execute("DELETE FROM recovery_codes WHERE staff_id = ?", [staff["id"]])
            for recovery in codes:
                db["recovery_codes"].insert({"staff_id": staff["id"], "code_hash": token_hash(recovery)})
            start_session("staff", staff["id"])
        return render("sign_in/recovery_codes.html", codes=[f"{c[:5]}-{c[5:]}" for c in codes])
    return render("sign_in/enrol_2fa.html", message=None, **context)


@bp.post("/staff/members/<int:staff_id>/reset-two-factor")
@staff_required
def reset(staff_id):
    """An admin resets a colleague's second factor: they set it up again at next sign-in."""
    if not g.user["is_admin"]:
        abort(403)
    db = get_db()
    with transaction(db):
        changed = db.execute(
            """UPDATE staff SET totp_secret = NULL, totp_confirmed_at = NULL, totp_last_step = 0
               WHERE id = ? AND school_id = ?""", [staff_id, g.user["school_id"]]).rowcount
        if not changed:
            abort(404)
        db.execute("DELETE FROM recovery_codes WHERE staff_id = ?", [staff_id])
        db.execute("DELETE FROM sign_ins WHERE role = 'staff' AND user_id = ?", [staff_id])
    return redirect(url_for("school.staff_list"))
