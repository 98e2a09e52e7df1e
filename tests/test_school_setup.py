"""First run and staff accounts: `flask school create`, the set-up link, joining as staff from
an invitation, roles and a teaching assistant's classes."""

import re

import pyotp

from student_app.db import get_db
from tests.conftest import sign_in_as, text_of


def create_school(runner, *extra, email="head@riverside.example", name="Riverside School"):
    result = runner.invoke(args=["school", "create", "--name", name, "--admin-email", email,
                                 "--admin-name", "Nia Jones", *extra])
    return result


def link_path(output):
    return re.search(r"https?://[^/\s]+(/staff/join/\S+)", output).group(1)


def join(client, path, password="river-side-admin", accept=True):
    data = {"password": password, "password_again": password}
    if accept:
        data["accept"] = "yes"
    return client.post(path, data=data)


def finish_two_step(client, app, email):
    """Set up two-step sign-in from the set-up page, as the new member of staff would."""
    page = client.get("/staff/sign-in/set-up")
    secret = re.search(r'<code class="code">([A-Z2-7]+)</code>', page.text).group(1)
    return client.post("/staff/sign-in/set-up", data={"code": pyotp.TOTP(secret).now()})


def test_school_create_prints_a_single_use_set_up_link(runner, app, client):
    result = create_school(runner, "--urn", "123456")
    assert result.exit_code == 0, result.output
    assert "valid for 7 days" in result.output and "http://127.0.0.1:5000/staff/join/" in result.output
    with app.app_context():
        school = get_db().execute("SELECT id, name, urn FROM schools WHERE name = 'Riverside School'").fetchone()
        assert school[2] == "123456"
        # Only a hash of the link's token is kept.
        stored = get_db().execute("SELECT token_hash FROM staff_invitations WHERE school_id = ?", [school[0]]).fetchone()[0]
    token = link_path(result.output).rsplit("/", 1)[1]
    assert token not in stored
    page = client.get(link_path(result.output))
    assert page.status_code == 200
    words = text_of(page)
    assert "special category data" in words and "36 months" in words and "data protection impact assessment" in words


def test_school_create_refuses_bad_details(runner):
    assert "6 digits" in create_school(runner, "--urn", "12345").output
    assert create_school(runner, email="admin@oaktree.example").exit_code != 0  # already a member of staff
    assert create_school(runner, name="").exit_code != 0
    assert create_school(runner, "--urn", "654321").exit_code == 0
    assert "already on this server" in create_school(runner, "--urn", "654321", email="b@x.example").output


def test_a_new_admin_joins_accepts_sets_up_two_step_and_sees_an_empty_school(runner, app, client):
    path = link_path(create_school(runner).output)
    refused = join(client, path, accept=False)
    assert refused.status_code == 400 and "tick the box" in refused.text
    weak = join(client, path, password="short")
    assert weak.status_code == 400 and "at least 8 characters" in weak.text
    response = join(client, path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/sign-in/set-up")
    codes = finish_two_step(client, app, "head@riverside.example")
    assert "recovery codes" in codes.text.lower()
    home = client.get("/staff/")
    assert home.status_code == 200
    assert "Getting your school started" in home.text and "There are no classes yet." in home.text
    with app.app_context():
        db = get_db()
        row = db.execute("SELECT staff_role, privacy_accepted_at, school_id FROM staff WHERE email = ?",
                         ["head@riverside.example"]).fetchone()
        assert row[0] == "admin" and row[1]
        # The new school sees none of the demo school's learners.
        assert "Amira" not in home.text
    # The link worked once.
    again = app.test_client().get(path)
    assert again.status_code == 400 and "already been used" in again.text


def test_an_expired_or_unknown_link_is_refused_kindly(runner, app, client):
    path = link_path(create_school(runner).output)
    with app.app_context():
        get_db().execute("UPDATE staff_invitations SET expires_at = '2020-01-01T00:00:00+00:00'")
    assert "run out" in client.get(path).text and client.get(path).status_code == 400
    assert join(client, path).status_code == 400
    assert client.get("/staff/join/not-a-real-link").status_code == 400


def invite(client, **data):
    return client.post("/staff/school/staff/invitations", data={"name": "Kim Lee", "email": "kim@oaktree.example",
                                                                "staff_role": "teacher", **data})


def test_an_admin_invites_a_teaching_assistant_who_sees_only_their_class(app, client):
    sign_in_as(client, app, "admin")
    with app.app_context():
        other = get_db()["classes"].insert({"school_id": 1, "name": "Class 6 (Ash)"}).last_pk
    assert invite(client, staff_role="assistant").status_code == 400  # an assistant needs classes
    page = invite(client, staff_role="assistant", **{"class": str(other)})
    assert page.status_code == 200 and "<svg" in page.text and "/staff/join/" in page.text
    path = re.search(r"https?://[^/\s<]+(/staff/join/[^\s<]+)", page.text).group(1)
    new = app.test_client()
    assert join(new, path, password="kim-lee-assistant").status_code == 302
    finish_two_step(new, app, "kim@oaktree.example")
    home = new.get("/staff/")
    assert "Class 6 (Ash)" in home.text and "Amira" not in home.text
    with app.app_context():
        amira = get_db().execute("SELECT id FROM learners WHERE name = 'Amira'").fetchone()[0]
    assert new.get(f"/staff/learners/{amira}").status_code == 404
    assert new.get("/staff/school/staff").status_code == 403
    # Given Class 4 as well, they reach Amira.
    with app.app_context():
        kim = get_db().execute("SELECT id FROM staff WHERE email = 'kim@oaktree.example'").fetchone()[0]
    assert client.post(f"/staff/school/staff/{kim}", data={"staff_role": "assistant", "class": ["1", str(other)]}).status_code == 302
    assert new.get(f"/staff/learners/{amira}").status_code == 200


def test_invitations_refuse_bad_input_and_can_be_cancelled(app, client):
    sign_in_as(client, app, "admin")
    assert "already has an account" in invite(client, email="teacher@oaktree.example").text
    assert invite(client, name="<script>alert(1)</script>").status_code == 400
    assert invite(client, email="not-an-email").status_code == 400
    assert invite(client, staff_role="owner").status_code == 400
    page = invite(client, name="Łucja Nowak", email="lucja@oaktree.example")
    assert page.status_code == 200 and "Łucja Nowak" in page.text
    assert invite(client, name="Łucja Nowak", email="lucja@oaktree.example").status_code == 400  # one at a time
    path = re.search(r"https?://[^/\s<]+(/staff/join/[^\s<]+)", page.text).group(1)
    listing = client.get("/staff/school/staff")
    invitation = re.search(r'/staff/school/staff/invitations/(\d+)/cancel', listing.text).group(1)
    assert client.post(f"/staff/school/staff/invitations/{invitation}/cancel").status_code == 302
    assert "cancelled" in app.test_client().get(path).text


def test_roles_change_but_an_admin_never_demotes_themselves(app, client):
    sign_in_as(client, app, "admin")
    with app.app_context():
        db = get_db()
        me = db.execute("SELECT id FROM staff WHERE email = 'admin@oaktree.example'").fetchone()[0]
        teacher = db.execute("SELECT id FROM staff WHERE email = 'teacher@oaktree.example'").fetchone()[0]
    assert client.post(f"/staff/school/staff/{me}", data={"staff_role": "teacher"}).status_code == 400
    assert client.post(f"/staff/school/staff/{teacher}", data={"staff_role": "admin"}).status_code == 302
    with app.app_context():
        assert get_db().execute("SELECT staff_role FROM staff WHERE id = ?", [teacher]).fetchone()[0] == "admin"
    assert client.post("/staff/school/staff/99999", data={"staff_role": "admin"}).status_code == 404


def test_a_tablet_in_a_trust_picks_its_school_once_and_sees_only_its_classes(runner, app, client):
    create_school(runner)
    with app.app_context():
        db = get_db()
        riverside = db.execute("SELECT id FROM schools WHERE name = 'Riverside School'").fetchone()[0]
        db["classes"].insert({"school_id": riverside, "name": "River Class"})
    first = client.get("/sign-in")
    assert "Choose your school" in first.text and "Riverside School" in first.text
    assert "Class 4 (Maple)" not in first.text and "River Class" not in first.text
    # The demo school has one class: choosing it goes straight to that class's learners.
    assert client.get("/sign-in/school/1").headers["Location"].endswith("/sign-in/class/1")
    again = client.get("/sign-in")
    assert again.status_code == 302 and again.headers["Location"].endswith("/sign-in/class/1")
    # After a learner signs out, the tablet is still the demo school's.
    from tests.conftest import enter_code, demo_code, learner_id
    enter_code(client, learner_id(app, "Amira"), demo_code("Amira"))
    client.post("/sign-out")
    assert client.get("/sign-in").headers["Location"].endswith("/sign-in/class/1")
    assert "Choose your school" in client.get("/sign-in?school=choose").text
    assert client.get("/sign-in/school/99999").status_code == 404


def test_a_teachers_classes_are_kept_when_their_role_changes(app, client):
    sign_in_as(client, app, "admin")
    with app.app_context():
        teacher = get_db().execute("SELECT id FROM staff WHERE email = 'teacher@oaktree.example'").fetchone()[0]
    client.post(f"/staff/school/staff/{teacher}", data={"staff_role": "teacher", "class": ["1"]})
    client.post(f"/staff/school/staff/{teacher}", data={"staff_role": "admin", "class": ["1"]})
    with app.app_context():
        assert get_db().execute("SELECT class_id FROM staff_classes WHERE staff_id = ?", [teacher]).fetchall() == [(1,)]
