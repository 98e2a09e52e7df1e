"""The end of the year (issue 12): move every class up in one step after a preview that writes
nothing, and mark a whole list of learners as left. All through HTTP."""

import re

import pytest

from student_app.db import get_db
from student_app.school.year_end import next_name
from tests.conftest import demo_code, enter_code, learner_id, sign_in_as, text_of
from tests.test_school_classes import SCHOOL, THIS_MONTH, NEXT_YEAR, add_class, add_learner, class_id, error_of, new_assistant, one, query

DEMO = ("Amira", "Ben", "Chloe", "Dylan", "Ellie", "Farhan", "Grace", "Harry")


@pytest.fixture
def admin(client, app):
    sign_in_as(client, app, "admin")
    return client


def snapshot(app):
    """Everything a move up or leavers step would change."""
    return (query(app, "SELECT * FROM classes ORDER BY id"), query(app, "SELECT id, class_id, code, left_on FROM learners ORDER BY id"),
            query(app, "SELECT * FROM staff_classes ORDER BY staff_id, class_id"), one(app, "SELECT count(*) FROM audit_log")[0],
            one(app, "SELECT count(*) FROM sign_ins")[0])


@pytest.mark.parametrize("name, guess", [
    ("Class 4 (Maple)", "Class 5 (Maple)"), ("Year 11", "Year 12"), ("9B", "10B"), ("Sixth form", None),
    ("Klasa 3 Ą", "Klasa 4 Ą"),
])
def test_next_years_name_is_guessed_from_the_number_in_it(name, guess):
    assert next_name(name) == guess


def test_the_move_up_page_guesses_next_years_names(admin, app):
    add_class(admin, "Sixth form")
    page = admin.get(f"{SCHOOL}/year-end")
    assert page.status_code == 200
    maple, sixth = class_id(app, "Class 4 (Maple)"), class_id(app, "Sixth form")
    assert f'name="name_{maple}" value="Class 5 (Maple)"' in page.text
    assert re.search(rf'name="do_{maple}" value="move" checked', page.text)
    assert re.search(rf'name="do_{sixth}" value="keep" checked', page.text)
    assert "8 learners" in page.text and 'type="month"' in page.text
    for field in (f"name_{maple}", "left_on"):
        assert f'for="{field}"' in page.text


def move_up_args(app, **choices):
    """do_<id>/name_<id> for each class, from {class name: (choice, next name)}."""
    args = {"left_on": THIS_MONTH}
    for name, (do, new) in choices.items():
        found = class_id(app, name)
        args[f"do_{found}"], args[f"name_{found}"] = do, new
    return args


def test_the_preview_writes_nothing_and_the_commit_moves_everyone_in_one_step(admin, app):
    ta = app.test_client()
    ta_id = new_assistant(app, ta)
    maple = class_id(app, "Class 4 (Maple)")
    with app.app_context():
        get_db()["staff_classes"].insert({"staff_id": ta_id, "class_id": maple})
    # Harry left already: he stays with last year's class.
    harry = learner_id(app, "Harry")
    admin.post(f"{SCHOOL}/learners/{harry}/left", data={"left_on": "2026-01"})
    tablet = app.test_client()
    sign_in_as(tablet, app, "learner", "Amira")
    before = snapshot(app)
    args = move_up_args(app, **{"Class 4 (Maple)": ("move", "Class 5 (Maple)")})
    preview = admin.get(f"{SCHOOL}/year-end/preview", query_string=args)
    assert preview.status_code == 200
    words = text_of(preview).split("Nothing has changed yet")[1]
    assert "To Class 5 (Maple) (a new class)" in words and "From Class 4 (Maple)" in words
    assert all(name in words for name in DEMO[:-1]) and "Harry" not in words
    assert "Made: Class 5 (Maple)" in words and "Archived: Class 4 (Maple)" in words
    assert snapshot(app) == before
    response = admin.post(f"{SCHOOL}/year-end", data=args, follow_redirects=True)
    assert response.status_code == 200 and "7 learners moved" in text_of(response)
    new = class_id(app, "Class 5 (Maple)")
    assert new != maple and one(app, "SELECT archived_at FROM classes WHERE id = ?", [maple])[0]
    assert {r["name"] for r in query(app, "SELECT name FROM learners WHERE class_id = ?", [new])} == set(DEMO[:-1])
    assert one(app, "SELECT class_id FROM learners WHERE id = ?", [harry])[0] == maple
    # Codes are kept (nobody new joined), so everyone signs in as before; the class they choose is the new one.
    assert tablet.get("/home").status_code == 200
    signed_out = app.test_client()
    assert signed_out.get("/sign-in").headers["Location"].endswith(f"/sign-in/class/{new}")
    assert enter_code(signed_out, learner_id(app, "Ben"), demo_code("Ben")).status_code == 302
    # The assistant follows the class.
    assert {r["class_id"] for r in query(app, "SELECT class_id FROM staff_classes WHERE staff_id = ?", [ta_id])} == {maple, new}
    assert "Amira" in ta.get("/staff/").text
    audit = query(app, "SELECT learner_name, action FROM audit_log WHERE action LIKE 'moved up%'")
    assert len(audit) == 7 and audit[0]["action"] == "moved up from Class 4 (Maple) to Class 5 (Maple)"
    # The same form again: the old class is archived, so nothing is there to move.
    assert admin.post(f"{SCHOOL}/year-end", data=args).status_code == 400


def test_going_back_from_the_preview_keeps_the_choices(admin, app):
    import html

    args = move_up_args(app, **{"Class 4 (Maple)": ("move", "Class 5 (Oak)")})
    preview = admin.get(f"{SCHOOL}/year-end/preview", query_string=args).text
    back = html.unescape(re.search(r'href="([^"]*)">Go back and change the choices', preview).group(1))
    page = admin.get(back).text
    maple = class_id(app, "Class 4 (Maple)")
    assert re.search(rf'name="name_{maple}"[^>]*value="Class 5 \(Oak\)"|value="Class 5 \(Oak\)"[^>]*name="name_{maple}"', page)
    assert "Class 5 (Maple)" not in page


def test_every_class_moves_up_at_once_and_names_pass_on(admin, app):
    """Class 4 becomes Class 5 while last year's Class 5 becomes Class 6: the new Class 5 is a
    new class, not last year's."""
    add_class(admin, "Class 5 (Birch)")
    add_learner(admin, app, "Łucja Nowak", "Class 5 (Birch)")
    old_birch = class_id(app, "Class 5 (Birch)")
    args = move_up_args(app, **{"Class 4 (Maple)": ("move", "Class 5 (Birch)"),
                                "Class 5 (Birch)": ("move", "Class 6 (Birch)")})
    preview = text_of(admin.get(f"{SCHOOL}/year-end/preview", query_string=args))
    assert "To Class 5 (Birch) (a new class)" in preview and "To Class 6 (Birch) (a new class)" in preview
    assert admin.post(f"{SCHOOL}/year-end", data=args).status_code == 302
    new_birch = class_id(app, "Class 5 (Birch)")
    assert new_birch != old_birch
    assert one(app, "SELECT count(*) FROM learners WHERE class_id = ?", [new_birch])[0] == 8
    assert query(app, "SELECT c.name FROM learners l JOIN classes c ON c.id = l.class_id WHERE l.name = 'Łucja Nowak'") == [
        {"name": "Class 6 (Birch)"}]
    assert one(app, "SELECT count(*) FROM classes WHERE archived_at IS NULL")[0] == 2


def test_a_class_joining_a_class_that_stays_gets_new_codes_where_they_clash(admin, app):
    add_class(admin, "Sixth form")
    add_learner(admin, app, "Yusuf", "Sixth form")
    sixth = class_id(app, "Sixth form")
    with app.app_context():
        get_db().execute("UPDATE learners SET code = 'code-cat-code-sun-code-tree' WHERE name = 'Yusuf'")
    args = move_up_args(app, **{"Class 4 (Maple)": ("move", "sixth FORM"), "Sixth form": ("keep", "Sixth form")})
    preview = text_of(admin.get(f"{SCHOOL}/year-end/preview", query_string=args))
    assert "(a class already there)" in preview and "new picture code" in preview and "Amira" in preview
    assert admin.post(f"{SCHOOL}/year-end", data=args).status_code == 302
    codes = [r["code"] for r in query(app, "SELECT code FROM learners WHERE class_id = ?", [sixth])]
    assert len(codes) == 9 and len(set(codes)) == 9
    assert one(app, "SELECT code FROM learners WHERE name = 'Yusuf'")[0] == "code-cat-code-sun-code-tree"
    assert one(app, "SELECT archived_at FROM classes WHERE id = ?", [sixth])[0] is None


def test_a_class_whose_learners_leave_is_archived_and_they_are_signed_out(admin, app):
    add_class(admin, "Year 14")
    add_learner(admin, app, "محمد", "Year 14")
    leaver = learner_id(app, "محمد")
    args = move_up_args(app, **{"Class 4 (Maple)": ("keep", ""), "Year 14": ("leave", "")})
    preview = text_of(admin.get(f"{SCHOOL}/year-end/preview", query_string=args))
    assert "Leaving the school in" in preview and "محمد" in preview and "Archived: Year 14" in preview
    assert admin.post(f"{SCHOOL}/year-end", data=args).status_code == 302
    assert one(app, "SELECT left_on FROM learners WHERE id = ?", [leaver])[0] == THIS_MONTH
    assert one(app, "SELECT archived_at FROM classes WHERE name = 'Year 14'")[0]
    assert one(app, "SELECT count(*) FROM learners WHERE class_id = 1 AND left_on IS NULL")[0] == 8
    assert query(app, "SELECT action FROM audit_log WHERE learner_id = ?", [leaver])[-1]["action"] == (
        f"marked as left ({THIS_MONTH}) at the end of the year")


def test_a_leaver_taken_back_after_the_year_end_comes_back_into_a_current_class(admin, app):
    """Their class was archived when they left: taking them back asks for a current class, or
    they would have no class to find on the sign-in screen."""
    add_class(admin, "Year 14")
    add_learner(admin, app, "Siân Jones", "Year 14")
    sian = learner_id(app, "Siân Jones")
    admin.post(f"{SCHOOL}/year-end", data=move_up_args(app, **{"Class 4 (Maple)": ("keep", ""), "Year 14": ("leave", "")}))
    page = admin.get(f"{SCHOOL}/learners/{sian}")
    assert 'name="class_id"' in page.text and "The class they come back to" in text_of(page)
    refused = admin.post(f"{SCHOOL}/learners/{sian}/back")
    assert refused.status_code == 400 and "Their class has been archived" in text_of(refused)
    assert one(app, "SELECT left_on FROM learners WHERE id = ?", [sian])[0] == THIS_MONTH
    assert admin.post(f"{SCHOOL}/learners/{sian}/back", data={"class_id": "1"}).status_code == 302
    assert one(app, "SELECT class_id, left_on FROM learners WHERE id = ?", [sian]) == (1, None)
    code = one(app, "SELECT code FROM learners WHERE id = ?", [sian])[0]
    assert one(app, "SELECT count(*) FROM learners WHERE class_id = 1 AND code = ?", [code])[0] == 1


@pytest.mark.parametrize("do, name, field, words", [
    ("move", "", "name", "Please give the class a name"),
    ("move", "=cmd()", "name", "cannot start with"),
    ("move", "class 4 (MAPLE)", "name", "this year's name"),
    ("maybe", "Class 5", "do", "Please choose what happens"),
])
def test_bad_move_up_choices_are_refused_next_to_their_field(admin, app, do, name, field, words):
    before = snapshot(app)
    maple = class_id(app, "Class 4 (Maple)")
    args = {f"do_{maple}": do, f"name_{maple}": name, "left_on": THIS_MONTH}
    response = admin.get(f"{SCHOOL}/year-end/preview", query_string=args)
    assert response.status_code == 400 and words in error_of(response, f"{field}_{maple}").replace("&#39;", "'")
    assert admin.post(f"{SCHOOL}/year-end", data=args).status_code == 400
    assert snapshot(app) == before


def test_leavers_at_the_end_of_the_year_leave_this_month_or_before(admin, app):
    maple = class_id(app, "Class 4 (Maple)")
    args = {f"do_{maple}": "leave", f"name_{maple}": "", "left_on": NEXT_YEAR}
    response = admin.get(f"{SCHOOL}/year-end/preview", query_string=args)
    assert response.status_code == 400 and "this month or before" in error_of(response, "left_on")


def test_leavers_are_marked_as_left_in_bulk_after_a_preview(admin, app):
    amira, ben, chloe = (learner_id(app, name) for name in ("Amira", "Ben", "Chloe"))
    tablets = {}
    for name in ("Amira", "Chloe"):
        tablets[name] = app.test_client()
        sign_in_as(tablets[name], app, "learner", name)
    page = admin.get(f"{SCHOOL}/leavers")
    assert page.status_code == 200 and f'value="{amira}"' in page.text and f'value="{THIS_MONTH}"' in page.text
    before = snapshot(app)
    args = {"learner": [str(amira), str(ben)], "left_on": THIS_MONTH}
    preview = admin.get(f"{SCHOOL}/leavers/preview", query_string=args)
    words = text_of(preview)
    assert preview.status_code == 200 and "2 learners leave in" in words and "Amira" in words and "Ben" in words
    assert "Chloe" not in words
    assert snapshot(app) == before
    assert admin.post(f"{SCHOOL}/leavers", data=args).status_code == 302
    assert {r["name"]: r["left_on"] for r in query(app, "SELECT name, left_on FROM learners WHERE id IN (?, ?, ?)",
                                                   [amira, ben, chloe])} == {"Amira": THIS_MONTH, "Ben": THIS_MONTH, "Chloe": None}
    assert tablets["Amira"].get("/home").status_code == 302 and tablets["Chloe"].get("/home").status_code == 200
    assert enter_code(app.test_client(), ben, demo_code("Ben")).status_code == 403
    assert len(query(app, "SELECT * FROM audit_log WHERE action = ?", [f"marked as left ({THIS_MONTH})"])) == 2
    # Those who have left are not offered again.
    assert f'value="{amira}"' not in admin.get(f"{SCHOOL}/leavers").text
    assert admin.get(f"{SCHOOL}/leavers/preview", query_string=args).status_code == 400


def test_leavers_in_a_later_month_sign_in_until_then(admin, app):
    chloe = learner_id(app, "Chloe")
    tablet = app.test_client()
    sign_in_as(tablet, app, "learner", "Chloe")
    assert "can sign in until that month" in text_of(admin.get(
        f"{SCHOOL}/leavers/preview", query_string={"learner": str(chloe), "left_on": NEXT_YEAR}))
    assert admin.post(f"{SCHOOL}/leavers", data={"learner": str(chloe), "left_on": NEXT_YEAR}).status_code == 302
    assert tablet.get("/home").status_code == 200
    assert one(app, "SELECT left_on FROM learners WHERE id = ?", [chloe])[0] == NEXT_YEAR


def test_bad_lists_of_leavers_are_refused(admin, app):
    with app.app_context():
        db = get_db()
        elm = db["schools"].insert({"name": "Elm School"}).last_pk
        elm_class = db["classes"].insert({"school_id": elm, "name": "Elm 1"}).last_pk
        other = db["learners"].insert({"school_id": elm, "class_id": elm_class, "name": "Eli", "avatar": "avatar-fox",
                                       "code_hash": ""}).last_pk
    amira = learner_id(app, "Amira")
    before = snapshot(app)
    for args, field in (({"left_on": THIS_MONTH}, "learner"), ({"learner": str(other), "left_on": THIS_MONTH}, "learner"),
                        ({"learner": "x", "left_on": THIS_MONTH}, "learner"), ({"learner": str(amira), "left_on": "July"}, "left_on")):
        response = admin.get(f"{SCHOOL}/leavers/preview", query_string=args)
        assert response.status_code == 400 and error_of(response, field), args
        assert admin.post(f"{SCHOOL}/leavers", data=args).status_code == 400
    assert snapshot(app) == before


def test_the_end_of_the_year_is_for_admins(client, app):
    sign_in_as(client, app, "staff")
    for url in ("/year-end", "/year-end/preview", "/leavers", "/leavers/preview"):
        assert client.get(SCHOOL + url).status_code == 403
    for url in ("/year-end", "/leavers"):
        assert client.post(SCHOOL + url).status_code == 403
