"""Downloads named in any alphabet (issue 13.7): RFC 6266 names, never a 500."""

from student_app.db import get_db
from tests.conftest import learner_id, sign_in_as


def test_a_class_and_a_learner_named_in_polish_download_with_their_names(client, app):
    amira = learner_id(app, "Amira")
    with app.app_context():
        db = get_db()
        db.execute("UPDATE classes SET name = 'Klasa Łoś' WHERE id = 1")
        db.execute("UPDATE learners SET name = 'Łucja Nowak' WHERE id = ?", [amira])
    sign_in_as(client, app, "admin")
    csv = client.get("/staff/classes/1/benchmarks.csv")
    assert csv.status_code == 200
    assert csv.headers["Content-Disposition"] == (
        "attachment; filename=\"benchmarks-Klasa-os.csv\"; filename*=UTF-8''benchmarks-Klasa-%C5%81o%C5%9B.csv")
    pdf = client.get(f"/staff/learners/{amira}/passport.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "filename*=UTF-8''" in pdf.headers["Content-Disposition"] and "%C5%81" in pdf.headers["Content-Disposition"]
    export = client.get(f"/staff/learners/{amira}/export.zip")
    assert export.status_code == 200 and export.headers["Content-Disposition"].isascii()


def test_a_formula_behind_a_tab_or_return_is_guarded_in_the_csv(client, app):
    with app.app_context():
        get_db().execute("UPDATE learners SET name = ? WHERE name = 'Ben'", ["\t=HYPERLINK(\"http://x\")"])
        get_db().execute("UPDATE learners SET name = ? WHERE name = 'Chloe'", ["\r=1+1"])
    sign_in_as(client, app, "staff")
    import csv
    import io

    names = [row[0] for row in csv.reader(io.StringIO(client.get("/staff/classes/1/benchmarks.csv").text))]
    assert "'\t=HYPERLINK(\"http://x\")" in names and "'\r=1+1" in names


def test_huge_ids_and_control_characters_get_a_404_or_a_safe_redirect(client, app):
    huge = "99999999999999999999999"
    for path in (f"/sign-in/learner/{huge}", f"/sign-in/class/{huge}", f"/media/{huge}", f"/voice/{huge}"):
        assert client.get(path).status_code == 404, path
    response = client.post("/preferences", data={"language": "cy", "next": "/\r\n//x.example"})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_https_through_a_trusted_proxy_only(tmp_path, monkeypatch, demo_database):
    import shutil

    from student_app import create_app

    monkeypatch.setenv("STUDENT_APP_INSTANCE", str(tmp_path / "instance"))
    shutil.copy(demo_database, tmp_path / "proxy.sqlite3")
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
    for hops, trusted in ((0, False), (1, True)):
        app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "proxy.sqlite3"), "PROXY_HOPS": hops,
                          "WTF_CSRF_ENABLED": False})
        client = app.test_client()
        page = client.get("/family/sign-in", headers=forwarded)
        assert ("Strict-Transport-Security" in page.headers) is trusted
        signed = client.post("/family/sign-in", headers=forwarded,
                             data={"email": "family@oaktree.example", "password": "oak-tree-family"})
        assert ("Secure" in signed.headers["Set-Cookie"]) is trusted
