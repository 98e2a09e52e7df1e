"""Classes and learners (issue 12): an admin adds, renames, staffs and archives classes; adds a
learner, edits their details in one place, moves them, marks them as left and takes them back;
teachers show and reset a picture code. A learner who has left cannot sign in, and their record
is read only. All through HTTP."""

import re
from datetime import date

import pytest
from student_app.passwords import hashed

from student_app.auth import token_hash
from student_app.db import get_db, now
from student_app.school.records import upn_check_letter
from tests.conftest import demo_code, enter_code, learner_id, sign_in_as, sign_in_staff, text_of

SCHOOL = "/staff/school"
THIS_MONTH = date.today().isoformat()[:7]
NEXT_YEAR = f"{date.today().year + 1}-07"


def make_upn(digits):
    """A valid UPN: its check letter, then 12 characters (11 digits and a last one)."""
    rest = f"{digits:012d}"
    return upn_check_letter(rest) + rest


def query(app, sql, args=()):
    with app.app_context():
        return [dict(row) for row in get_db().query(sql, args)]


def one(app, sql, args=()):
    with app.app_context():
        return get_db().execute(sql, args).fetchone()


@pytest.fixture
def admin(client, app):
    sign_in_as(client, app, "admin")
    return client


def add_class(admin, name):
    return admin.post(f"{SCHOOL}/classes", data={"name": name})


def class_id(app, name):
    return one(app, "SELECT id FROM classes WHERE name = ? AND archived_at IS NULL", [name])[0]


def add_learner(admin, app, name, group="Class 4 (Maple)", **fields):
    data = {"name": name, "class_id": class_id(app, group), "career_group": "1", "date_of_birth": "2012-09", **fields}
    return admin.post(f"{SCHOOL}/learners/new", data=data)


def error_of(response, field):
    """The words of the error shown next to `field`."""
    found = re.search(rf'<p id="{field}-error"[^>]*>(.*?)</p>', response.text, re.S)
    return found and found.group(1).strip()


def new_assistant(app, client, email="ta.new@oaktree.example"):
    with app.app_context():
        get_db()["staff"].insert({"school_id": 1, "email": email, "name": "Tia Assistant", "staff_role": "assistant",
                                  "password_hash": hashed("assistant-password-1")})
    sign_in_staff(client, app, email, "assistant-password-1")
    return one(app, "SELECT id FROM staff WHERE email = ?", [email])[0]


# Classes.

def test_an_admin_adds_and_renames_classes_whose_names_are_unique_in_any_case(admin, app):
    assert add_class(admin, "Class 5 (Birch)").status_code == 302
    page = admin.get(f"{SCHOOL}/classes")
    assert page.status_code == 200 and "Class 5 (Birch)" in page.text and "Class 4 (Maple)" in page.text
    for same in ("class 5 (birch)", "CLASS 4 (MAPLE)", "  Class 5   (Birch) "):
        response = add_class(admin, same)
        assert response.status_code == 400 and "already a class called" in error_of(response, "name")
    assert add_class(admin, "Klasa Ąę").status_code == 302
    assert add_class(admin, "KLASA ĄĘ").status_code == 400  # beyond ASCII too
    for bad in ("", "=HYPERLINK(\"http://x\")", "<script>alert(1)</script>", "x" * 61):
        response = add_class(admin, bad)
        assert response.status_code == 400 and error_of(response, "name")
    assert one(app, "SELECT count(*) FROM classes")[0] == 3
    birch = class_id(app, "Class 5 (Birch)")
    response = admin.post(f"{SCHOOL}/classes/{birch}/name", data={"name": "class 4 (maple)"})
    assert response.status_code == 400 and "already a class called" in error_of(response, "name")
    assert admin.post(f"{SCHOOL}/classes/{birch}/name", data={"name": "Class 5 (Oak)"}).status_code == 302
    assert one(app, "SELECT name FROM classes WHERE id = ?", [birch])[0] == "Class 5 (Oak)"
    # Its own name in another case is fine.
    assert admin.post(f"{SCHOOL}/classes/{birch}/name", data={"name": "Class 5 (OAK)"}).status_code == 302


def test_classes_are_for_admins(client, app):
    sign_in_as(client, app, "staff")
    assert client.get(f"{SCHOOL}/classes").status_code == 403
    assert client.post(f"{SCHOOL}/classes", data={"name": "Class 9"}).status_code == 403
    assert client.get(f"{SCHOOL}/learners/new").status_code == 403


def test_an_archived_class_leaves_the_sign_in_screen_and_the_home_but_its_records_stay(admin, app, client):
    add_class(admin, "Class 5 (Birch)")
    birch = class_id(app, "Class 5 (Birch)")
    add_learner(admin, app, "Zofia", "Class 5 (Birch)")
    zofia = learner_id(app, "Zofia")
    # Learners still in it: it is not archived, or they would not find their class.
    response = admin.post(f"{SCHOOL}/classes/{birch}/archive")
    assert response.status_code == 400 and "still has learners" in error_of(response, "archive")
    admin.post(f"{SCHOOL}/learners/{zofia}/left", data={"left_on": THIS_MONTH})
    assert admin.post(f"{SCHOOL}/classes/{birch}/archive").status_code == 302
    assert one(app, "SELECT archived_at FROM classes WHERE id = ?", [birch])[0]
    classes = text_of(admin.get(f"{SCHOOL}/classes"))
    assert "Class 5 (Birch)" not in classes.split("This year's classes")[1].split("Archived classes")[0]
    assert "Class 5 (Birch)" in classes.split("Archived classes")[1]
    assert "Class 5 (Birch)" not in admin.get("/staff/").text
    assert "Class 5 (Birch)" not in text_of(admin.get(f"{SCHOOL}/learners/new"))
    # Records stay, for staff to read.
    assert admin.get(f"/staff/learners/{zofia}").status_code == 200
    assert admin.get(f"/staff/learners/{zofia}/passport").status_code == 200
    assert "Zofia" in admin.get(f"{SCHOOL}/classes/{birch}").text
    signed_out = app.test_client()
    assert signed_out.get("/sign-in").status_code == 302  # only Class 4 (Maple) is left: straight to it
    assert signed_out.get(f"/sign-in/class/{birch}").status_code == 404
    # Brought back, unless a current class has its name by then.
    add_class(admin, "class 5 (birch)")
    response = admin.post(f"{SCHOOL}/classes/{birch}/restore")
    assert response.status_code == 400 and "rename this one first" in error_of(response, "restore")
    admin.post(f"{SCHOOL}/classes/{birch}/name", data={"name": "Class 5 (Birch) 2025"})
    assert admin.post(f"{SCHOOL}/classes/{birch}/restore").status_code == 302
    assert "Class 5 (Birch) 2025" in signed_out.get("/sign-in").text


def test_a_new_class_with_no_one_in_it_says_so_on_the_sign_in_screen(admin, app):
    add_class(admin, "Class 6 (Ash)")
    screen = app.test_client().get(f"/sign-in/class/{class_id(app, 'Class 6 (Ash)')}")
    assert screen.status_code == 200 and 'class="tiles"' not in screen.text
    assert "There is no one in this class yet. Please ask a member of staff." in text_of(screen)
    assert re.search(r'no one in this class yet[^<]*</p>\s*<a class="listen"', screen.text)  # and read aloud


def test_a_teaching_assistant_sees_only_the_classes_assigned_to_them(admin, app):
    ta = app.test_client()
    ta_id = new_assistant(app, ta)
    amira = learner_id(app, "Amira")
    assert "Amira" not in ta.get("/staff/").text
    assert ta.get(f"/staff/learners/{amira}").status_code == 404
    admin_id = one(app, "SELECT id FROM staff WHERE email = 'admin@oaktree.example'")[0]
    assert admin.post(f"{SCHOOL}/classes/1/staff", data={"staff": [str(ta_id), str(admin_id)]}).status_code == 302
    assert query(app, "SELECT staff_id FROM staff_classes WHERE class_id = 1 ORDER BY staff_id") == [
        {"staff_id": admin_id}, {"staff_id": ta_id}]
    page = admin.get(f"{SCHOOL}/classes")
    assert "Tia Assistant" in page.text
    assert "Amira" in ta.get("/staff/").text
    assert ta.get(f"/staff/learners/{amira}").status_code == 200
    assert admin.post(f"{SCHOOL}/classes/1/staff", data={"staff": [str(admin_id)]}).status_code == 302
    assert ta.get(f"/staff/learners/{amira}").status_code == 404
    # Only this school's staff can be ticked.
    with app.app_context():
        db = get_db()
        elm = db["schools"].insert({"name": "Elm School"}).last_pk
        other = db["staff"].insert({"school_id": elm, "email": "elm@example.org", "name": "Elm", "password_hash": "x",
                                    "staff_role": "assistant"}).last_pk
    assert admin.post(f"{SCHOOL}/classes/1/staff", data={"staff": [str(other)]}).status_code == 400
    assert admin.post(f"{SCHOOL}/classes/1/staff", data={"staff": ["x"]}).status_code == 400
    assert one(app, "SELECT count(*) FROM staff_classes WHERE staff_id = ?", [other])[0] == 0
    # And they cannot manage classes themselves.
    assert ta.get(f"{SCHOOL}/classes").status_code == 403


# Adding and editing learners.

@pytest.mark.parametrize("name", ["Łucja Nowak", "محمد", "Siân O'Neill-Jones"])
def test_an_admin_adds_a_learner_with_a_name_in_any_alphabet(admin, app, name):
    response = add_learner(admin, app, name, avatar="avatar-owl", photo_consent="on", career_group="2",
                           upn=make_upn(1234567))
    assert response.status_code == 302, response.text
    row = query(app, "SELECT * FROM learners WHERE name = ?", [name])[0]
    assert row["class_id"] == 1 and row["avatar"] == "avatar-owl" and row["career_group"] == 2
    assert row["photo_consent"] == 1 and row["date_of_birth"] == "2012-09" and row["upn"] == make_upn(1234567)
    # A picture code of its own in the class, kept so staff can show it.
    codes = [r["code"] for r in query(app, "SELECT code FROM learners WHERE class_id = 1")]
    assert row["code"] and len(set(codes)) == len(codes)
    assert response.headers["Location"].endswith(f"/staff/school/learners/{row['id']}")
    assert name in admin.get(response.headers["Location"]).text.replace("&#39;", "'")
    assert name in admin.get("/staff/classes/1").text.replace("&#39;", "'")
    # Found by any part of the name, in any case: Python's casefold, not SQLite's A to Z.
    found = admin.get("/staff/", query_string={"q": name.split()[0].swapcase()})
    assert found.status_code == 200 and name in found.text.replace("&#39;", "'")
    assert name in app.test_client().get("/sign-in/class/1").text.replace("&#39;", "'")
    assert query(app, "SELECT action FROM audit_log WHERE learner_id = ?", [row["id"]]) == [{"action": "added"}]
    # They sign in with it.
    learner = app.test_client()
    assert enter_code(learner, row["id"], re.findall(r"code-[a-z]+", row["code"])).status_code == 302


def test_without_a_chosen_picture_one_is_picked_for_them(admin, app):
    assert add_learner(admin, app, "Kai").status_code == 302
    avatar = one(app, "SELECT avatar FROM learners WHERE name = 'Kai'")[0]
    assert avatar.startswith("avatar-") and avatar not in {
        r["avatar"] for r in query(app, "SELECT avatar FROM learners WHERE name != 'Kai'")}


def test_the_add_form_offers_pictures_and_a_month_field(admin, app):
    page = admin.get(f"{SCHOOL}/learners/new?class_id=1").text
    assert 'type="month"' in page and "pattern=" not in page
    assert 'type="radio" name="avatar" value="avatar-fox"' in page and "/symbols/avatar-fox" in page
    assert '<option value="1" selected>' in page
    for field in ("name", "date_of_birth", "upn", "admission_number", "class_id"):
        assert f'for="{field}"' in page


@pytest.mark.parametrize("fields, field, words", [
    ({"name": "<script>alert(1)</script>"}, "name", "letters, spaces"),
    ({"name": "=HYPERLINK(\"http://x\")"}, "name", "letters, spaces"),
    ({"name": "@SUM(A1)"}, "name", "letters, spaces"),
    ({"name": ""}, "name", "Please give a name"),
    ({"date_of_birth": f"{date.today().year + 1}-01"}, "date_of_birth", "in the future"),
    ({"date_of_birth": "soon"}, "date_of_birth", "Please give the date of birth"),
    ({"class_id": "999"}, "class_id", "choose a class"),
    ({"career_group": "3"}, "career_group", "Career SEND Group 1 or 2"),
    ({"avatar": "nav-home"}, "avatar", "one of the pictures"),
    ({"upn": "A12345678901"}, "upn", "13 characters"),
    ({"admission_number": "=1+1"}, "admission_number", "letters and digits"),
])
def test_bad_details_are_refused_next_to_their_field(admin, app, fields, field, words):
    data = {"name": "Nia", "class_id": "1", "career_group": "1", "date_of_birth": "2012-09", **fields}
    before = one(app, "SELECT count(*) FROM learners")[0]
    response = admin.post(f"{SCHOOL}/learners/new", data=data)
    assert response.status_code == 400
    assert words in error_of(response, field) and f'aria-describedby="{field}' in response.text.replace(
        'aria-describedby="date_of_birth-hint ', 'aria-describedby="').replace('aria-describedby="upn-hint ', 'aria-describedby="')
    assert one(app, "SELECT count(*) FROM learners")[0] == before


def test_a_upn_is_unique_in_the_school_never_reused_and_checked(admin, app):
    upn = make_upn(55501)
    assert add_learner(admin, app, "Ola", upn=upn, admission_number="A-17").status_code == 302
    response = add_learner(admin, app, "Ola Two", upn=upn)
    assert response.status_code == 400 and "already has this number" in error_of(response, "upn")
    response = add_learner(admin, app, "Ola Two", admission_number="A-17")
    assert response.status_code == 400 and "already has this number" in error_of(response, "admission_number")
    wrong = ("B" if upn[0] != "B" else "C") + upn[1:]
    response = add_learner(admin, app, "Ola Two", upn=wrong)
    assert response.status_code == 400 and "first letter does not match" in error_of(response, "upn")
    # Lower case and spaces as typed are tidied.
    assert add_learner(admin, app, "Ola Three", upn=" " + make_upn(55502).lower()[:6] + " " + make_upn(55502)[6:]).status_code == 302
    assert one(app, "SELECT upn FROM learners WHERE name = 'Ola Three'")[0] == make_upn(55502)
    # Erased: the number is never given to another learner.
    ola = learner_id(app, "Ola")
    assert admin.post(f"/staff/learners/{ola}/erase", data={"confirm_name": "Ola"}).status_code == 302
    response = add_learner(admin, app, "Ola Four", upn=upn)
    assert response.status_code == 400 and "never given to another" in error_of(response, "upn")
    response = add_learner(admin, app, "Ola Four", admission_number="A-17")
    assert response.status_code == 400 and "never given to another" in error_of(response, "admission_number")
    # Another school's learner (still there) has this one.
    other = make_upn(77701)
    with app.app_context():
        db = get_db()
        elm = db["schools"].insert({"name": "Elm School"}).last_pk
        elm_class = db["classes"].insert({"school_id": elm, "name": "Elm 1"}).last_pk
        db["learners"].insert({"school_id": elm, "class_id": elm_class, "name": "Eli", "avatar": "avatar-fox",
                               "code_hash": "", "upn": other})
    response = add_learner(admin, app, "Ola Five", upn=other)
    assert response.status_code == 400 and "another school" in error_of(response, "upn")


def test_details_are_edited_on_the_details_page_the_one_place(admin, app):
    amira = learner_id(app, "Amira")
    portfolio = admin.get(f"/staff/learners/{amira}").text
    assert 'name="date_of_birth"' not in portfolio and 'name="left_on"' not in portfolio
    assert f"/staff/school/learners/{amira}" in portfolio
    page = admin.get(f"{SCHOOL}/learners/{amira}")
    assert page.status_code == 200 and 'name="date_of_birth"' in page.text and 'value="2009-03"' in page.text
    data = {"name": "Amira K", "date_of_birth": "2010-01", "avatar": "avatar-fox", "upn": make_upn(4242),
            "admission_number": ""}
    assert admin.post(f"{SCHOOL}/learners/{amira}", data=data).status_code == 302
    row = query(app, "SELECT * FROM learners WHERE id = ?", [amira])[0]
    assert (row["name"], row["date_of_birth"], row["upn"], row["admission_number"]) == (
        "Amira K", "2010-01", make_upn(4242), None)
    assert query(app, "SELECT action FROM audit_log WHERE learner_id = ? AND action LIKE 'details%'", [amira]) == [
        {"action": "details changed: name, month of birth, UPN"}]
    # The portfolio's settings no longer touch the month of birth.
    assert admin.post(f"/staff/learners/{amira}/settings", data={"career_group": "1", "choices": "2"}).status_code == 302
    assert one(app, "SELECT date_of_birth FROM learners WHERE id = ?", [amira])[0] == "2010-01"
    for bad in ({"date_of_birth": "2099-01"}, {"date_of_birth": "2011-04-17x"}, {"name": "<b>"}, {"avatar": ""}):
        response = admin.post(f"{SCHOOL}/learners/{amira}", data=dict(data, **bad))
        assert response.status_code == 400
    # Its own UPN is not a duplicate of itself.
    assert admin.post(f"{SCHOOL}/learners/{amira}", data=data).status_code == 302
    # A teacher reads the details; only an admin changes them.
    teacher = app.test_client()
    sign_in_as(teacher, app, "staff")
    page = teacher.get(f"{SCHOOL}/learners/{amira}")
    assert page.status_code == 200 and "Only an admin can change these details." in page.text
    assert teacher.post(f"{SCHOOL}/learners/{amira}", data=data).status_code == 403


def test_a_learner_moves_class_and_gets_a_new_code_only_if_it_clashes(admin, app):
    add_class(admin, "Class 5 (Birch)")
    birch = class_id(app, "Class 5 (Birch)")
    add_learner(admin, app, "Yusuf", "Class 5 (Birch)")
    amira, ben = learner_id(app, "Amira"), learner_id(app, "Ben")
    assert admin.post(f"{SCHOOL}/learners/{amira}/class", data={"class_id": birch}).status_code == 302
    row = query(app, "SELECT class_id, code FROM learners WHERE id = ?", [amira])[0]
    assert row == {"class_id": birch, "code": "code-cat-code-sun-code-tree"}
    # Ben's code is Yusuf's: moved, he gets a new one nobody in the class has.
    with app.app_context():
        get_db().execute("UPDATE learners SET code = 'code-dog-code-apple-code-car' WHERE name = 'Yusuf'")
    response = admin.post(f"{SCHOOL}/learners/{ben}/class", data={"class_id": birch}, follow_redirects=True)
    assert "has a new one" in response.text
    codes = [r["code"] for r in query(app, "SELECT code FROM learners WHERE class_id = ?", [birch])]
    assert len(codes) == 3 and len(set(codes)) == 3 and "code-dog-code-apple-code-car" in codes
    assert query(app, "SELECT action FROM audit_log WHERE learner_id = ? AND action LIKE 'moved%'", [ben]) == [
        {"action": "moved from Class 4 (Maple) to Class 5 (Birch)"}]
    for bad in ("", "999", str(birch)):
        assert admin.post(f"{SCHOOL}/learners/{ben}/class", data={"class_id": bad}).status_code == 400


# Picture codes.

def test_teachers_show_a_code_and_a_reset_stops_the_old_one_at_once(client, app):
    amira = learner_id(app, "Amira")
    tablet = app.test_client()
    sign_in_as(tablet, app, "learner", "Amira")
    assert tablet.get("/home").status_code == 200
    sign_in_as(client, app, "staff")
    page = client.get(f"{SCHOOL}/learners/{amira}/code")
    words = text_of(page)
    assert page.status_code == 200 and words.index("Cat") < words.index("Sun") < words.index("Tree")
    assert [m for m in re.findall(r"/symbols/(code-[a-z]+)", page.text)] == ["code-cat", "code-sun", "code-tree"]
    assert client.post(f"{SCHOOL}/learners/{amira}/code").status_code == 302
    new = one(app, "SELECT code FROM learners WHERE id = ?", [amira])[0]
    assert new != "code-cat-code-sun-code-tree"
    assert new not in {r["code"] for r in query(app, "SELECT code FROM learners WHERE id != ? AND class_id = 1", [amira])}
    assert tablet.get("/home").status_code == 302  # signed out everywhere
    old = enter_code(app.test_client(), amira, demo_code("Amira"))
    assert old.status_code == 200 and "not quite right" in old.text
    assert enter_code(app.test_client(), amira, re.findall(r"code-[a-z]+", new)).status_code == 302
    assert "picture code reset" in {r["action"] for r in query(app, "SELECT action FROM audit_log WHERE learner_id = ?", [amira])}


def test_a_code_made_before_codes_were_kept_is_not_shown(client, app):
    amira = learner_id(app, "Amira")
    with app.app_context():
        get_db().execute("UPDATE learners SET code = NULL, code_hash = 'old-hash' WHERE id = ?", [amira])
    sign_in_as(client, app, "staff")
    assert "Not shown" in text_of(client.get(f"{SCHOOL}/learners/{amira}/code"))
    client.post(f"{SCHOOL}/learners/{amira}/code")
    assert "Not shown" not in text_of(client.get(f"{SCHOOL}/learners/{amira}/code"))


def test_teaching_assistants_neither_see_nor_reset_codes(app):
    ta = app.test_client()
    ta_id = new_assistant(app, ta)
    with app.app_context():
        get_db()["staff_classes"].insert({"staff_id": ta_id, "class_id": 1})
    amira = learner_id(app, "Amira")
    assert ta.get(f"{SCHOOL}/learners/{amira}/code").status_code == 403
    assert ta.post(f"{SCHOOL}/learners/{amira}/code").status_code == 403
    assert one(app, "SELECT code FROM learners WHERE id = ?", [amira])[0] == "code-cat-code-sun-code-tree"


# Leaving.

def badge_for(app, learner):
    with app.app_context():
        get_db()["badges"].insert({"learner_id": learner, "secret_hash": token_hash("amira-badge-secret"),
                                   "issued_at": now()})
    return "amira-badge-secret"


def test_a_learner_who_has_left_cannot_sign_in_and_their_record_is_read_only(admin, app):
    amira = learner_id(app, "Amira")
    secret = badge_for(app, amira)
    tablet = app.test_client()
    sign_in_as(tablet, app, "learner", "Amira")
    response = admin.post(f"{SCHOOL}/learners/{amira}/left", data={"left_on": THIS_MONTH})
    assert response.status_code == 302
    assert one(app, "SELECT left_on FROM learners WHERE id = ?", [amira])[0] == THIS_MONTH
    assert tablet.get("/home").status_code == 302  # their open sessions ended
    signed_out = app.test_client()
    assert "Amira" not in signed_out.get("/sign-in/class/1").text
    for response in (enter_code(signed_out, amira, demo_code("Amira")), signed_out.get(f"/sign-in/learner/{amira}"),
                     signed_out.get(f"/badge/{secret}"), signed_out.post("/badge", data={"secret": secret})):
        assert response.status_code == 403 and "You have left the school" in text_of(response)
    assert signed_out.get("/home").status_code == 302
    # Staff read the record...
    for url in (f"/staff/learners/{amira}", f"/staff/learners/{amira}/passport", f"{SCHOOL}/learners/{amira}",
                f"{SCHOOL}/learners/left"):
        assert admin.get(url).status_code == 200, url
    assert "Amira" in admin.get(f"{SCHOOL}/learners/left").text
    assert "Amira" not in text_of(admin.get("/staff/")).split("Preview an activity")[0]
    # ...but cannot change it.
    session = admin.post("/staff/classes/1/sessions/new", data={"job": ["nurse"]}).headers["Location"].rsplit("/", 1)[1]
    writes = [
        (f"/staff/learners/{amira}/observations", {"job": "nurse", "reaction": "liked"}),
        (f"/staff/learners/{amira}/private-notes", {"text": "A note"}),
        (f"/staff/learners/{amira}/send-details", {"send_details": "Needs"}),
        (f"/staff/learners/{amira}/settings", {"career_group": "1", "choices": "2"}),
        (f"/staff/learners/{amira}/a/all-about-me/mine/start", {}),
        (f"/staff/learners/{amira}/a/all-about-me/mine/1", {"choice": "x"}),
        (f"/staff/learners/{amira}/passport/new", {"kind": "tried", "what": "A visit", "happened_on": "2026-01-01"}),
        (f"/staff/learners/{amira}/passport/pages/1/notes", {"text": "Well done"}),
        (f"/staff/learners/{amira}/passport/pages/1/notes/1/hide", {}),
        (f"/staff/learners/{amira}/photos/1/people", {}),
        (f"/staff/learners/{amira}/recordings/1/transcript", {"transcript": "Hello"}),
        (f"/staff/sessions/{session}/answer", {"learner": str(amira), "job": "nurse"}),
        (f"{SCHOOL}/learners/{amira}", {"name": "Amira", "avatar": "avatar-fox"}),
        (f"{SCHOOL}/learners/{amira}/class", {"class_id": "1"}),
        (f"{SCHOOL}/learners/{amira}/code", {}),
    ]
    for url, data in writes:
        response = admin.post(url, data=data)
        assert response.status_code == 409, (url, response.status_code)
        assert "Amira has left the school, so their record can be read but not changed." in text_of(response), url
    assert one(app, "SELECT count(*) FROM staff_notes")[0] == 0
    audit = [r["action"] for r in query(app, "SELECT action FROM audit_log WHERE learner_id = ?", [amira])]
    assert f"marked as left ({THIS_MONTH})" in audit
    # Taken back: she signs in again, and staff change her record again.
    assert admin.post(f"{SCHOOL}/learners/{amira}/back").status_code == 302
    assert one(app, "SELECT left_on FROM learners WHERE id = ?", [amira])[0] is None
    assert enter_code(app.test_client(), amira, demo_code("Amira")).status_code == 302
    assert app.test_client().get(f"/badge/{secret}").status_code == 200
    assert admin.post(f"/staff/learners/{amira}/private-notes", data={"text": "Back"}).status_code == 302
    assert "taken back (had been marked as left, " + THIS_MONTH + ")" in [
        r["action"] for r in query(app, "SELECT action FROM audit_log WHERE learner_id = ?", [amira])]
    assert admin.post(f"{SCHOOL}/learners/{amira}/back").status_code == 400  # not marked as left now


def test_a_learner_leaving_in_a_later_month_signs_in_until_then(admin, app):
    amira = learner_id(app, "Amira")
    tablet = app.test_client()
    sign_in_as(tablet, app, "learner", "Amira")
    assert admin.post(f"{SCHOOL}/learners/{amira}/left", data={"left_on": NEXT_YEAR}).status_code == 302
    assert tablet.get("/home").status_code == 200
    assert enter_code(app.test_client(), amira, demo_code("Amira")).status_code == 302
    assert admin.post(f"/staff/learners/{amira}/private-notes", data={"text": "Still here"}).status_code == 302
    page = admin.get(f"{SCHOOL}/learners/left")
    assert "Amira" in page.text and "still here until then" in page.text
    # The month typed as a browser without a month picker might send it.
    assert admin.post(f"{SCHOOL}/learners/{amira}/left", data={"left_on": "07/2026"}).status_code == 302
    assert one(app, "SELECT left_on FROM learners WHERE id = ?", [amira])[0] == "2026-07"


@pytest.mark.parametrize("bad", ["July", "2026-13", "1890-01", f"{date.today().year + 5}-01", "2026-07-01", ""])
def test_a_bad_month_of_leaving_is_refused(admin, app, bad):
    amira = learner_id(app, "Amira")
    response = admin.post(f"{SCHOOL}/learners/{amira}/left", data={"left_on": bad})
    assert response.status_code == 400 and "the month they left" in error_of(response, "left_on")
    assert one(app, "SELECT left_on FROM learners WHERE id = ?", [amira])[0] is None


def test_only_admins_mark_learners_as_left(client, app):
    amira = learner_id(app, "Amira")
    sign_in_as(client, app, "staff")
    assert client.post(f"{SCHOOL}/learners/{amira}/left", data={"left_on": THIS_MONTH}).status_code == 403
    assert client.post(f"{SCHOOL}/learners/{amira}/back").status_code == 403
    assert client.get(f"{SCHOOL}/learners/left").status_code == 200  # but read who has left


def test_a_full_class_refuses_one_more_learner_kindly(app, client, monkeypatch):
    from student_app.school import records

    monkeypatch.setattr(records, "CLASS_SIZE_LIMIT", 8)  # Class 4 has 8 learners
    sign_in_as(client, app, "admin")
    response = client.post(f"{SCHOOL}/learners/new", data={"name": "Zoë Price", "class_id": "1", "career_group": "1",
                                                           "avatar": "avatar-bee"})
    assert response.status_code == 400 and "at most 8 learners" in text_of(response)
    assert one(app, "SELECT count(*) FROM learners WHERE name = 'Zoë Price'")[0] == 0


def test_a_class_and_a_passport_each_have_a_title_of_their_own_in_each_staff_version(admin, app):
    """issue 20: a page's staff versions are told apart by their titles (a tab, a history)."""
    def title(url):
        response = admin.get(url)
        assert response.status_code == 200, url
        return re.search(r"<title>(.*?)</title>", response.text, re.S)[1].strip()

    ben = learner_id(app, "Ben")
    assert title("/staff/classes/1") != title(f"{SCHOOL}/classes/1")
    assert title(f"/staff/learners/{ben}/passport") != title(f"/staff/learners/{ben}/passport/print")
    assert title(f"/staff/learners/{ben}/passport/print").startswith("Passport of Ben, ready to print")
