"""Importing learners from an MIS export: reading the file, the plan of every row, the admin's
upload, preview and confirm, and `flask learners import`."""

import os
import stat
from pathlib import Path

import pytest
from student_app.passwords import hashed

from student_app.db import get_db
from student_app.school import importer, records
from tests.conftest import sign_in_as, sign_in_staff, text_of
from tests.test_bad_input import csrf_app, csrf_staff_sign_in, token  # noqa: F401 (a fixture)
from tests.test_durability import multipart

HEADER = "Name,Date of birth,Class,UPN"


def upn(number):
    """A valid UPN: its check letter, then 12 digits."""
    rest = f"{number:012d}"
    return records.upn_check_letter(rest) + rest


def csv_file(*lines, header=HEADER, sep=",", ending="\r\n", bom=False):
    text = ending.join(line.replace(",", sep) for line in [header, *lines]) + ending
    return ("\ufeff" if bom else "").encode() + text.encode()


def learners(app):
    with app.app_context():
        return {row["name"]: row for row in get_db().query("SELECT * FROM learners ORDER BY id")}


def classes(app):
    with app.app_context():
        return [row["name"] for row in get_db().query("SELECT name FROM classes ORDER BY id")]


def plan_of(app, data, make_classes=True, school_id=1):
    with app.app_context():
        return importer.plan(get_db(), school_id, importer.read_rows(data), make_classes=make_classes)


def by_line(plan):
    return {row.line: row for row in plan.rows}


def other_school_with(app, number):
    with app.app_context():
        db = get_db()
        school = db["schools"].insert({"name": "Elm School"}).last_pk
        group = db["classes"].insert({"school_id": school, "name": "Elm 1"}).last_pk
        db["learners"].insert({"school_id": school, "class_id": group, "name": "Someone Else", "avatar": "avatar-fox",
                               "code_hash": "", "code": "code-cat-code-cat-code-cat", "upn": number})
    return school


@pytest.fixture
def admin(client, app):
    sign_in_as(client, app, "admin")
    return client


def upload(client, data, make_classes=True, filename="learners.csv", **fields):
    # The body is built here as bytes: the test client would spool a big one to a file it never closes.
    body, kind = multipart(dict(fields, **({"make_classes": "on"} if make_classes else {})), [("file", filename, data)])
    return client.post("/staff/school/import", data=body, content_type=kind)


def preview(client, data, make_classes=True):
    """Upload `data`; returns the preview's address and page."""
    response = upload(client, data, make_classes)
    assert response.status_code == 303, response.text
    address = response.headers["Location"]
    return address, client.get(address)


def confirm(client, address, page, **form):
    fingerprint = page.text.split('name="plan" value="', 1)[1].split('"', 1)[0]
    return client.post(address, data={"plan": fingerprint, **form})


# Reading the file.

def test_a_bom_semicolons_both_date_forms_header_case_and_blank_trailing_rows():
    data = csv_file("Łucja Nowak;03/09/2012;7B;", "Siân Evans;2012-09-03;7B;", ";;;", "", ";;;",
                    header="  NAME ;date OF birth;CLASS;upn", sep=";", bom=True)
    rows = importer.read_rows(data)
    assert [row.line for row in rows] == [2, 3]
    assert rows[0].values == {"name": "Łucja Nowak", "date_of_birth": "03/09/2012", "class": "7B", "upn": ""}
    assert rows.columns["date_of_birth"] == "date OF birth"
    assert [records.birth_month(row.values["date_of_birth"])[0] for row in rows] == ["2012-09", "2012-09"]


def test_first_and_last_name_columns_aliases_tabs_and_other_columns():
    data = csv_file("Nowak\tŁucja\t3 Oak\tR1\tyes", header="Legal Surname\tLegal Forename\tReg Group\tAdno\tGender",
                    sep="\t")
    rows = importer.read_rows(data)
    assert rows[0].values == {"last_name": "Nowak", "first_name": "Łucja", "class": "3 Oak", "admission_number": "R1"}
    assert rows.ignored == ["Gender"]


def test_windows_1252_and_a_quoted_line_break_keep_physical_line_numbers():
    data = 'Name,Class\r\nSiân Evans,"7\r\nB"\r\nJosé Díaz,7B\r\n'.encode("cp1252")
    rows = importer.read_rows(data)
    assert [(row.line, row.values["name"]) for row in rows] == [(2, "Siân Evans"), (4, "José Díaz")]


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"\r\n \r\n", "empty"),
    (b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), "Excel workbook"),
    (b"Name,Class\x00\r\nA,B\r\n", "not a CSV"),
    (b"\x81\x8d\x8f\x90\xff\xfe\xfd", "not a CSV"),
    (b"Pupil,Form\r\nAmira,7B\r\n", "could not find the learners' names"),
    (b"Forename,Form\r\nAmira,7B\r\n", "could not find the learners' names"),
    (b"Name,Class\r\n", "no learners"),
])
def test_files_we_cannot_import_are_refused_kindly(data, words):
    with pytest.raises(importer.FileRefused, match=words):
        importer.read_rows(data)


def test_more_than_five_thousand_rows_is_refused_naming_the_limit():
    data = csv_file(*[f"Learner {n},2012-01-01,7B," for n in range(10_000)])
    with pytest.raises(importer.FileRefused, match="5,000"):
        importer.read_rows(data)
    assert len(importer.read_rows(csv_file(*[f"A,2012-01-01,7B,"] * 5000))) == 5000


# The plan.

def test_a_plan_adds_new_learners_in_any_alphabet_and_makes_their_class(app):
    data = csv_file(f"Łucja Nowak,03/09/2012,7B,{upn(1)}", "Siân Evans,2012-09-03,7b,", "محمد علي,2011-01-20,7B,")
    plan = plan_of(app, data)
    assert plan.counts == {"add": 3, "update": 0, "unchanged": 0, "error": 0}
    assert plan.new_classes == ["7B"]  # "7b" is the same class
    assert "new class 7B" in by_line(plan)[2].notes


def test_demo_learners_are_found_by_name_and_month_of_birth_and_missing_ones_untouched(app):
    before = learners(app)
    plan = plan_of(app, csv_file("amira,2009-03-14,Class 4 (Maple),", "Ben,2010-11-01,,"))
    rows = by_line(plan)
    assert (rows[2].action, rows[2].learner_id) == ("update", before["Amira"]["id"])
    assert rows[2].changes == [("name", "Amira", "amira")]
    assert (rows[3].action, rows[3].learner_id) == ("unchanged", before["Ben"]["id"])
    assert len(plan.rows) == 2  # the other six demo learners are not in the plan at all


def test_errors_name_the_line_the_column_and_why(app):
    data = csv_file("Amy Future,2999-01-01,7B,", "=HYPERLINK(\"http://x\"),2012-01-01,7B,",
                    "<script>alert(1)</script>,2012-01-01,7B,", "Bad Date,31/31/2012,7B,",
                    "Bad Upn,2012-01-01,7B,A123", "No Class,2012-01-01,,", " @SUM(A1),2012-01-01,7B,",
                    "Tab Cell,2012-01-01,\t=1+1,")
    rows = by_line(plan_of(app, data))
    assert all(row.action == "error" for row in rows.values())
    assert rows[2].errors == [("Date of birth", "This date of birth is in the future. Please check it.")]
    assert rows[3].errors[0][0] == "Name" and "formula" in rows[3].errors[0][1]
    assert rows[4].errors == [("Name", "A name can have letters, spaces, hyphens and apostrophes only.")]
    assert rows[5].errors[0][0] == "Date of birth"
    assert rows[6].errors[0][0] == "UPN"
    assert rows[7].errors[0] == ("Class", "Please give the class of a new learner.")
    assert "formula" in rows[8].errors[0][1] and rows[9].errors[0][0] == "Class"


def test_duplicates_in_the_file_are_errors_on_the_later_row(app):
    data = csv_file(f"Ann Lee,2012-01-01,7B,{upn(5)}", f"Bob Lee,2012-01-01,7B,{upn(5)}",
                    "Cat Lee,2012-02-01,7B,", "CAT LEE,2012-02-28,7B,",
                    f"Dan Lee,2012-03-01,7B,{upn(6)}", f"Dan Lee,2012-03-01,7B,{upn(7)}")
    rows = by_line(plan_of(app, data))
    assert rows[2].action == "add" and rows[4].action == "add"
    assert rows[3].errors == [("UPN", "Line 2 of the file has this number too.")]
    assert rows[5].errors == [("Name", "Line 4 of the file has a learner with the same name and month of birth.")]
    assert rows[6].action == rows[7].action == "add"  # their UPNs say they are two learners


def test_another_schools_upn_is_an_error_and_a_left_one_is_not(app):
    other_school_with(app, upn(9))
    rows = by_line(plan_of(app, csv_file(f"Someone Else,2012-01-01,7B,{upn(9)}")))
    assert rows[2].errors == [("UPN", "This UPN belongs to a learner of another school on this server. "
                                      "Please ask that school to mark them as left first.")]
    with app.app_context():
        get_db().execute("UPDATE learners SET left_on = '2026-07' WHERE upn = ?", [upn(9)])
    assert plan_of(app, csv_file(f"Someone Else,2012-01-01,7B,{upn(9)}")).rows[0].action == "add"


def test_a_name_in_another_unicode_form_or_case_is_the_same_learner(app):
    with app.app_context():
        records.add_learner(get_db(), 1, 1, {"name": "Siân Evans", "date_of_birth": "2012-09"})
    rows = plan_of(app, csv_file("SIA\u0302N EVANS,2012-09-03,,", "siân evans,2012-10-03,,")).rows
    assert rows[0].action == "update" and rows[0].changes == [("name", "Siân Evans", "SIÂN EVANS")]
    assert rows[1].action == "error" and "Class" == rows[1].errors[0][0]  # born another month: a new learner


def test_an_erased_learners_number_is_never_given_again(app):
    with app.app_context():
        records.remember_identifiers(get_db(), {"school_id": 1, "upn": upn(4), "admission_number": "A7"})
    rows = plan_of(app, csv_file(f"Ann Lee,2012-01-01,7B,{upn(4)},A7", header=HEADER + ",Admission number")).rows
    assert [column for column, _why in rows[0].errors] == ["UPN"] and "erased" in rows[0].errors[0][1]


def test_a_strict_import_refuses_an_unknown_class(app):
    rows = by_line(plan_of(app, csv_file("Ann Lee,2012-01-01,7B,", "Bob Lee,2012-01-01,class 4 (maple),"),
                           make_classes=False))
    assert rows[2].action == "error" and rows[2].errors[0][0] == "Class" and "no class called 7B" in rows[2].errors[0][1]
    assert rows[3].action == "add"


def test_two_learners_of_one_name_and_month_need_a_number(app):
    with app.app_context():
        db = get_db()
        for _ in range(2):
            records.add_learner(db, 1, 1, {"name": "Sam Lee", "date_of_birth": "2012-01"})
    rows = plan_of(app, csv_file("Sam Lee,2012-01-09,,")).rows
    assert rows[0].action == "error" and "2 learners have this name" in rows[0].errors[0][1]


def test_apply_refuses_errors_unless_skipped_and_logs_one_entry(app):
    data = csv_file(f"Łucja Nowak,03/09/2012,7B,{upn(1)}", "Amy Future,2999-01-01,7B,")
    plan = plan_of(app, data)
    with app.app_context():
        with pytest.raises(importer.PlanHasErrors):
            importer.apply(get_db(), 1, plan, {"actor_role": "system", "actor_id": 0, "actor_name": "test"})
    assert "Łucja Nowak" not in learners(app)
    with app.app_context():
        result = importer.apply(get_db(), 1, plan, {"actor_role": "system", "actor_id": 0, "actor_name": "test"},
                                skip_errors=True, filename="mis.csv")
        log = list(get_db().query("SELECT * FROM audit_log WHERE action LIKE 'imported%'"))
    assert result == {"added": 1, "updated": 0, "unchanged": 0, "skipped": 1}
    assert [(e["actor_name"], e["action"]) for e in log] == [
        ("test", "imported learners from mis.csv: 1 added, 0 updated, 0 unchanged, 1 skipped")]
    added = learners(app)["Łucja Nowak"]
    assert (added["upn"], added["date_of_birth"], added["career_group"]) == (upn(1), "2012-09", 1)
    assert len(added["code"].split("-")) == 6 and added["avatar"].startswith("avatar-")


def test_moving_into_a_class_where_the_code_is_taken_gives_a_new_code(app):
    before = learners(app)
    with app.app_context():
        db = get_db()
        other = records.find_or_make_class(db, 1, "7B")
        records.add_learner(db, 1, other, {"name": "Zed Lee"})
        db.execute("UPDATE learners SET code = ? WHERE name = 'Zed Lee'", [before["Amira"]["code"]])
    plan = plan_of(app, csv_file("Amira,2009-03-01,7B,", "Ben,2010-11-01,7B,"))
    rows = by_line(plan)
    assert rows[2].new_code and not rows[3].new_code
    with app.app_context():
        importer.apply(get_db(), 1, plan, importer_actor())
    after = learners(app)
    assert after["Amira"]["code"] != before["Amira"]["code"] and after["Ben"]["code"] == before["Ben"]["code"]
    assert after["Amira"]["class_id"] == after["Zed Lee"]["class_id"]


def importer_actor():
    return {"actor_role": "system", "actor_id": 0, "actor_name": "test"}


# The screens.

def test_the_form_has_a_labelled_file_input_and_the_make_classes_box_on(admin):
    page = admin.get("/staff/school/import")
    assert page.status_code == 200
    assert '<label for="import-file">' in page.text and 'name="make_classes" checked' in page.text
    assert "Name,Date of birth,Class,UPN" in page.text


def test_preview_writes_nothing_and_confirm_writes_then_reimport_is_unchanged(app, admin):
    data = csv_file(f"Łucja Nowak,03/09/2012,7B,{upn(1)}", "Siân Evans,2012-09-03,7B,",
                    "محمد علي,2011-01-20,Class 4 (Maple),", f"Amira,2009-03-01,,{upn(2)}", ",,,")
    before = learners(app)
    address, page = preview(admin, data)
    text = text_of(page)
    assert page.status_code == 200
    assert "3 to add" in text and "1 to update" in text and "0 unchanged" in text and "0 with errors" in text
    assert "Łucja Nowak" in text and "محمد علي" in text and "new class 7B" in text
    assert f"UPN: from none to {upn(2)}" in text
    assert learners(app) == before and "7B" not in classes(app)
    done = confirm(admin, address, page)
    assert done.status_code == 303
    result = admin.get(done.headers["Location"])
    assert "3 added" in text_of(result) and "1 updated" in text_of(result)
    after = learners(app)
    assert {"Łucja Nowak", "Siân Evans", "محمد علي"} <= set(after) and after["Amira"]["upn"] == upn(2)
    assert after["Siân Evans"]["class_id"] == after["Łucja Nowak"]["class_id"] and "7B" in classes(app)
    assert 'href="/staff/#class-' in result.text
    for name in ("Ben", "Chloe", "Harry"):  # not in the file: untouched
        assert after[name] == before[name]
    # The same file again: nothing changes, and the confirm changes nothing either.
    address, page = preview(admin, data)
    assert "4 unchanged" in text_of(page) and "0 to add" in text_of(page)
    confirm(admin, address, page)
    assert learners(app) == after
    with app.app_context():
        log = [row["action"] for row in get_db().query("SELECT action FROM audit_log WHERE action LIKE 'imported%'")]
    assert log == ["imported learners from learners.csv: 3 added, 1 updated, 0 unchanged, 0 skipped",
                   "imported learners from learners.csv: 0 added, 0 updated, 4 unchanged, 0 skipped"]


def test_an_update_by_upn_changes_only_what_changed(app, admin):
    with app.app_context():
        records.add_learner(get_db(), 1, 1, {"name": "Jo Bloggs", "upn": upn(3), "date_of_birth": "2012-01",
                                             "career_group": 2})
    address, page = preview(admin, csv_file(f"Joanne Bloggs,2012-01-05,Class 4 (Maple),{upn(3)}"))
    assert "Name: from Jo Bloggs to Joanne Bloggs" in text_of(page)
    confirm(admin, address, page)
    row = learners(app)["Joanne Bloggs"]
    assert (row["upn"], row["career_group"], row["date_of_birth"]) == (upn(3), 2, "2012-01")


def test_error_rows_block_the_import_unless_skipped(app, admin):
    data = csv_file("Ann Lee,2012-01-01,7B,", "Amy Future,2999-01-01,7B,", header="Name,DOB,Form,UPN")
    address, page = preview(admin, data)
    text = text_of(page)
    assert "1 with errors" in text and "DOB: This date of birth is in the future" in text
    assert "Skip the rows with errors and import the rest" in text
    refused = confirm(admin, address, page)
    assert refused.status_code == 400 and "Ann Lee" not in learners(app)
    done = confirm(admin, address, page, skip_errors="on")
    assert done.status_code == 303
    assert "Ann Lee" in learners(app) and "Amy Future" not in learners(app)
    assert "1 skipped" in text_of(admin.get(done.headers["Location"]))


def test_a_plan_that_changed_since_the_preview_is_shown_again_not_written(app, admin):
    address, page = preview(admin, csv_file("Ann Lee,2012-01-01,7B,"))
    with app.app_context():
        records.add_learner(get_db(), 1, 1, {"name": "Ann Lee", "date_of_birth": "2012-01"})
    response = confirm(admin, address, page)
    assert response.status_code == 409 and "changed since you looked" in response.text
    assert "7B" not in classes(app)


def test_a_strict_import_shows_the_unknown_class(app, admin):
    address, page = preview(admin, csv_file("Ann Lee,2012-01-01,7B,"), make_classes=False)
    assert "There is no class called 7B in the app" in text_of(page)
    assert confirm(admin, address, page).status_code == 400


@pytest.mark.parametrize("data, filename, words", [
    (b"PK\x03\x04" + bytes(100), "learners.xlsx", "Excel workbook"),
    (bytes(range(256)) * 4, "photo.jpg", "not a CSV"),
    (csv_file(*["Ann Lee,2012-01-01,7B,"] * 10_000), "big.csv", "more than 5,000"),
    (b"", "empty.csv", "empty"),
    (b"Name," + b"x" * 140_000 + b"\r\nAnn\r\n", "wide.csv", "not CSV we can read"),  # a cell past csv's limit
])
def test_bad_files_get_a_kind_400_next_to_the_field(admin, data, filename, words):
    response = upload(admin, data, filename=filename)
    assert response.status_code == 400 and words in text_of(response)
    assert 'aria-describedby="import-file-error"' in response.text


def test_no_file_chosen(admin):
    response = admin.post("/staff/school/import", data={"make_classes": "on"})
    assert response.status_code == 400 and "Please choose the CSV file" in text_of(response)
    assert 'name="make_classes" checked' in response.text


def test_a_20_mb_file_gets_the_kind_413_page(admin):
    data = b"Name,Class\r\n" + b"Ann Lee,7B\r\n" * (20 * 1024 * 1024 // 12)
    response = upload(admin, data)
    assert response.status_code == 413 and "too big" in text_of(response)


def test_a_file_over_the_global_limit_but_under_five_mb_is_taken_with_csrf_on(csrf_app):
    """The import's limit applies before CSRFProtect reads the form."""
    client = csrf_app.test_client()
    csrf_staff_sign_in(client, csrf_app)
    data = csv_file("Ann Lee,2012-01-01,7B,") + (b" " * 1000 + b"\r\n") * 2100  # past the 1 MB limit
    response = upload(client, data, csrf_token=token(client, "/staff/school/import"))
    assert response.status_code == 303, text_of(response)


def test_the_upload_waits_privately_and_goes_after_the_confirm(app, admin):
    address, page = preview(admin, csv_file("Ann Lee,2012-01-01,7B,"))
    token = address.rsplit("/", 1)[1]
    folder = Path(app.instance_path) / "imports"
    kept = folder / f"{token}.csv"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and token not in str(admin.get_cookie("student_app_session"))
    # Another admin of the school cannot use it.
    with app.app_context():
        get_db()["staff"].insert({"school_id": 1, "email": "admin2@oaktree.example", "name": "Admin Two",
                                  "staff_role": "admin", "password_hash": hashed("admin-two-pass")})
    other = app.test_client()
    sign_in_staff(other, app, "admin2@oaktree.example", "admin-two-pass")
    assert other.get(address).status_code == 303 and "Ann Lee" not in learners(app)
    confirm(admin, address, page)
    assert not kept.exists() and "Ann Lee" in learners(app)
    # A day later, what is left of it is swept.
    old = os.path.getmtime(folder / f"{token}.json") - 2 * 86400
    os.utime(folder / f"{token}.json", (old, old))
    preview(admin, csv_file("Bo Lee,2012-01-01,7B,"))
    assert not (folder / f"{token}.json").exists()
    assert admin.get(address).status_code == 303  # gone: upload again


def test_teachers_and_assistants_get_403(app, client):
    with app.app_context():
        get_db()["staff"].insert({"school_id": 1, "email": "ta@oaktree.example", "name": "TA", "staff_role": "assistant",
                                  "password_hash": hashed("assistant-pass-1")})
    teacher, assistant = client, app.test_client()
    sign_in_as(teacher, app, "staff")
    sign_in_staff(assistant, app, "ta@oaktree.example", "assistant-pass-1")
    for who in (teacher, assistant):
        assert who.get("/staff/school/import").status_code == 403
        assert upload(who, csv_file("Ann Lee,2012-01-01,7B,")).status_code == 403
    assert "Ann Lee" not in learners(app)


# The command.

@pytest.fixture
def mis_file(tmp_path):
    path = tmp_path / "mis.csv"
    path.write_bytes(csv_file(f"Łucja Nowak,03/09/2012,7B,{upn(1)}", "Amira,2009-03-01,,", sep=";", bom=True))
    return path


def test_the_command_with_dry_run_writes_nothing(app, runner, mis_file):
    before = learners(app)
    result = runner.invoke(args=["learners", "import", str(mis_file), "--school", "1", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "line 2: add Łucja Nowak (7B) [new class 7B]" in result.output
    assert "line 3: unchanged Amira" in result.output and "1 to add, 0 to update, 1 unchanged" in result.output
    assert "Dry run: nothing was written." in result.output and learners(app) == before


def test_the_command_imports_and_logs_who(app, runner, mis_file):
    result = runner.invoke(args=["learners", "import", str(mis_file), "--school", "1"])
    assert result.exit_code == 0, result.output
    assert "Imported: 1 added, 0 updated, 1 unchanged, 0 skipped" in result.output
    assert "Łucja Nowak" in learners(app)
    with app.app_context():
        entry = get_db().execute("SELECT actor_name, actor_role, action FROM audit_log ORDER BY id DESC").fetchone()
    assert tuple(entry) == ("flask learners import", "system",
                            "imported learners from mis.csv: 1 added, 0 updated, 1 unchanged, 0 skipped")
    again = runner.invoke(args=["learners", "import", str(mis_file), "--school", "1"])
    assert "0 to add, 0 to update, 2 unchanged" in again.output


def test_the_command_stops_on_errors_unless_skipping(app, runner, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_file("Ann Lee,2012-01-01,7B,", "Amy Future,2999-01-01,7B,"))
    result = runner.invoke(args=["learners", "import", str(path), "--school", "1"])
    assert result.exit_code != 0 and "1 rows have errors, so nothing was written" in result.output
    assert "line 3: error Amy Future (7B): Date of birth: This date of birth is in the future" in result.output
    assert "Ann Lee" not in learners(app)
    strict = runner.invoke(args=["learners", "import", str(path), "--school", "1", "--strict", "--skip-errors"])
    assert strict.exit_code == 0 and "There is no class called 7B" in strict.output and "Ann Lee" not in learners(app)
    result = runner.invoke(args=["learners", "import", str(path), "--school", "1", "--skip-errors"])
    assert result.exit_code == 0 and "Ann Lee" in learners(app) and "Amy Future" not in learners(app)


def test_the_command_refuses_an_unknown_school_and_a_bad_file(runner, mis_file, tmp_path):
    result = runner.invoke(args=["learners", "import", str(mis_file), "--school", "99"])
    assert result.exit_code != 0 and "There is no school with id 99" in result.output
    bad = tmp_path / "book.xlsx"
    bad.write_bytes(b"PK\x03\x04" + bytes(50))
    result = runner.invoke(args=["learners", "import", str(bad), "--school", "1"])
    assert result.exit_code != 0 and "Excel workbook" in result.output


def test_retention_deletes_uploads_never_confirmed(app, admin, runner):
    import os
    import time
    from pathlib import Path

    preview(admin, csv_file("Ann Lee,2012-01-01,7B,"))
    folder = Path(app.instance_path) / "imports"
    old = time.time() - 2 * 86400
    for path in folder.iterdir():
        os.utime(path, (old, old))
    result = runner.invoke(args=["retention", "--delete"])
    assert "Removed 1 import uploads" in result.output, result.output
    assert not any(path.suffix == ".csv" for path in folder.iterdir())
