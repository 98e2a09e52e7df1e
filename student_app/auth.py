"""Signing in and out: learners by picture code or badge, staff and families by email and
password."""

import functools
import hashlib
import logging
import math
import secrets
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flask import (
    Blueprint, abort, current_app, flash, g, redirect, request, session, url_for,
)
from flask_babel import gettext as _

from . import passwords
from .db import get_db, now, transaction
from .lookups import has_left
from .web import render, symbol_label

bp = Blueprint("auth", __name__)

CODE_LENGTH = 3
# The nine pictures a sign-in code is made from, in the order they are shown.
CODE_SYMBOLS = (
    "code-cat", "code-dog", "code-apple", "code-star", "code-car",
    "code-sun", "code-fish", "code-tree", "code-ball",
)
FREE_TRIES = 3
LONGEST_WAIT = 60  # seconds: a classmate's wrong guesses can delay a learner, never lock them out


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def wait_after(failures):
    """Seconds to wait before the next try, growing with each wrong code, capped."""
    if failures < FREE_TRIES:
        return 0
    return min(LONGEST_WAIT, 5 * 2 ** (failures - FREE_TRIES))


def seconds_to_wait(learner):
    wait = wait_after(learner["failed_codes"])
    if not wait or not learner["last_failed_at"]:
        return 0
    ready = datetime.fromisoformat(learner["last_failed_at"]) + timedelta(seconds=wait)
    return max(0, math.ceil((ready - datetime.now(timezone.utc)).total_seconds()))


# One line for every sign-in decision (ASVS 7.2.1), to the server's log: who (role and account
# number, when known), the outcome and the address; never a password, a code or a token.
security_log = logging.getLogger("student_app.security")
security_log.setLevel(logging.INFO)


def security_event(outcome, role, account=None):
    security_log.info("sign-in %s: role=%s account=%s address=%s", outcome, role,
                      "-" if account is None else account, request.remote_addr or "-")


def fresh_session():
    """An empty session, but for the language and colours picked on the sign-in page and the
    school a shared tablet is for (preferences, not permissions)."""
    kept = {name: session[name] for name in ("language", "theme", "sign_in_school") if name in session}
    session.clear()
    session.update(kept)


def start_session(role, user_id, badge_id=None):
    """Sign in afresh: a new session and a new server-side token (with the badge that started
    it, if one did: voiding the badge ends the session)."""
    security_event("accepted", role, user_id)
    fresh_session()
    token = secrets.token_urlsafe(32)
    stamp = now()
    get_db()["sign_ins"].insert(
        {"token_hash": token_hash(token), "role": role, "user_id": user_id,
         "created_at": stamp, "seen_at": stamp, "badge_id": badge_id}
    )
    session["token"] = token


def end_sessions_of(role, user_id):
    """Sign someone out everywhere, on the server: every session of theirs stops working."""
    get_db().execute("DELETE FROM sign_ins WHERE role = ? AND user_id = ?", [role, user_id])


def end_session():
    token = session.get("token")
    if token:
        get_db().execute("DELETE FROM sign_ins WHERE token_hash = ?", [token_hash(token)])
    tablet_school = session.get("sign_in_school")  # the tablet stays its school's for the next learner
    session.clear()
    if tablet_school:
        session["sign_in_school"] = tablet_school


def load_user():
    """Find who is asking, and sign them out if they have been idle too long."""
    g.user = None
    token = session.get("token")
    if not token:
        return
    db = get_db()
    key = token_hash(token)
    rows = list(db.query("SELECT * FROM sign_ins WHERE token_hash = ?", [key]))
    if not rows:
        session.clear()
        return
    sign_in = rows[0]
    learner = sign_in["role"] == "learner"
    config = current_app.config
    idle = timedelta(minutes=config["LEARNER_IDLE_MINUTES" if learner else "STAFF_IDLE_MINUTES"])
    lifetime = timedelta(hours=config["LEARNER_SESSION_HOURS" if learner else "STAFF_SESSION_HOURS"])
    seen = datetime.fromisoformat(sign_in["seen_at"])
    current = datetime.now(timezone.utc)
    if current - seen > idle or current - datetime.fromisoformat(sign_in["created_at"]) > lifetime:
        end_session()
        g.signed_out_idle = True
        return
    if current - seen > timedelta(seconds=30):
        db.execute("UPDATE sign_ins SET seen_at = ? WHERE token_hash = ?", [now(), key])
    table = {"learner": "learners", "staff": "staff", "family": "families"}[sign_in["role"]]
    found = list(db.query(f"SELECT * FROM {table} WHERE id = ?", [sign_in["user_id"]]))
    if not found or found[0].get("disabled_at"):
        end_session()
        return
    if learner and has_left(found[0]):
        end_session()  # marked as left for a month that has now come
        return
    g.user = dict(found[0], role=sign_in["role"])
    if sign_in["role"] == "staff":
        g.user["is_admin"] = g.user["staff_role"] == "admin"


def role_required(role):
    """Allow the view only to a signed-in user of `role`; send others to sign in."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(**kwargs):
            if g.user is None:
                return redirect(url_for("auth.sign_in"))
            if g.user["role"] != role:
                abort(403)
            return view(**kwargs)

        return wrapped

    return decorator


def adult_required(view):
    """Allow the view to signed-in staff and families; send others to sign in."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            return redirect(url_for("auth.sign_in"))
        if g.user["role"] not in ("staff", "family"):
            abort(403)
        return view(**kwargs)

    return wrapped


learner_required = role_required("learner")
staff_required = role_required("staff")
family_required = role_required("family")

HOMES = {"learner": "learner.home", "staff": "staff.home", "family": "family.home"}


def this_month():
    from datetime import date

    return date.today().isoformat()[:7]


def learners_of_class(class_id):
    """The class's tiles on the sign-in screen, in the order of the names shown: a protected
    learner's tile (their picture's name) must not sit where their own name would put it. A
    learner who has left is not shown."""
    found = list(get_db().query(
        """SELECT id, name, avatar, protected FROM learners WHERE class_id = ?
           AND (left_on IS NULL OR left_on > ?)""", [class_id, this_month()]))
    return sorted(found, key=lambda learner: name_before_sign_in(learner).casefold())


def left_page(learner_id):
    """What a learner who has left sees on trying to sign in: kind words, and no way in."""
    security_event("refused (learner has left)", "learner", learner_id)
    message = _("You have left the school, so this sign-in does not work any more. "
                "If that is wrong, please ask a member of staff.")
    return render("error.html", status=403, message=message), 403


def get_or_404(table, row_id):
    rows = list(get_db().query(f"SELECT * FROM {table} WHERE id = ?", [row_id]))
    if not rows:
        abort(404)
    return rows[0]


@bp.get("/")
def index():
    if g.user is None:
        return redirect(url_for("auth.sign_in"))
    return redirect(url_for(HOMES[g.user["role"]]))


@bp.get("/sign-in")
def sign_in():
    """A tablet's first screen: its school's classes. Where several schools share the server
    (a trust), the tablet first picks its school, and keeps it for the next learner."""
    db = get_db()
    schools = list(db.query("SELECT id, name FROM schools ORDER BY name"))
    if request.args.get("school") == "choose":
        session.pop("sign_in_school", None)
    chosen = session.get("sign_in_school")
    if len(schools) > 1 and chosen not in {school["id"] for school in schools}:
        return render("sign_in/schools.html", schools=schools)
    return _classes_of(chosen if len(schools) > 1 else None)


@bp.get("/sign-in/school/<int:school_id>")
def choose_school(school_id):
    get_or_404("schools", school_id)
    session["sign_in_school"] = school_id
    return _classes_of(school_id)


def _classes_of(school_id):
    # An archived class (last year's) is no longer offered.
    classes = list(get_db().query(
        f"""SELECT id, name FROM classes WHERE archived_at IS NULL {'AND school_id = ?' if school_id else ''}
            ORDER BY name COLLATE NOCASE""", [school_id] if school_id else []))
    if len(classes) == 1:
        return redirect(url_for("auth.choose_learner", class_id=classes[0]["id"]))
    return render("sign_in/classes.html", classes=classes, several_schools=school_id is not None)


@bp.get("/sign-in/class/<int:class_id>")
def choose_learner(class_id):
    group = get_or_404("classes", class_id)
    if group["archived_at"]:
        abort(404)
    return render("sign_in/learners.html", group=group, learners=learners_of_class(class_id))


def _code_page(learner, picks, message=None, status=200):
    return render(
        "sign_in/code.html",
        block="code",
        learner=learner,
        picks=picks,
        step=len(picks) + 1,
        steps=CODE_LENGTH,
        code_symbols=CODE_SYMBOLS,
        message=message,
        wait=seconds_to_wait(learner),
    ), status


@bp.get("/sign-in/learner/<int:learner_id>")
def enter_code(learner_id):
    learner = get_or_404("learners", learner_id)
    if has_left(learner):
        return left_page(learner_id)
    return _code_page(learner, [])


@bp.post("/sign-in/learner/<int:learner_id>")
def check_code(learner_id):
    learner = get_or_404("learners", learner_id)
    if has_left(learner):
        return left_page(learner_id)
    picks = [p for p in request.form.get("picks", "").split(",") if p]
    pick = request.form.get("pick", "")
    if pick not in CODE_SYMBOLS or len(picks) >= CODE_LENGTH or any(
        p not in CODE_SYMBOLS for p in picks
    ):
        return _code_page(learner, [], _("Let's start again. Tap your first picture."), 400)
    picks.append(pick)
    if len(picks) < CODE_LENGTH:
        return _code_page(learner, picks)
    db = get_db()
    after = learner_landing()
    # The wait, the check and the count are one step (IMMEDIATE takes the write lock first):
    # codes sent at once are checked one after another, each seeing the others' wrong tries.
    with transaction(db):
        counted = db.execute("SELECT failed_codes, last_failed_at FROM learners WHERE id = ?", [learner_id]).fetchone()
        learner = dict(learner, failed_codes=counted[0], last_failed_at=counted[1])
        if seconds_to_wait(learner):
            outcome = "wait"
        elif code_matches(learner, picks):
            outcome = "right"
            db.execute("UPDATE learners SET failed_codes = 0, last_failed_at = NULL WHERE id = ?", [learner_id])
            start_session("learner", learner_id)
        else:
            outcome = "wrong"
            db.execute("UPDATE learners SET failed_codes = failed_codes + 1, last_failed_at = ? WHERE id = ?",
                       [now(), learner_id])
    if outcome == "wait":
        security_event("held back (waiting after wrong codes)", "learner", learner_id)
        return _code_page(learner, [], _("Let's have a little rest, then try again."), 429)
    if outcome == "wrong":
        security_event("refused (wrong picture code)", "learner", learner_id)
        return _code_page(get_or_404("learners", learner_id), [], _("That was not quite right. Let's try again."), 200)
    return redirect(after)


def code_matches(learner, picks):
    """The picture code is kept as it is (staff show and print it); learners made before it
    was kept have only a hash of it, until staff give them a new one."""
    given = "-".join(picks)
    if learner["code"]:
        return secrets.compare_digest(learner["code"], given)
    return bool(learner["code_hash"]) and passwords.matches(learner["code_hash"], given)


def learner_landing():
    """Where a learner goes after signing in: home, or the class session whose code they
    scanned before signing in (only a join link is ever kept)."""
    after = session.get("after_sign_in", "")
    return after if after.startswith("/join/") else url_for("learner.home")


def badge_for(secret):
    rows = list(
        get_db().query(
            """SELECT learners.id, learners.name, learners.avatar, learners.left_on, learners.protected,
                      badges.id AS badge_id FROM badges
               JOIN learners ON learners.id = badges.learner_id
               WHERE badges.secret_hash = ? AND badges.voided_at IS NULL""",
            [token_hash(secret)],
        )
    )
    return rows[0] if rows else None


@bp.get("/badge/<secret>")
def badge(secret):
    learner = badge_for(secret)
    if learner is None:
        security_event("refused (unknown or voided badge)", "learner")
        return render("sign_in/badge.html", learner=None, secret=None), 404
    if has_left(learner):
        return left_page(learner["id"])
    return render("sign_in/badge.html", learner=learner, secret=secret)


@bp.post("/badge")
def badge_sign_in():
    learner = badge_for(request.form.get("secret", ""))
    if learner is None:
        security_event("refused (unknown or voided badge)", "learner")
        return render("sign_in/badge.html", learner=None, secret=None), 404
    if has_left(learner):
        return left_page(learner["id"])
    after = learner_landing()
    start_session("learner", learner["id"], learner["badge_id"])
    return redirect(after)


MIN_PASSWORD = 8  # no composition rules; paste is allowed; common passwords are refused
COMMON_PASSWORDS = frozenset(
    line.strip().lower()
    for line in (Path(__file__).parent / "data" / "common-passwords.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#"))


def new_password_problem(password, again):
    """What is wrong with a new password, in kind words, or None."""
    if len(password) < MIN_PASSWORD or password != again:
        return _("Please choose a password of at least 8 characters and type it twice.")
    if password.lower() in COMMON_PASSWORDS:
        return _("That password is one of the most common, so it is easy to guess. Please choose another.")
    return None


def password_matches(table, email, password):
    """The row whose email and password these are, or None."""
    rows = list(get_db().query(f"SELECT * FROM {table} WHERE email = ?", [email]))
    # Check a hash even for an unknown email, so timing does not reveal who has an account.
    stored = rows[0]["password_hash"] if rows else current_app.extensions["dummy_hash"]
    return rows[0] if passwords.matches(stored, password) and rows else None


# Password tries: a wait grows with wrong tries for one account from one address, for one
# account from anywhere, and for one address over all accounts. Each is a slow-down, never a
# lock-out (the wait is capped), and an address's wait never holds back an account that has
# not itself had a wrong try: a whole school is often one address.
PAIR_FREE_TRIES, ACCOUNT_FREE_TRIES, ADDRESS_FREE_TRIES = 5, 10, 30
TRY_WINDOW = timedelta(minutes=15)
LONGEST_PASSWORD_WAIT = 300  # seconds


def _throttle_keys(role, email):
    address = request.remote_addr or "unknown"
    account = f"{role}:{email.lower()}"
    return {"pair": (f"{account}:{address}", PAIR_FREE_TRIES), "account": (account, ACCOUNT_FREE_TRIES),
            "address": (f"address:{address}", ADDRESS_FREE_TRIES)}


def _wait_for(db, keys):
    """Seconds to wait before another try under these keys, 0 if none."""
    since = (datetime.now(timezone.utc) - TRY_WINDOW).isoformat(timespec="seconds")
    counts = {name: db.execute("SELECT count(*), max(at) FROM failed_sign_ins WHERE key = ? AND at > ?",
                               [key, since]).fetchone() + (free,)
              for name, (key, free) in keys.items()}
    longest = 0
    for name, (count, last, free) in counts.items():
        if name == "address" and not counts["account"][0]:
            continue  # this account has not failed: others' tries from its address do not hold it back
        if count >= free:
            wait = min(LONGEST_PASSWORD_WAIT, 5 * 2 ** (count - free))
            ready = datetime.fromisoformat(last) + timedelta(seconds=wait)
            longest = max(longest, math.ceil((ready - datetime.now(timezone.utc)).total_seconds()))
    return max(0, longest)


def reserve_try(role, email):
    """Count a password try before it is checked, as one step with the check of the wait:
    (seconds to wait, None) or (0, the rows to take back if the password is right). Tries
    sent at once are counted one after another (IMMEDIATE takes the write lock first), so a
    burst gets no more checks than tries one at a time would, while the slow hash itself runs
    outside the lock."""
    return reserve(_throttle_keys(role, email))


def reserve(keys):
    """reserve_try for any keys: {name: (key, free tries)}."""
    db = get_db()
    with transaction(db):
        wait = _wait_for(db, keys)
        if wait:
            return wait, None
        stamp = now()
        rows = [db["failed_sign_ins"].insert({"key": key, "at": stamp}).last_rowid for key, _free in keys.values()]
    return 0, rows


def release_try(rows):
    """The password was right: the try reserved for it was not a wrong one."""
    get_db().execute(f"DELETE FROM failed_sign_ins WHERE rowid IN ({','.join('?' * len(rows))})", rows)


def checked_password(role, table, email, password):
    """(account row or None, seconds to wait): the password checked under the limits."""
    wait, reserved = reserve_try(role, email)
    if wait:
        return None, wait
    found = password_matches(table, email, password)
    if found:
        release_try(reserved)
    return found, 0


def _password_sign_in(role, table, heading):
    message = None
    if request.method == "POST":
        email = request.form.get("email", "").strip()
        found, wait = checked_password(role, table, email, request.form.get("password", ""))
        if wait:
            security_event("held back (too many tries)", role)
            message = _("Too many tries. Please wait %(seconds)s seconds, then try again.", seconds=wait)
            return render("sign_in/password.html", message=message, heading=heading, role=role), 429
        if not found:
            security_event("refused (email and password do not match)", role)
        elif found["disabled_at"]:
            security_event("refused (account switched off)", role, found["id"])
            message = _("This account is switched off. Please ask the school.")
            return render("sign_in/password.html", message=message, heading=heading, role=role), 403
        if found and role == "staff":
            from .two_factor import begin

            security_event("password accepted, second step next", role, found["id"])
            return begin(found)
        if found:
            start_session(role, found["id"])
            return redirect(url_for(HOMES[role]))
        message = _("That email and password do not match. Please try again.")
    status = 200 if message is None else 401
    return render("sign_in/password.html", message=message, heading=heading, role=role), status


@bp.route("/staff/sign-in", methods=["GET", "POST"])
def staff_sign_in():
    return _password_sign_in("staff", "staff", _("Staff sign-in"))


@bp.route("/family/sign-in", methods=["GET", "POST"])
def family_sign_in():
    return _password_sign_in("family", "families", _("Family sign-in"))


@bp.get("/sign-out")
def confirm_sign_out():
    """"Not me" on a learner's tablet asks first: a stray tap must not end their session."""
    if g.user is None:
        return redirect(url_for("auth.sign_in"))
    return render("sign_in/not_me.html")


@bp.post("/sign-out")
def sign_out():
    role = g.user["role"] if g.user is not None else "staff"
    end_session()
    return redirect(url_for({"learner": "auth.sign_in", "staff": "auth.staff_sign_in",
                             "family": "auth.family_sign_in"}[role]))


@bp.get("/account/devices")
@adult_required
def sign_ins():
    """Where this account is signed in now (ASVS 3.3.4): when each sign-in began and was last
    used, this one marked, so a lost phone or a shared computer can be signed out."""
    here = token_hash(session["token"])
    found = [dict(row, here=row["token_hash"] == here) for row in get_db().query(
        "SELECT token_hash, created_at, seen_at FROM sign_ins WHERE role = ? AND user_id = ? ORDER BY seen_at DESC",
        [g.user["role"], g.user["id"]])]
    return render("account/sign_ins.html", sign_ins=found)


@bp.route("/account/password", methods=["GET", "POST"])
@adult_required
def change_password():
    """A family or member of staff changes their password: the current one first, then the
    new one twice. Every other device is signed out, as the old password may be known."""
    from .i18n import ADULT_TABLES

    message = None
    if request.method == "POST":
        table = ADULT_TABLES[g.user["role"]]
        found, wait = checked_password(g.user["role"], table, g.user["email"], request.form.get("current", ""))
        if wait:
            message = _("Too many tries. Please wait %(seconds)s seconds, then try again.", seconds=wait)
            return render("account/password.html", message=message), 429
        if found is None:
            security_event("password change refused (wrong current password)", g.user["role"], g.user["id"])
            return render("account/password.html", message=_("That is not your current password.")), 400
        new = request.form.get("password", "")
        message = new_password_problem(new, request.form.get("password_again", ""))
        if message:
            return render("account/password.html", message=message), 400
        db = get_db()
        with transaction(db):
            db.execute(f"UPDATE {table} SET password_hash = ? WHERE id = ?",
                       [passwords.hashed(new), g.user["id"]])
            db.execute("DELETE FROM sign_ins WHERE role = ? AND user_id = ? AND token_hash != ?",
                       [g.user["role"], g.user["id"], token_hash(session["token"])])
        security_event("password changed; other devices signed out", g.user["role"], g.user["id"])
        flash(_("Your password is changed, and every other device is signed out."))
        return redirect(url_for("auth.sign_ins"))
    return render("account/password.html", message=message)


@bp.post("/account/devices/sign-out-others")
@adult_required
def end_other_sign_ins():
    """Sign this account out everywhere but here, on the server."""
    get_db().execute("DELETE FROM sign_ins WHERE role = ? AND user_id = ? AND token_hash != ?",
                     [g.user["role"], g.user["id"], token_hash(session["token"])])
    security_event("ended everywhere else by the account", g.user["role"], g.user["id"])
    flash(_("You are signed out everywhere else."))
    return redirect(url_for("auth.sign_ins"))


def name_before_sign_in(learner):
    """The name on a shared tablet before anyone has signed in: a protected learner's picture's
    name ("Fox"), never their own, so classmates and visitors do not learn it."""
    if learner["protected"]:
        return symbol_label(learner["avatar"], capital=True)
    return learner["name"]


@functools.cache
def _dummy_hash():
    """A hash of nothing anyone knows, checked when no account has the name given, so that a
    wrong name takes as long as a wrong password: made once a process."""
    return passwords.hashed(secrets.token_hex(16))


def init_app(app):
    app.jinja_env.globals["name_before_sign_in"] = name_before_sign_in
    app.extensions["dummy_hash"] = _dummy_hash()
    app.before_request(load_user)
    app.register_blueprint(bp)
