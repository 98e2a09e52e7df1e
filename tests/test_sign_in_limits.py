"""Sign-in limits that hold under attack (issue 13): tries counted on the server as one step
with their check, per account and per address, without locking a school out, and a family
join form that is no password oracle."""

import threading
import urllib.parse
import urllib.request
from contextlib import contextmanager

import pytest
from waitress.channel import HTTPChannel
from waitress.server import create_server

from tests.conftest import text_of
from tests.test_badges import secrets_made  # noqa: F401 (a fixture)
from tests.test_passport import make_invitation

TEACHER = {"email": "teacher@oaktree.example", "password": "oak-tree-teacher"}
FAMILY = {"email": "family@oaktree.example", "password": "oak-tree-family"}


def from_address(client, address):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_the_join_form_answers_the_same_whether_or_not_the_email_has_an_account(client, app):
    link, _code = make_invitation(client, app, "Chloe")
    known = client.post(link, data={"email": FAMILY["email"], "password": "not-the-password"})
    unknown = client.post(link, data={"email": "nobody@example.org", "password": "not-the-password"})
    assert known.status_code == unknown.status_code == 400
    assert "already have an account" not in text_of(known)
    message = text_of(known).split("We could not use those details")[1][:200]
    assert message == text_of(unknown).split("We could not use those details")[1][:200]


def test_the_join_form_checks_an_existing_password_under_the_sign_in_limits(client, app):
    link, _code = make_invitation(client, app, "Chloe")
    for _ in range(5):
        assert client.post(link, data={"email": FAMILY["email"], "password": "wrong-password"}).status_code == 400
    held = client.post(link, data=FAMILY)
    assert held.status_code == 400 and "Too many tries" in text_of(held)
    # The limit is shared with the sign-in page: it holds there too.
    assert client.post("/family/sign-in", data=FAMILY).status_code == 429


def test_one_account_is_limited_across_many_addresses(app):
    for number in range(2):
        client = from_address(app.test_client(), f"198.51.100.{number}")
        for _ in range(5):
            assert client.post("/staff/sign-in", data={**TEACHER, "password": "wrong"}).status_code == 401
    third = from_address(app.test_client(), "198.51.100.9")
    assert third.post("/staff/sign-in", data={**TEACHER, "password": "wrong"}).status_code == 429


def test_wrong_tries_for_other_emails_never_hold_back_an_account_that_has_not_failed(app):
    attacker = from_address(app.test_client(), "203.0.113.5")
    for number in range(35):
        attacker.post("/staff/sign-in", data={"email": f"guess{number}@example.org", "password": "x"})
        attacker.post("/family/sign-in", data={"email": f"guess{number}@example.org", "password": "x"})
    # An account already tried from this busy address waits...
    assert attacker.post("/staff/sign-in", data={"email": "guess0@example.org", "password": "x"}).status_code == 429
    # The real teacher and family behind the same school address sign in at once.
    school = from_address(app.test_client(), "203.0.113.5")
    assert school.post("/staff/sign-in", data=TEACHER).status_code == 302
    assert from_address(app.test_client(), "203.0.113.5").post("/family/sign-in", data=FAMILY).status_code == 302


@contextmanager
def served(app):
    """The app on waitress at 127.0.0.1, as in production, with several threads."""
    server = create_server(app, host="127.0.0.1", port=0, threads=8)

    def run():
        try:
            server.run()
        except OSError:  # its sockets closed under it as the test ended
            pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        # Every reply has been read; let waitress see each connection close, then stop it.
        # Any channel still open is closed here, so no socket is left for the garbage collector.
        import time

        for _ in range(50):
            if not any(isinstance(each, HTTPChannel) for each in list(server._map.values())):
                break
            time.sleep(0.05)
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
        for each in list(server._map.values()):
            if isinstance(each, HTTPChannel):
                each.close()
        server.close()
        thread.join(timeout=5)


def burst(url, form=None, count=24, cookie=None):
    """Send `count` requests at the same moment (posts of `form`, or gets without one), with
    the session `cookie` if given; their status codes."""
    ready, codes = threading.Barrier(count), []
    body = None if form is None else urllib.parse.urlencode(form).encode()
    headers = {"Cookie": cookie} if cookie else {}

    def send():
        ready.wait()
        request = urllib.request.Request(url, data=body, method="GET" if body is None else "POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                codes.append(response.status)
        except urllib.error.HTTPError as error:
            codes.append(error.code)

    threads = [threading.Thread(target=send) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


def session_cookie(url, form):
    """The session cookie a sign-in post to `url` gives (following its redirect)."""
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    try:
        opener.open(urllib.request.Request(url, method="POST", data=urllib.parse.urlencode(form).encode()))
    except urllib.error.HTTPError:
        pass
    return "; ".join(f"{c.name}={c.value}" for c in jar)


@pytest.mark.parametrize("path, form", [
    ("/staff/sign-in", {**TEACHER, "password": "wrong-password"}),
    ("/family/sign-in", {**FAMILY, "password": "wrong-password"}),
])
def test_a_burst_of_wrong_passwords_gets_no_more_checks_than_the_limit(app, path, form):
    with served(app) as base:
        codes = burst(base + path, form)
    assert sorted(codes) == [401] * 5 + [429] * 19, codes


def test_a_parents_evening_on_one_address_joins_and_signs_in_without_waiting(client, app):
    """Forty families joining from the school's one address, each then signing in."""
    from tests.conftest import sign_in_as

    sign_in_as(client, app, "staff")
    from student_app.db import get_db
    from student_app.family import new_invitation

    with app.app_context():
        staff = get_db().execute("SELECT id FROM staff LIMIT 1").fetchone()[0]
        links = [new_invitation(1, staff)[0] for _ in range(40)]
    for number, token in enumerate(links):
        family = from_address(app.test_client(), "192.0.2.10")
        form = {"name": f"Parent {number}", "email": f"parent{number}@example.org",
                "password": "a long family password", "password_again": "a long family password"}
        assert family.post(f"/family/join/{token}", data=form).status_code == 302, number
        family.post("/sign-out")
        assert family.post("/family/sign-in", data={"email": form["email"], "password": form["password"]}).status_code == 302


def test_a_burst_of_wrong_picture_codes_gets_three_checks(app):
    from tests.conftest import learner_id

    amira = learner_id(app, "Amira")
    with served(app) as base:
        codes = burst(f"{base}/sign-in/learner/{amira}", {"picks": "code-cat,code-cat", "pick": "code-cat"})
    assert sorted(codes) == [200] * 3 + [429] * 21, codes


def test_a_burst_of_wrong_class_codes_gets_no_more_checks_than_the_limit(app):
    from student_app.classroom import JOIN_TRIES
    from tests.conftest import demo_code, learner_id

    amira = learner_id(app, "Amira")
    with served(app) as base:
        first, second, third = demo_code("Amira")
        cookie = session_cookie(f"{base}/sign-in/learner/{amira}", {"picks": f"{first},{second}", "pick": third})
        codes = burst(f"{base}/join/ZZZZZZ", cookie=cookie)
    assert sorted(codes) == [404] * JOIN_TRIES + [429] * (24 - JOIN_TRIES), codes


def test_voiding_a_badge_ends_the_sessions_it_started(client, app, secrets_made):
    from tests.conftest import learner_id, sign_in_as

    staff = app.test_client()
    sign_in_as(staff, app, "staff")
    amira = learner_id(app, "Amira")
    staff.post(f"/staff/learners/{amira}/badges")
    secret = secrets_made[-1]
    assert client.post("/badge", data={"secret": secret}).status_code == 302
    assert client.get("/home").status_code == 200
    staff.post(f"/staff/learners/{amira}/badges/void")
    assert client.get("/home").status_code == 302  # signed out on the server


def test_a_protected_learner_is_never_named_before_sign_in(client, app, secrets_made):
    from student_app.db import get_db
    from tests.conftest import learner_id, sign_in_as

    amira = learner_id(app, "Amira")
    with app.app_context():
        get_db().execute("UPDATE learners SET protected = 1 WHERE id = ?", [amira])
    staff = app.test_client()
    sign_in_as(staff, app, "staff")
    staff.post(f"/staff/learners/{amira}/badges")
    secret = secrets_made[-1]
    assert "Amira" not in text_of(client.get(f"/badge/{secret}"))
    tiles = text_of(client.get("/sign-in/class/1"))
    assert "Amira" not in tiles
    # Fox sits where its name goes, between Farhan and Grace, not first, where Amira was.
    assert tiles.index("Farhan") < tiles.index("Fox") < tiles.index("Grace")


def test_an_admin_switches_off_only_their_schools_part_of_a_shared_family_account(client, app):
    from student_app.db import get_db
    from tests.conftest import learner_id, sign_in_as

    with app.app_context():
        db = get_db()
        elm = db["schools"].insert({"name": "Elm School"}).last_pk
        group = db["classes"].insert({"school_id": elm, "name": "Elm Class"}).last_pk
        pupil = db["learners"].insert({"school_id": elm, "class_id": group, "name": "Wiktor", "avatar": "avatar-bee",
                                       "code": "code-cat-code-cat-code-cat", "code_hash": "", "family_visible": 1}).last_pk
        family = db.execute("SELECT id FROM families WHERE email = ?", [FAMILY["email"]]).fetchone()[0]
        db["family_links"].insert({"family_id": family, "learner_id": pupil})
    admin = app.test_client()
    sign_in_as(admin, app, "admin")
    amira = learner_id(app, "Amira")
    assert admin.post(f"/staff/families/{family}/access", data={"action": "off", "learner": amira}).status_code == 302
    assert client.post("/family/sign-in", data=FAMILY).status_code == 302  # the account still works...
    home = text_of(client.get("/family/"))
    assert "Wiktor" in home and "Amira" not in home  # ...for the other school's child only
    assert client.get(f"/family/children/{amira}/passport").status_code == 404
    assert client.get(f"/family/children/{pupil}/passport").status_code == 200
    assert "account switched off" in text_of(admin.get(f"/staff/learners/{amira}"))
    admin.post(f"/staff/families/{family}/access", data={"action": "on", "learner": amira})
    assert client.get(f"/family/children/{amira}/passport").status_code == 200


def test_random_invitation_codes_are_slowed_down(app):
    guesser = from_address(app.test_client(), "198.51.100.77")
    codes = [guesser.post("/family/join", data={"code": f"ZZZZ-ZZ{n:02d}"}).status_code for n in range(12)]
    assert codes[:10] == [400] * 10 and codes[10:] == [429, 429]
    # Another address, such as a family at home, is not held back.
    assert from_address(app.test_client(), "198.51.100.78").post("/family/join", data={"code": "ZZZZ-ZZZZ"}).status_code == 400


def test_a_burst_of_wrong_two_step_codes_gets_five_checks(app):
    with served(app) as base:
        cookie = session_cookie(f"{base}/staff/sign-in", TEACHER)
        codes = burst(f"{base}/staff/sign-in/code", {"code": "000000"}, cookie=cookie)
    # Four wrong codes are answered 401; the fifth restarts sign-in (a redirect, followed to the
    # password page: 200), and every other try is refused unchecked the same way.
    assert codes.count(401) == 4, codes
