"""Privacy by default: protected learners, photos that show several learners, a learner's own
say over who in their family sees their work, sessions staff can end, quotas and staff-only
fields."""

import csv
import io
import json
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from student_app.db import get_db
from tests.conftest import learner_id, sign_in_as, text_of
from tests.test_library import fake_webm, jpeg_with_gps
from tests.test_passport import page_form, rows, sign_in_family
from tests.test_permissions import world  # noqa: F401 (a fixture: every role signed in, every id)


def set_learner(app, name, **values):
    with app.app_context():
        for column, value in values.items():
            get_db().execute(f"UPDATE learners SET {column} = ? WHERE name = ?", [value, name])


@pytest.fixture
def photo_page(app):
    """Amira's passport page with one photo; returns (page id, media id)."""
    client = app.test_client()
    sign_in_as(client, app, "learner", "Amira")
    response = client.post("/passport/new", data=page_form(photos=[(io.BytesIO(jpeg_with_gps()), "p.jpg")]),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    found = rows(app, "SELECT page_id, media_id FROM passport_photos")[0]
    return found["page_id"], found["media_id"]


def tag(app, staff, media_id, *names):
    amira = learner_id(app, "Amira")
    return staff.post(f"/staff/learners/{amira}/photos/{media_id}/people",
                      data={"learner": [str(learner_id(app, name)) for name in names]})


@pytest.fixture
def staff(app):
    client = app.test_client()
    sign_in_as(client, app, "staff")
    return client


def shown_to(client, app, page_id, media_id, prefix=""):
    """Whether the photo is on the passport page and can be fetched."""
    page = client.get(f"{prefix}/passport/pages/{page_id}")
    assert page.status_code == 200
    listed = f"/media/{media_id}/thumb" in page.text
    with client.get(f"/media/{media_id}/thumb") as response:
        fetched = response.status_code == 200
    assert listed == fetched
    return listed


def test_a_protected_learner_is_not_named_on_the_sign_in_tiles_or_the_projector(app, client, staff):
    set_learner(app, "Amira", protected=1)
    tiles = text_of(client.get("/sign-in/class/1"))
    assert "Amira" not in tiles and "Fox" in tiles and "Chloe" in tiles
    code_page = text_of(client.get(f"/sign-in/learner/{learner_id(app, 'Amira')}"))
    assert "Amira" not in code_page and "Fox" in code_page
    session = staff.post("/staff/classes/1/sessions/new", data={"job": ["nurse"]})
    session_id = int(session.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        code = get_db().execute("SELECT code FROM class_sessions WHERE id = ?", [session_id]).fetchone()[0]
    for name in ("Amira", "Chloe"):
        tablet = app.test_client()
        sign_in_as(tablet, app, "learner", name)
        assert tablet.post(f"/join/{code}").status_code == 302
    projector = text_of(staff.get(f"/staff/sessions/{session_id}/projector"))
    assert "2 have joined" in projector and "Chloe" in projector and "Amira" not in projector
    # The teacher's own control screen still names everyone, to answer for them.
    assert "Amira" in text_of(staff.get(f"/staff/sessions/{session_id}"))


def test_staff_mark_a_learner_protected_in_their_settings(app, staff):
    amira = learner_id(app, "Amira")
    form = {"career_group": "1", "choices": "2", "protected": "on", "photo_consent": "on"}
    assert staff.post(f"/staff/learners/{amira}/settings", data=form).status_code == 302
    assert rows(app, "SELECT protected FROM learners WHERE id = ?", [amira])[0]["protected"] == 1
    del form["protected"]
    staff.post(f"/staff/learners/{amira}/settings", data=form)
    assert rows(app, "SELECT protected FROM learners WHERE id = ?", [amira])[0]["protected"] == 0


def test_a_protected_learner_is_left_out_of_the_class_csv(app, staff):
    set_learner(app, "Chloe", protected=1)
    names = [row[0] for row in csv.reader(io.StringIO(staff.get("/staff/classes/1/benchmarks.csv").text))]
    assert "Amira" in names and "Chloe" not in names
    page = text_of(staff.get("/staff/classes/1/benchmarks"))
    assert "Chloe" in page and "1 protected learner is shown here but left out of the CSV" in page


def test_an_untagged_photo_is_seen_by_the_learner_and_their_family(app, client, photo_page):
    page_id, media_id = photo_page
    sign_in_as(client, app, "learner", "Amira")
    assert shown_to(client, app, page_id, media_id)
    family = app.test_client()
    sign_in_family(family)
    assert shown_to(family, app, page_id, media_id, f"/family/children/{learner_id(app, 'Amira')}")


@pytest.mark.parametrize("other, flag", [("Chloe", {}), ("Dylan", {"protected": 1})])
def test_a_photo_showing_a_protected_or_no_photos_learner_stays_with_staff(app, client, staff, photo_page, other, flag):
    """Chloe has no photo consent; Dylan has, but is marked protected."""
    page_id, media_id = photo_page
    set_learner(app, other, **flag)
    assert tag(app, staff, media_id, "Amira", other).status_code == 302
    amira = learner_id(app, "Amira")
    staff_page = text_of(staff.get(f"/staff/learners/{amira}/passport/pages/{page_id}"))
    assert f"Only staff can see this photo: it shows {other}." in staff_page
    with staff.get(f"/media/{media_id}/thumb") as response:
        assert response.status_code == 200
    sign_in_as(client, app, "learner", "Amira")
    assert not shown_to(client, app, page_id, media_id)
    family = app.test_client()
    sign_in_family(family)
    assert not shown_to(family, app, page_id, media_id, f"/family/children/{amira}")
    for url in (f"/staff/learners/{amira}/passport/print", f"/family/children/{amira}/passport/print"):
        viewer = staff if url.startswith("/staff") else family
        assert f"/media/{media_id}" not in viewer.get(url).text
    # Untagging the other learner brings the photo back.
    tag(app, staff, media_id, "Amira")
    assert shown_to(client, app, page_id, media_id)
    assert f"/media/{media_id}" in staff.get(f"/staff/learners/{amira}/passport/print").text


def test_the_learners_export_holds_back_a_photo_showing_a_learner_without_consent(app, photo_page):
    page_id, media_id = photo_page
    admin = app.test_client()
    sign_in_as(admin, app, "admin")
    tag(app, admin, media_id, "Amira", "Chloe")
    archive = zipfile.ZipFile(io.BytesIO(admin.get(f"/staff/learners/{learner_id(app, 'Amira')}/export.zip").data))
    data = json.loads(archive.read("data.json"))
    assert media_id not in {m["id"] for m in data["media"]}
    assert media_id not in {p["media_id"] for p in data["passport_photos"]}
    assert not [name for name in archive.namelist() if name.startswith(f"media/{media_id}-")]
    tag(app, admin, media_id, "Amira")
    archive = zipfile.ZipFile(io.BytesIO(admin.get(f"/staff/learners/{learner_id(app, 'Amira')}/export.zip").data))
    assert [name for name in archive.namelist() if name.startswith(f"media/{media_id}-")]


def test_a_photo_of_other_learners_only_is_for_their_families_only(app, client, staff, photo_page):
    """Rosa Khan is Amira's and Ben's family; Dylan has photo consent and is not protected."""
    page_id, media_id = photo_page
    amira = learner_id(app, "Amira")
    family = app.test_client()
    sign_in_family(family)
    tag(app, staff, media_id, "Dylan")
    assert not shown_to(family, app, page_id, media_id, f"/family/children/{amira}")
    sign_in_as(client, app, "learner", "Amira")
    assert shown_to(client, app, page_id, media_id)  # in her own passport; Dylan may be seen
    tag(app, staff, media_id, "Dylan", "Ben")  # Ben is Rosa's too
    assert shown_to(family, app, page_id, media_id, f"/family/children/{amira}")
    tag(app, staff, media_id, "Dylan", "Amira")
    assert shown_to(family, app, page_id, media_id, f"/family/children/{amira}")


def test_tagging_is_checked(app, staff, photo_page):
    page_id, media_id = photo_page
    amira, chloe = learner_id(app, "Amira"), learner_id(app, "Chloe")
    assert staff.post(f"/staff/learners/{amira}/photos/{media_id}/people", data={"learner": "x"}).status_code == 400
    for odd in ("999", "²", "9" * 5000, ""):
        assert staff.post(f"/staff/learners/{amira}/photos/{media_id}/people", data={"learner": odd}).status_code == 400
    # The photo must be one of this learner's photos.
    assert staff.post(f"/staff/learners/{chloe}/photos/{media_id}/people", data={}).status_code == 404
    assert staff.post(f"/staff/learners/{amira}/photos/99999/people", data={}).status_code == 404


def test_erasing_a_learner_erases_photos_of_them_in_other_passports(app, staff, photo_page):
    page_id, media_id = photo_page
    tag(app, staff, media_id, "Amira", "Chloe")
    files = rows(app, "SELECT file, thumb_file FROM media WHERE id = ?", [media_id])[0]
    admin = app.test_client()
    sign_in_as(admin, app, "admin")
    chloe = learner_id(app, "Chloe")
    assert admin.post(f"/staff/learners/{chloe}/erase", data={"confirm_name": "Chloe"}).status_code == 302
    assert not rows(app, "SELECT * FROM media WHERE id = ?", [media_id])
    assert not rows(app, "SELECT * FROM photo_people")
    assert rows(app, "SELECT * FROM passport_pages WHERE id = ?", [page_id])  # Amira's page stays
    folder = Path(app.instance_path) / "media"
    assert not (folder / files["file"]).exists() and not (folder / files["thumb_file"]).exists()


def family_can_see(app, learner="Amira"):
    family = app.test_client()
    sign_in_family(family)
    return family.get(f"/family/children/{learner_id(app, learner)}/passport").status_code == 200


def rosa(app):
    return rows(app, "SELECT id FROM families WHERE name = 'Rosa Khan'")[0]["id"]


def test_a_learner_of_16_chooses_who_in_their_family_sees_their_work(app, client):
    """Amira was born in March 2009; her family, Rosa Khan, can see her work."""
    sign_in_as(client, app, "learner", "Amira")
    assert "My family can see my work: Rosa Khan." in text_of(client.get("/home"))
    page = client.get("/sharing").text
    field = f'name="family-{rosa(app)}"'
    # Share and Do not share: the same kind of control, side by side, the current choice ticked.
    assert page.count(field) == 2 and 'value="share" required checked' in page
    assert page.count('class="check-card"') == 2
    response = client.post("/sharing", data={f"family-{rosa(app)}": "keep"})
    assert response.status_code == 302
    assert "Only me and my school can see my work." in text_of(client.get("/home"))
    assert "Only me and my school can see my work." in text_of(client.get("/passport"))
    assert not family_can_see(app)
    assert family_can_see(app, "Ben")  # Ben's own sharing is untouched
    staff = app.test_client()
    sign_in_as(staff, app, "staff")
    assert "cannot see the passport (left out by the learner)" in text_of(staff.get(f"/staff/learners/{learner_id(app, 'Amira')}"))
    client.post("/sharing", data={f"family-{rosa(app)}": "share"})
    assert family_can_see(app)
    assert "My family can see my work: Rosa Khan." in text_of(client.get("/passport/new/kind"))


def test_sharing_at_16_needs_no_staff_switch(app, client):
    set_learner(app, "Amira", family_visible=0)
    assert not family_can_see(app)
    sign_in_as(client, app, "learner", "Amira")
    assert 'value="keep" required checked' in client.get("/sharing").text
    client.post("/sharing", data={f"family-{rosa(app)}": "share"})
    assert family_can_see(app)


@pytest.mark.parametrize("change", [{"lacks_sharing_capacity": 1}, {"date_of_birth": "2012-01"}, {"date_of_birth": None}])
def test_under_16_or_lacking_capacity_the_learner_sees_but_the_school_decides(app, client, change):
    set_learner(app, "Amira", **change)
    sign_in_as(client, app, "learner", "Amira")
    page = text_of(client.get("/sharing"))
    assert "Rosa Khan can see my work." in page and "My school decides this for now." in page
    assert "Do not share" not in page
    assert client.post("/sharing", data={f"family-{rosa(app)}": "keep"}).status_code == 403
    assert family_can_see(app)


def test_a_sharing_choice_must_be_made_for_each_account(app, client):
    sign_in_as(client, app, "learner", "Amira")
    for data in ({}, {f"family-{rosa(app)}": "maybe"}):
        response = client.post("/sharing", data=data)
        assert response.status_code == 400 and "Please choose Share or Do not share" in response.text
    assert family_can_see(app)


def test_staff_record_a_lack_of_capacity_to_decide(app, staff):
    amira = learner_id(app, "Amira")
    staff.post(f"/staff/learners/{amira}/settings",
               data={"career_group": "1", "choices": "2", "lacks_sharing_capacity": "on"})
    assert rows(app, "SELECT lacks_sharing_capacity FROM learners WHERE id = ?", [amira])[0]["lacks_sharing_capacity"] == 1


def test_screens_that_record_say_when_the_microphone_is_on(app, client):
    sign_in_as(client, app, "learner", "Amira")
    page = client.get("/passport/new/did").text
    assert 'data-recording-symbol="/symbols/tool-microphone"' in page
    assert "Recording: the microphone is on." in page


def signed_in(client, url):
    response = client.get(url)
    return response.status_code == 200


def shift_sign_ins(app, role, created_hours=0, seen_minutes=0):
    """Make every sign-in of `role` look older: started and last seen earlier."""
    stamp = lambda delta: (datetime.now(timezone.utc) - delta).isoformat(timespec="seconds")  # noqa: E731
    with app.app_context():
        get_db().execute("UPDATE sign_ins SET created_at = ?, seen_at = ? WHERE role = ?",
                         [stamp(timedelta(hours=created_hours)), stamp(timedelta(minutes=seen_minutes)), role])


def test_staff_sign_a_learner_out_on_every_tablet(app, staff):
    tablets = [app.test_client(), app.test_client()]
    for tablet in tablets:
        sign_in_as(tablet, app, "learner", "Amira")
        assert signed_in(tablet, "/home")
    chloe = app.test_client()
    sign_in_as(chloe, app, "learner", "Chloe")
    response = staff.post(f"/staff/learners/{learner_id(app, 'Amira')}/sign-out")
    assert response.status_code == 302
    assert "Amira is signed out everywhere." in text_of(staff.get(response.headers["Location"]))
    assert not any(signed_in(tablet, "/home") for tablet in tablets)
    assert signed_in(chloe, "/home")


def staff_row(app, email):
    return rows(app, "SELECT * FROM staff WHERE email = ?", [email])[0]


def test_an_admin_switches_a_staff_account_off_and_it_is_signed_out_at_once(app, staff):
    admin = app.test_client()
    sign_in_as(admin, app, "admin")
    teacher = staff_row(app, "teacher@oaktree.example")
    assert signed_in(staff, "/staff/")
    assert staff.post(f"/staff/members/{teacher['id']}/access", data={"action": "off"}).status_code == 403
    response = admin.post(f"/staff/members/{teacher['id']}/access", data={"action": "off"})
    assert response.status_code == 302
    assert "switched off and signed out" in text_of(admin.get("/staff/"))
    assert not signed_in(staff, "/staff/")
    again = app.test_client().post("/staff/sign-in", data={"email": teacher["email"], "password": "oak-tree-teacher"})
    assert again.status_code == 403 and "This account is switched off" in text_of(again)
    assert admin.post(f"/staff/members/{teacher['id']}/access", data={"action": "maybe"}).status_code == 400
    me = staff_row(app, "admin@oaktree.example")
    assert admin.post(f"/staff/members/{me['id']}/access", data={"action": "off"}).status_code == 404
    admin.post(f"/staff/members/{teacher['id']}/access", data={"action": "on"})
    sign_in_as(app.test_client(), app, "staff")  # signs in again


def test_a_switched_off_member_of_staff_cannot_finish_a_half_sign_in(app):
    client = app.test_client()
    response = client.post("/staff/sign-in", data={"email": "teacher@oaktree.example", "password": "oak-tree-teacher"})
    assert response.headers["Location"].endswith("/staff/sign-in/code")
    with app.app_context():
        get_db().execute("UPDATE staff SET disabled_at = '2026-01-01' WHERE email = 'teacher@oaktree.example'")
    assert client.get("/staff/sign-in/code").status_code == 302  # back to the password


def test_an_admin_switches_a_family_account_off(app):
    admin = app.test_client()
    sign_in_as(admin, app, "admin")
    family = app.test_client()
    sign_in_family(family)
    assert signed_in(family, "/family/")
    amira = learner_id(app, "Amira")
    response = admin.post(f"/staff/families/{rosa(app)}/access", data={"action": "off", "learner": str(amira)})
    assert response.headers["Location"].endswith(f"/staff/learners/{amira}")
    assert "account switched off" in text_of(admin.get(f"/staff/learners/{amira}"))
    assert not signed_in(family, "/family/")
    refused = app.test_client().post("/family/sign-in", data={"email": "family@oaktree.example", "password": "oak-tree-family"})
    assert refused.status_code == 403 and "This account is switched off" in text_of(refused)
    admin.post(f"/staff/families/{rosa(app)}/access", data={"action": "on"})
    sign_in_family(app.test_client())


def test_a_family_of_another_school_cannot_be_switched_off(app):
    with app.app_context():
        db = get_db()
        school = db["schools"].insert({"name": "Elm School"}).last_pk
        group = db["classes"].insert({"school_id": school, "name": "Elm class"}).last_pk
        other = db["learners"].insert({"school_id": school, "class_id": group, "name": "Zed", "avatar": "avatar-fox",
                                       "code_hash": "x"}).last_pk
        family = db["families"].insert({"email": "zed@example.org", "name": "Zed's family", "password_hash": "x",
                                        "created_at": "2026-01-01T00:00:00+00:00"}).last_pk
        db["family_links"].insert({"family_id": family, "learner_id": other})
    admin = app.test_client()
    sign_in_as(admin, app, "admin")
    assert admin.post(f"/staff/families/{family}/access", data={"action": "off"}).status_code == 404
    assert rows(app, "SELECT disabled_at FROM families WHERE id = ?", [family])[0]["disabled_at"] is None


def test_learners_are_signed_out_sooner_than_staff_when_idle(app, staff):
    assert app.config["LEARNER_IDLE_MINUTES"] < app.config["STAFF_IDLE_MINUTES"]
    learner = app.test_client()
    sign_in_as(learner, app, "learner", "Amira")
    shift_sign_ins(app, "learner", seen_minutes=20)
    shift_sign_ins(app, "staff", seen_minutes=20)
    assert not signed_in(learner, "/home")
    assert signed_in(staff, "/staff/")


def test_a_session_ends_after_its_lifetime_however_active(app, staff):
    assert app.config["LEARNER_SESSION_HOURS"] < app.config["STAFF_SESSION_HOURS"]
    learner = app.test_client()
    sign_in_as(learner, app, "learner", "Amira")
    family = app.test_client()
    sign_in_family(family)
    shift_sign_ins(app, "learner", created_hours=3)
    assert signed_in(learner, "/home")
    shift_sign_ins(app, "learner", created_hours=5)  # seen a moment ago, but signed in 5 hours ago
    assert not signed_in(learner, "/home")
    shift_sign_ins(app, "staff", created_hours=11)
    shift_sign_ins(app, "family", created_hours=11)
    assert signed_in(staff, "/staff/") and signed_in(family, "/family/")
    shift_sign_ins(app, "staff", created_hours=13)
    shift_sign_ins(app, "family", created_hours=13)
    assert not signed_in(staff, "/staff/") and not signed_in(family, "/family/")


@pytest.mark.parametrize("secure", [False, True])
def test_the_session_cookie_is_httponly_samesite_and_secure_when_configured(app, secure):
    app.config["SESSION_COOKIE_SECURE"] = secure
    response = app.test_client().post("/family/sign-in", data={"email": "family@oaktree.example",
                                                               "password": "oak-tree-family"})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("student_app_session="))
    parts = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "samesite"} <= parts and "samesite=lax" in cookie.lower()
    assert ("secure" in parts) == secure


def media_files(app):
    folder = Path(app.instance_path) / "media"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_learner_past_their_space_is_told_kindly_and_nothing_is_kept(app, client):
    sign_in_as(client, app, "learner", "Amira")
    first = client.post("/passport/new", data=page_form(photos=[(io.BytesIO(jpeg_with_gps()), "a.jpg")]),
                        content_type="multipart/form-data")
    assert first.status_code == 302
    with app.app_context():
        from student_app.media import used_bytes
        used = used_bytes(learner_id(app, "Amira"))
    assert used > 0
    app.config["LEARNER_MEDIA_MB"] = (used + 100) / (1024 * 1024)  # room for 100 more bytes
    files, pages = media_files(app), rows(app, "SELECT id FROM passport_pages")
    refused = client.post("/passport/new", data=page_form(photos=[(io.BytesIO(jpeg_with_gps()), "b.jpg")]),
                          content_type="multipart/form-data")
    assert refused.status_code == 400 and "no more room for photos and recordings" in text_of(refused)
    voice = client.post("/a/all-about-me/mine/1", data={"voice": (io.BytesIO(fake_webm()), "v.webm")},
                        content_type="multipart/form-data")
    assert voice.status_code == 400 and "no more room" in text_of(voice)
    assert media_files(app) == files and rows(app, "SELECT id FROM passport_pages") == pages
    # Each learner has their own space: Ben, with nothing stored, has room for this.
    app.config["LEARNER_MEDIA_MB"] = (len(fake_webm()) + 100) / (1024 * 1024)
    assert "no more room" in text_of(client.post("/a/all-about-me/mine/1", data={
        "voice": (io.BytesIO(fake_webm()), "v.webm")}, content_type="multipart/form-data"))
    ben = app.test_client()
    sign_in_as(ben, app, "learner", "Ben")
    answer = ben.post("/a/all-about-me/mine/1", data={"voice": (io.BytesIO(fake_webm()), "v.webm")},
                      content_type="multipart/form-data")
    assert answer.status_code == 302, text_of(answer)


def test_a_photo_note_past_the_learners_space_is_refused(app, staff):
    app.config["LEARNER_MEDIA_MB"] = 0
    amira = learner_id(app, "Amira")
    page = rows(app, "SELECT id FROM passport_pages WHERE learner_id = ?", [amira])[0]["id"]
    response = staff.post(f"/staff/learners/{amira}/passport/pages/{page}/notes",
                          data={"photo": (io.BytesIO(jpeg_with_gps()), "n.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 400 and "no more room" in text_of(response)


def mp4(handler):
    """A small MP4 whose one track has the given handler ("soun" or "vide"): ftyp, moov (with
    the handler) and mdat boxes, filling the file."""
    hdlr = b"\x00\x00\x00\x21hdlr\x00\x00\x00\x00\x00\x00\x00\x00" + handler + b"\x00" * 13
    return (b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A mp42" + (8 + len(hdlr)).to_bytes(4, "big") + b"moov"
            + hdlr + (608).to_bytes(4, "big") + b"mdat" + bytes(600))


def wav(format_code):
    body = b"fmt \x10\x00\x00\x00" + format_code + b"\x01\x00\x22\x56\x00\x00\x44\xac\x00\x00\x02\x00\x10\x00"
    chunks = b"WAVE" + body + b"data" + (600).to_bytes(4, "little") + bytes(600)
    return b"RIFF" + len(chunks).to_bytes(4, "little") + chunks


def ogg(packet):
    """One Ogg page holding `packet` (its lacing values in the segment table)."""
    table = bytes([255] * (len(packet) // 255) + [len(packet) % 255])
    return b"OggS\x00\x02" + bytes(20) + bytes([len(table)]) + table + packet


@pytest.mark.parametrize("data, sound", [
    (fake_webm(), True),
    (b"\x1a\x45\xdf\xa3\x42\x82\x84webm\x86\x85V_VP8\x86\x86A_OPUS" + bytes(600), False),  # a video
    (b"\x1a\x45\xdf\xa3\x42\x82\x84webm" + bytes(600), False),  # no sound track
    (ogg(b"OpusHead\x01\x01" + bytes(600)), True),
    (ogg(b"\x80theora" + bytes(600)), False),
    (ogg(b"OpusHead\x01\x01" + bytes(600)) + b"<html><script>alert(1)</script></html>", False),  # after the container
    (fake_webm() + b"<html><script>alert(1)</script></html>", False),
    (mp4(b"soun") + b"<html></html>", False),
    (wav(b"\x01\x00") + b"<html><script>alert(1)</script></html>", False),
    (mp4(b"soun"), True),
    (mp4(b"vide"), False),
    (wav(b"\x01\x00"), True),
    (b"RIFF\x00\x00\x00\x00WAVE" + bytes(600), False),
    (b"<html><script>alert(1)</script>" + bytes(600), False),
])
def test_recordings_are_checked_to_be_sound_by_their_content(data, sound):
    from student_app.media import Refused, check_recording

    from student_app import create_app
    with create_app({"TESTING": True}).test_request_context():
        if sound:
            assert check_recording(data)
        else:
            with pytest.raises(Refused):
                check_recording(data)


def test_a_video_sent_as_a_voice_answer_is_refused_kindly(app, client):
    sign_in_as(client, app, "learner", "Amira")
    video = b"\x1a\x45\xdf\xa3\x42\x82\x84webm\x86\x85V_VP8\x86\x86A_OPUS" + bytes(600)
    response = client.post("/a/all-about-me/mine/1", data={"voice": (io.BytesIO(video), "v.webm")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "not a recording we can play" in text_of(response)


SEND_SECRET = "Dyspraxia; EHCP section F: speech therapy weekly (SEND-7741)"
NOTE_SECRET = "Private: family court matter, talk to the DSL (NOTE-5520)"


def test_staff_keep_send_details_and_private_notes_on_staff_pages(app, staff):
    amira = learner_id(app, "Amira")
    assert staff.post(f"/staff/learners/{amira}/send-details", data={"send_details": SEND_SECRET}).status_code == 302
    assert staff.post(f"/staff/learners/{amira}/private-notes", data={"text": NOTE_SECRET}).status_code == 302
    page = text_of(staff.get(f"/staff/learners/{amira}"))
    assert SEND_SECRET in page and NOTE_SECRET in page and "Jo Evans" in page
    for url, data in ((f"/staff/learners/{amira}/private-notes", {"text": ""}),
                      (f"/staff/learners/{amira}/private-notes", {"text": "x" * 2001}),
                      (f"/staff/learners/{amira}/send-details", {"send_details": "x" * 4001})):
        response = staff.post(url, data=data)
        assert response.status_code == 400 and "characters" in text_of(response)
    admin = app.test_client()
    sign_in_as(admin, app, "admin")
    archive = zipfile.ZipFile(io.BytesIO(admin.get(f"/staff/learners/{amira}/export.zip").data))
    data = json.loads(archive.read("data.json"))
    assert data["learner"][0]["send_details"] == SEND_SECRET and data["staff_notes"][0]["text"] == NOTE_SECRET
    assert admin.post(f"/staff/learners/{amira}/erase", data={"confirm_name": "Amira"}).status_code == 302
    assert not rows(app, "SELECT * FROM staff_notes")


def test_no_learner_or_family_response_holds_a_staff_only_field(app, world):
    """Every page a learner or a family can open, as each of them, for the learner whose SEND
    details and private notes are set."""
    clients, args = world
    amira = learner_id(app, "Amira")
    clients["S"].post(f"/staff/learners/{amira}/send-details", data={"send_details": SEND_SECRET})
    clients["S"].post(f"/staff/learners/{amira}/private-notes", data={"text": NOTE_SECRET})
    for client in clients.values():  # a family's comment too
        client.post(f"/family/children/{amira}/passport/pages/{args['page_id']}/notes", data={"text": "From home"})
    assert SEND_SECRET.encode() in clients["S"].get(f"/staff/learners/{amira}").data
    fetched = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        url = rule.build(args)[1]
        for role in "LOFG":
            for headers in ({}, {"HX-Request": "true"}):
                with clients[role].get(url, headers=headers) as response:
                    body = response.get_data()
                    fetched += response.status_code == 200
                for secret in (SEND_SECRET, NOTE_SECRET, "SEND-7741", "NOTE-5520"):
                    assert secret.encode() not in body, (role, url)
    assert fetched > 50  # the pages were really seen, not refused


def audit_actions(app, learner="Amira"):
    return [(row["actor_role"], row["action"]) for row in rows(
        app, "SELECT actor_role, action FROM audit_log WHERE learner_id = ? ORDER BY id", [learner_id(app, learner)])]


def test_every_change_to_who_may_see_a_learners_work_is_in_the_audit_log(app, client, staff):
    """Staff switching sharing, consent or protection, and a learner of 16 choosing, leave a
    line each in the audit log; saving settings that change none of them leaves none."""
    amira = learner_id(app, "Amira")
    sign_in_as(client, app, "learner", "Amira")
    client.post("/sharing", data={f"family-{rosa(app)}": "keep"})
    client.post("/sharing", data={f"family-{rosa(app)}": "keep"})  # no change: nothing logged
    assert audit_actions(app) == [
        ("learner", "family sharing: Rosa Khan may no longer see their work (the learner's choice)")]
    before = {"career_group": "1", "choices": "2", "family_visible": "on", "photo_consent": "on"}
    staff.post(f"/staff/learners/{amira}/settings", data=before)
    staff.post(f"/staff/learners/{amira}/settings", data=dict(before, protected="on", photo_consent=""))
    assert [action for role, action in audit_actions(app) if role == "staff"][-2:] == [
        "photo consent: off", "protected: on"]
    admin = app.test_client()
    sign_in_as(admin, app, "admin")
    assert "Rosa Khan may no longer see their work" in text_of(admin.get("/staff/audit"))


def test_an_activity_step_says_who_can_see_the_answer(app, client):
    sign_in_as(client, app, "learner", "Amira")
    client.post("/a/all-about-me/mine/start")
    assert "My family can see my work: Rosa Khan." in text_of(client.get("/a/all-about-me/mine/1"))
    set_learner(app, "Amira", family_visible=0)
    assert "Only me and my school can see my work." in text_of(client.get("/a/all-about-me/mine/1"))


def answer_with_photo(app, client):
    """Amira answers All about me's first step with a photo; returns its media id."""
    sign_in_as(client, app, "learner", "Amira")
    client.post("/a/all-about-me/mine/start")
    client.post("/a/all-about-me/mine/1", data={"photo": (io.BytesIO(jpeg_with_gps()), "p.jpg")},
                content_type="multipart/form-data")
    return rows(app, "SELECT id FROM media WHERE kind = 'photo'")[0]["id"]


def test_a_photo_given_as_an_answer_can_be_tagged_and_is_then_held_back(app, client, staff):
    """Amira answers with a photo that shows Dylan, who is protected: once staff say so, she
    and her family see words in its place, and staff still see it."""
    media_id = answer_with_photo(app, client)
    amira = learner_id(app, "Amira")
    portfolio = staff.get(f"/staff/learners/{amira}").text
    assert "Who is in the photos in answers and notes" in portfolio
    assert f'action="/staff/learners/{amira}/photos/{media_id}/people"' in portfolio
    set_learner(app, "Dylan", protected=1)
    back = f"/staff/learners/{amira}?activity=all-about-me"
    response = staff.post(f"/staff/learners/{amira}/photos/{media_id}/people",
                          data={"learner": [str(amira), str(learner_id(app, "Dylan"))], "back": back})
    assert response.headers["Location"] == back
    assert "Only staff can see this photo: it shows Dylan." in text_of(staff.get(f"/staff/learners/{amira}"))
    with client.get(f"/media/{media_id}") as held:
        assert held.status_code == 404
    done = client.get("/passport").text
    assert f"/media/{media_id}" not in done and "(a photo that only staff can see)" in text_of(client.get("/passport"))
    # Elsewhere than this learner's pages, the form goes back to the portfolio.
    response = staff.post(f"/staff/learners/{amira}/photos/{media_id}/people",
                          data={"learner": [str(amira)], "back": f"/staff/learners/{amira}1/passport"})
    assert response.headers["Location"] == f"/staff/learners/{amira}"
    with client.get(f"/media/{media_id}") as shown:
        assert shown.status_code == 200


def test_the_photo_form_lists_the_class_and_finds_anyone_else_by_name(app, client, staff):
    """However big the school, the form that says who a photo shows lists the learner's class
    and whoever is ticked already; anyone else is found by a part of their name, in any
    alphabet, and ticked from there."""
    with app.app_context():
        db = get_db()
        other = db["classes"].insert({"school_id": 1, "name": "Class 9 (Oak)"}).last_pk
        for n in range(300):
            db["learners"].insert({"school_id": 1, "class_id": other, "name": f"Learner {n}", "avatar": "avatar-fox",
                                   "code": "", "code_hash": "", "created_at": "2026-09-01"})
        zofia = db["learners"].insert({"school_id": 1, "class_id": other, "name": "Zofia Łukaszewicz",
                                       "avatar": "avatar-fox", "code": "", "code_hash": "",
                                       "created_at": "2026-09-01"}).last_pk
    media_id = answer_with_photo(app, client)
    amira = learner_id(app, "Amira")
    boxes = lambda page: page.count('name="learner"')
    portfolio = staff.get(f"/staff/learners/{amira}?activity=all-about-me").text
    assert boxes(portfolio) == 8 and "Learner 1" not in portfolio and "Zofia" not in portfolio
    found = staff.get(f"/staff/learners/{amira}?activity=all-about-me&who=ŁUKASZ").text
    assert boxes(found) == 9 and "Zofia Łukaszewicz" in found
    assert 'name="activity" value="all-about-me"' in found  # the search keeps the page's filters
    nobody = staff.get(f"/staff/learners/{amira}?who=Nobody+Here")
    assert nobody.status_code == 200 and "No one else of the school has a name with “Nobody Here” in it." in nobody.text
    assert boxes(staff.get(f"/staff/learners/{amira}?who=Learner").text) == 8 + 20  # at most 20 found
    staff.post(f"/staff/learners/{amira}/photos/{media_id}/people", data={"learner": [str(amira), str(zofia)]})
    assert rows(app, "SELECT learner_id FROM photo_people ORDER BY learner_id") == [
        {"learner_id": amira}, {"learner_id": zofia}]
    kept = staff.get(f"/staff/learners/{amira}").text  # ticked, so listed without a search
    assert boxes(kept) == 9 and f'value="{zofia}" checked' in kept
    # Another school's learner can be neither found nor ticked.
    with app.app_context():
        school = get_db()["schools"].insert({"name": "Elm School"}).last_pk
        elm_class = get_db()["classes"].insert({"school_id": school, "name": "Elm Class"}).last_pk
        elm = get_db()["learners"].insert({"school_id": school, "class_id": elm_class, "name": "Zofia Elm",
                                           "avatar": "avatar-fox", "code": "", "code_hash": "",
                                           "created_at": "2026-09-01"}).last_pk
    assert "Zofia Elm" not in staff.get(f"/staff/learners/{amira}?who=zofia").text
    assert staff.post(f"/staff/learners/{amira}/photos/{media_id}/people",
                      data={"learner": [str(elm)]}).status_code == 400


def test_the_passport_page_photo_form_finds_another_class_by_name(app, staff, photo_page):
    page_id, media_id = photo_page
    with app.app_context():
        other = get_db()["classes"].insert({"school_id": 1, "name": "Class 9 (Oak)"}).last_pk
        get_db()["learners"].insert({"school_id": 1, "class_id": other, "name": "Ωmega Pupil", "avatar": "avatar-fox",
                                     "code": "", "code_hash": "", "created_at": "2026-09-01"})
    path = f"/staff/learners/{learner_id(app, 'Amira')}/passport/pages/{page_id}"
    page = staff.get(path).text
    assert page.count('name="learner"') == 8 and "Ωmega" not in page and 'name="who"' in page
    found = staff.get(path + "?who=ωMEGA").text
    assert found.count('name="learner"') == 9 and "Ωmega Pupil" in found
