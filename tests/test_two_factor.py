"""Staff two-factor sign-in: a code after the password, set up before the first session,
each code once, recovery codes, throttled tries and an admin reset."""

import re

from student_app.passwords import hashed

from student_app.db import get_db
from tests.conftest import current_code, sign_in_as, text_of

TEACHER = ("teacher@oaktree.example", "oak-tree-teacher")


def password_step(client, email=TEACHER[0], password=TEACHER[1]):
    return client.post("/staff/sign-in", data={"email": email, "password": password})


def test_the_password_alone_signs_nobody_in(client, app):
    response = password_step(client)
    assert response.headers["Location"].endswith("/staff/sign-in/code")
    assert client.get("/staff/").headers["Location"].endswith("/sign-in")
    wrong = client.post("/staff/sign-in/code", data={"code": "000000"})
    assert wrong.status_code == 401 and "did not work" in text_of(wrong)
    right = client.post("/staff/sign-in/code", data={"code": current_code(app, TEACHER[0])})
    assert right.headers["Location"].endswith("/staff/")
    assert client.get("/staff/").status_code == 200


def test_a_code_works_only_once(client, app):
    code = current_code(app, TEACHER[0])
    password_step(client)
    assert client.post("/staff/sign-in/code", data={"code": code}).status_code == 302
    client.post("/sign-out")
    password_step(client)
    assert client.post("/staff/sign-in/code", data={"code": code}).status_code == 401


def test_five_wrong_codes_send_you_back_to_the_password(client, app):
    password_step(client)
    for _ in range(4):
        assert client.post("/staff/sign-in/code", data={"code": "123456"}).status_code == 401
    response = client.post("/staff/sign-in/code", data={"code": "123456"})
    assert response.headers["Location"].endswith("/staff/sign-in")
    assert client.post("/staff/sign-in/code", data={"code": current_code(app, TEACHER[0])}).status_code == 302
    assert client.get("/staff/").status_code == 302  # still signed out


def make_colleague(app):
    with app.app_context():
        get_db()["staff"].insert({"school_id": 1, "email": "new@oaktree.example", "name": "Kim New",
                                  "password_hash": hashed("new-staff-pass"), "staff_role": "teacher"})


def test_set_up_before_the_first_session_then_recovery_codes_work_once(client, app):
    make_colleague(app)
    response = password_step(client, "new@oaktree.example", "new-staff-pass")
    assert response.headers["Location"].endswith("/staff/sign-in/set-up")
    page = client.get("/staff/sign-in/set-up")
    assert "<svg" in page.text and "Key:" in text_of(page)
    assert client.get("/staff/").status_code == 302
    codes_page = client.post("/staff/sign-in/set-up", data={"code": current_code(app, "new@oaktree.example")})
    codes = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", codes_page.text)
    assert len(codes) == 10 and client.get("/staff/").status_code == 200
    client.post("/sign-out")
    password_step(client, "new@oaktree.example", "new-staff-pass")
    assert client.post("/staff/sign-in/code", data={"code": codes[0].lower()}).status_code == 302
    client.post("/sign-out")
    password_step(client, "new@oaktree.example", "new-staff-pass")
    assert client.post("/staff/sign-in/code", data={"code": codes[0]}).status_code == 401


def test_an_admin_resets_a_colleagues_second_factor(client, app):
    teacher = app.test_client()
    sign_in_as(teacher, app, "staff")
    sign_in_as(client, app, "admin")
    with app.app_context():
        teacher_id = get_db().execute("SELECT id FROM staff WHERE email = ?", [TEACHER[0]]).fetchone()[0]
    assert "Reset two-step sign-in for Jo Evans" in text_of(client.get("/staff/school/staff"))
    assert client.post(f"/staff/members/{teacher_id}/reset-two-factor").status_code == 302
    assert teacher.get("/staff/").status_code == 302  # their sessions ended
    assert password_step(app.test_client()).headers["Location"].endswith("/set-up")
    teacher_again = app.test_client()
    sign_in_as(teacher_again, app, "staff")
    assert teacher_again.post(f"/staff/members/{teacher_id}/reset-two-factor").status_code == 403


def test_wrong_passwords_slow_down_that_account_from_that_address_only(client, app):
    for _ in range(5):
        assert password_step(client, TEACHER[0], "wrong-password").status_code == 401
    slowed = password_step(client)  # even the right password waits now
    assert slowed.status_code == 429 and "Please wait" in text_of(slowed)
    elsewhere = app.test_client()
    response = elsewhere.post("/staff/sign-in", data={"email": TEACHER[0], "password": TEACHER[1]},
                              environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert response.status_code == 302  # the real teacher, at school, is not locked out


def test_wrong_codes_are_counted_on_the_server_so_an_old_cookie_brings_no_tries(client, app):
    """Issue 13.1: replaying the cookie from before the wrong codes used to reset the count."""
    password_step(client)
    before = client.get_cookie("student_app_session").value
    for _ in range(5):
        client.post("/staff/sign-in/code", data={"code": "123456"})
    for _ in range(3):  # the copied cookie's half sign-in has used its five tries
        client.set_cookie("student_app_session", before)
        refused = client.post("/staff/sign-in/code", data={"code": "654321"})
        assert refused.status_code == 302 and refused.headers["Location"].endswith("/staff/sign-in")
    client.set_cookie("student_app_session", before)
    right = client.post("/staff/sign-in/code", data={"code": current_code(app, TEACHER[0])})
    assert right.headers["Location"].endswith("/staff/sign-in")
    assert client.get("/staff/").status_code == 302  # not signed in


def test_many_half_sign_ins_still_slow_down_guessing_for_one_account(client, app):
    """With the password, each new half sign-in has five tries, but the account as a whole
    then waits before each code: guessing stays slow."""
    for _ in range(3):
        password_step(client)
        for _ in range(5):
            client.post("/staff/sign-in/code", data={"code": "123456"})
    password_step(client)
    held = client.post("/staff/sign-in/code", data={"code": current_code(app, TEACHER[0])})
    assert held.status_code == 429 and "wait" in text_of(held)
