from datetime import datetime, timedelta, timezone

import pytest

from student_app import passwords
from student_app.auth import LONGEST_WAIT, wait_after
from student_app.db import get_db
from tests.conftest import SHIPPED_PASSWORD_METHOD, demo_code, enter_code, learner_id, sign_in_as, text_of

WRONG = ("code-ball", "code-ball", "code-ball")


def test_sign_in_page_lists_the_class_learners(client):
    page = client.get("/sign-in", follow_redirects=True)
    assert page.status_code == 200
    for name in ("Amira", "Ben", "Harry"):
        assert name in page.text
    assert "Who are you?" in page.text


def test_learner_signs_in_with_picture_code(client, app):
    amira = learner_id(app, "Amira")
    response = enter_code(client, amira, demo_code("Amira"))
    assert response.headers["Location"] == "/home"
    home = client.get("/home")
    assert home.status_code == 200 and "Amira" in home.text and "Guess my job" in home.text


def test_each_pick_shows_the_next_step_without_signing_in(client, app):
    amira = learner_id(app, "Amira")
    response = client.post(f"/sign-in/learner/{amira}", data={"picks": "", "pick": "code-cat"})
    assert response.status_code == 200
    assert "Tap picture 2 of 3" in response.text
    assert client.get("/home").status_code == 302


def test_wrong_code_gets_a_friendly_retry(client, app):
    amira = learner_id(app, "Amira")
    response = enter_code(client, amira, WRONG)
    assert response.status_code == 200
    assert "not quite right" in response.text
    assert client.get("/home").status_code == 302


def test_wait_grows_and_is_capped():
    waits = [wait_after(n) for n in range(12)]
    assert waits[:3] == [0, 0, 0]
    assert waits == sorted(waits) and waits[3] > 0
    assert max(waits) == LONGEST_WAIT


def test_wrong_codes_make_that_learner_wait_but_not_others(client, app):
    amira, ben = learner_id(app, "Amira"), learner_id(app, "Ben")
    for _ in range(3):
        enter_code(client, amira, WRONG)
    # The right code is not even checked while Amira waits, and she is told kindly.
    response = enter_code(client, amira, demo_code("Amira"))
    assert response.status_code == 429
    assert "little rest" in response.text
    # Ben, in the same class, is not affected.
    assert enter_code(client, ben, demo_code("Ben")).status_code == 302


def test_wait_ends_so_a_classmate_can_never_lock_a_learner_out(client, app):
    amira = learner_id(app, "Amira")
    for _ in range(10):
        enter_code(client, amira, WRONG)
    with app.app_context():
        row = get_db().execute("SELECT failed_codes FROM learners WHERE id = ?", [amira]).fetchone()
        assert row[0] == 3  # tries during a wait are not counted
        earlier = datetime.now(timezone.utc) - timedelta(seconds=LONGEST_WAIT + 1)
        get_db().execute(
            "UPDATE learners SET last_failed_at = ? WHERE id = ?", [earlier.isoformat(), amira]
        )
    assert enter_code(client, amira, demo_code("Amira")).status_code == 302
    with app.app_context():
        row = get_db().execute("SELECT failed_codes FROM learners WHERE id = ?", [amira]).fetchone()
        assert row[0] == 0


@pytest.mark.parametrize(
    "form", [{"pick": "rocket"}, {"picks": "code-cat,nonsense", "pick": "code-cat"},
             {"picks": "code-cat,code-cat,code-cat", "pick": "code-cat"}, {}]
)
def test_garbage_code_posts_get_a_kind_400(client, app, form):
    response = client.post(f"/sign-in/learner/{learner_id(app, 'Amira')}", data=form)
    assert response.status_code == 400
    assert "start again" in response.text and "Traceback" not in response.text


def test_unknown_learner_gets_a_plain_404(client):
    response = client.get("/sign-in/learner/9999")
    assert response.status_code == 404
    assert "can't find that page" in text_of(response) and 'href="/"' in response.text


def test_staff_sign_in_and_wrong_password(client, app):
    response = client.post(
        "/staff/sign-in", data={"email": "teacher@oaktree.example", "password": "wrong"}
    )
    assert response.status_code == 401 and "do not match" in response.text
    sign_in_as(client, app, "staff")
    assert client.get("/staff/").status_code == 200


def test_passwords_are_stored_hashed(app):
    """Adults' passwords are hashed. Learners' picture codes are kept as they are, for staff to
    show and print: one of 729 codes, which a hash would not protect."""
    with app.app_context():
        db = get_db()
        hashes = [r[0] for r in db.execute("SELECT password_hash FROM staff UNION ALL SELECT password_hash FROM families")]
    assert all(h.startswith(("scrypt:", "pbkdf2:")) for h in hashes)
    assert not any("oak-tree" in h for h in hashes)


def test_the_app_ships_with_scrypt_for_passwords():
    """The tests use a quicker hash (tests/conftest.py); a school's server keeps scrypt, with
    werkzeug's cost (N=32768), and checks the hashes the tests make too."""
    from werkzeug.security import generate_password_hash

    made = generate_password_hash("a-long-password-1", SHIPPED_PASSWORD_METHOD)
    assert made.startswith("scrypt:32768:8:1$")
    assert passwords.matches(made, "a-long-password-1") and not passwords.matches(made, "a-long-password-2")
    assert passwords.matches(passwords.hashed("quick-1"), "quick-1")


def test_every_sign_in_starts_a_new_session(client, app):
    sign_in_as(client, app, "learner", "Amira")
    with client.session_transaction() as session:
        first = session["token"]
    sign_in_as(client, app, "learner", "Ben")
    with client.session_transaction() as session:
        assert session["token"] != first
    with app.app_context():
        assert get_db().execute("SELECT count(*) FROM sign_ins").fetchone()[0] == 2


def test_not_me_signs_out_on_the_server_and_back_shows_nothing(client, app):
    sign_in_as(client, app, "learner")
    home = client.get("/home")
    assert home.headers["Cache-Control"] == "no-store"
    with client.session_transaction() as session:
        token = session["token"]
    response = client.post("/sign-out")
    assert response.headers["Location"] == "/sign-in"
    with app.app_context():
        assert get_db().execute("SELECT count(*) FROM sign_ins").fetchone()[0] == 0
    # Replaying the old cookie does not work either.
    with client.session_transaction() as session:
        session["token"] = token
    assert client.get("/home").status_code == 302


def test_idle_learner_is_signed_out(client, app):
    sign_in_as(client, app, "learner")
    with app.app_context():
        stale = datetime.now(timezone.utc) - timedelta(minutes=app.config["LEARNER_IDLE_MINUTES"] + 1)
        get_db().execute("UPDATE sign_ins SET seen_at = ?", [stale.isoformat()])
    assert client.get("/home").headers["Location"] == "/sign-in"


def test_a_signed_out_visitor_reaches_nothing_but_sign_in(client, app):
    amira = learner_id(app, "Amira")
    open_to_all = {"auth.index", "auth.sign_in", "auth.choose_school", "auth.choose_learner", "auth.enter_code",
                   "auth.badge", "auth.staff_sign_in", "auth.family_sign_in", "family.join", "about",
                   "two_factor.code", "two_factor.enrol", "static", "symbols.image",
                   "narration.clip", "careers.public_page"}  # a school's careers programme: no learner data
    args = {"learner_id": amira, "class_id": 1, "job_id": "nurse", "number": 1,
            "activity_id": "guess-my-job", "secret": "x", "symbol_id": "nav-home",
            "token": "x", "filename": "css/app.css", "media_id": 1, "item": "mine",
            "group": 1, "page_id": 1, "note_id": 1, "invitation_id": 1,
            "session_id": 1, "code": "ABCDEF", "recording_id": 1, "voice_id": 1, "staff_id": 1, "family_id": 1,
            "staff_invitation_id": 1, "group_id": 1, "pupil_id": amira, "import_token": "x",
            "school_id": 1, "step": "kind",  # school; a passport screen
            "meeting_id": 1, "action_id": 1,  # a guidance meeting and its action
            "termly_action_id": 1,  # a termly review action
            "entry_id": 1,  # an entry of the careers programme
            "folder": "jobs", "slug": "x", "language": "cy"}  # a school's own content
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in open_to_all:
            continue
        url = rule.build(args)[1]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method)
            assert response.status_code in (302, 400, 404), (method, url)
            if response.status_code == 302:
                assert response.headers["Location"].endswith("/sign-in"), (method, url)
            checked += 1
    assert checked >= 15


def test_forms_need_a_csrf_token(app):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    amira = learner_id(app, "Amira")
    response = client.post(f"/sign-in/learner/{amira}", data={"pick": "code-cat"})
    assert response.status_code == 400
    assert "could not save that" in response.text


def test_session_cookie_is_httponly_and_samesite(client, app):
    response = sign_in_as(client, app, "learner")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_get_changes_anything(client, app):
    """Every route that accepts GET leaves the database as it was."""
    sign_in_as(client, app, "learner")

    def snapshot():
        with app.app_context():
            db = get_db()
            return {t: db[t].count for t in ("plays", "responses", "badges", "learners")}

    before = snapshot()
    for url in ("/home", "/activities/guess-my-job", "/activities/guess-my-job/nurse/clue/1",
                "/activities/guess-my-job/nurse/guess", "/activities/guess-my-job/nurse/answer",
                "/passport"):
        client.get(url)
    assert snapshot() == before


def test_every_sign_in_decision_is_logged_without_secrets(client, app, caplog):
    """ASVS 7.2.1: a line for each accepted or refused sign-in, naming the role, the account
    when known and the address, and never the password or code typed."""
    import logging

    from student_app.demo import FAMILY, STAFF
    from tests.conftest import sign_in_as

    caplog.set_level(logging.INFO, logger="student_app.security")
    client.post("/family/sign-in", data={"email": FAMILY[1], "password": "not-the-password-123"})
    client.post("/family/sign-in", data={"email": FAMILY[1], "password": FAMILY[2]})
    client.post("/sign-out")
    sign_in_as(client, app, "staff")
    client.post("/sign-out")
    client.post("/staff/sign-in", data={"email": STAFF[1][1], "password": STAFF[1][2]})
    client.post("/staff/sign-in/code", data={"code": "000000"})
    lines = [record.getMessage() for record in caplog.records if record.name == "student_app.security"]
    assert lines[0].startswith("sign-in refused (email and password do not match): role=family account=-")
    assert lines[1].startswith("sign-in accepted: role=family account=")
    assert [line.split(":")[0] for line in lines[2:]] == [
        "sign-in password accepted, second step next", "sign-in accepted",
        "sign-in password accepted, second step next", "sign-in refused (wrong two-step code)"]
    assert all("address=127.0.0.1" in line for line in lines)
    text = "\n".join(lines)
    for secret in ("not-the-password-123", FAMILY[2], STAFF[1][2], FAMILY[1], "000000"):
        assert secret not in text


def test_a_family_sees_where_it_is_signed_in_and_signs_out_everywhere_else(app):
    from student_app.demo import FAMILY

    phone, laptop = app.test_client(), app.test_client()
    for device in (phone, laptop):
        assert device.post("/family/sign-in", data={"email": FAMILY[1], "password": FAMILY[2]}).status_code == 302
    page = laptop.get("/account/devices").text
    assert page.count("<tr><td>") == 2 and "This one" in page and "Another" in page
    assert "Sign out everywhere else" in page
    response = laptop.post("/account/devices/sign-out-others", follow_redirects=True)
    assert "You are signed out everywhere else." in response.text
    assert laptop.get("/family/").status_code == 200  # this one stays signed in
    assert phone.get("/family/").status_code == 302  # the other is signed out on the server
    assert "Sign out everywhere else" not in laptop.get("/account/devices").text


def test_learners_have_no_sign_ins_page(client, app):
    from tests.conftest import sign_in_as

    assert client.get("/account/devices").status_code == 302  # signed out: to sign in
    sign_in_as(client, app, "learner", "Amira")
    assert client.get("/account/devices").status_code == 403
    assert client.post("/account/devices/sign-out-others").status_code == 403


def test_a_family_changes_their_password_and_other_devices_are_signed_out(app):
    from student_app.demo import FAMILY

    phone, laptop = app.test_client(), app.test_client()
    for device in (phone, laptop):
        device.post("/family/sign-in", data={"email": FAMILY[1], "password": FAMILY[2]})
    new = "a new long family phrase"
    for form, words in (
            ({"current": "wrong-password", "password": new, "password_again": new}, "not your current password"),
            ({"current": FAMILY[2], "password": new, "password_again": "different"}, "type it twice"),
            ({"current": FAMILY[2], "password": "password1", "password_again": "password1"}, "most common")):
        response = laptop.post("/account/password", data=form)
        assert response.status_code == 400 and words in response.text
    response = laptop.post("/account/password", data={"current": FAMILY[2], "password": new, "password_again": new},
                           follow_redirects=True)
    assert "Your password is changed" in response.text
    assert laptop.get("/family/").status_code == 200
    assert phone.get("/family/").status_code == 302  # signed out on the server
    other = app.test_client()
    assert other.post("/family/sign-in", data={"email": FAMILY[1], "password": FAMILY[2]}).status_code == 401
    assert other.post("/family/sign-in", data={"email": FAMILY[1], "password": new}).status_code == 302


def test_staff_change_their_password_too(client, app):
    from student_app.demo import STAFF
    from tests.conftest import sign_in_as

    sign_in_as(client, app, "staff")
    assert 'autocomplete="current-password"' in client.get("/account/password").text
    new = "another teacher phrase"
    assert client.post("/account/password", data={"current": STAFF[1][2], "password": new,
                                                    "password_again": new}).status_code == 302
    other = app.test_client()
    assert other.post("/staff/sign-in", data={"email": STAFF[1][1], "password": new}).status_code == 302
