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
