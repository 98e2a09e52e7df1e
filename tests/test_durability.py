"""Answers and uploads survive the server being killed mid-request (every acknowledged one is
there, and no half-saved record or orphan file remains), and concurrent taps store one answer."""

import http.client
import http.cookiejar
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from PIL import Image

from student_app.db import connect, get_db
from student_app.media import named_files
from tests.conftest import demo_code, learner_id, sign_in_as
from tests.test_library import fake_webm


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(tmp_path, database, port):
    env = dict(os.environ, STUDENT_APP_DATABASE=str(database),
               STUDENT_APP_INSTANCE=str(tmp_path), STUDENT_APP_AUDIO_DIR=str(tmp_path / "audio"))
    server = subprocess.Popen(
        [sys.executable, "-m", "waitress", "--host=127.0.0.1", f"--port={port}", "--threads=4",
         "--call", "student_app:create_app"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


def test_every_acknowledged_answer_survives_a_killed_server(tmp_path, demo_database, app):
    database = tmp_path / "live.sqlite3"
    shutil.copy(demo_database, database)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(tmp_path, database, port)
    try:
        check_answers_survive(app, server, base, database)
    finally:
        server.kill()
        server.wait()


def check_answers_survive(app, server, base, database):
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

    amira = learner_id(app, "Amira")

    def post(path, form):
        page = browser.open(f"{base}/sign-in/learner/{amira}").read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(dict(form, csrf_token=token)).encode()
        try:
            return browser.open(base + path, data=data, timeout=5).status
        except urllib.error.HTTPError as error:
            return error.code

    picks = []
    for pick in demo_code("Amira"):
        post(f"/sign-in/learner/{amira}", {"picks": ",".join(picks), "pick": pick})
        picks.append(pick)

    jobs = sorted(app.extensions["catalogue"].clues)
    acknowledged, stop = [], threading.Event()

    def answer_until_stopped():
        for job in jobs * 3:
            if stop.is_set():
                return
            try:
                status = post(f"/activities/guess-my-job/{job}/clue/1", {"go": "next"})
            # The server dies mid-answer: the connection drops, or a page stops short.
            except (OSError, urllib.error.URLError, http.client.HTTPException):
                return
            if status == 302:
                acknowledged.append(job)

    worker = threading.Thread(target=answer_until_stopped)
    worker.start()
    while len(acknowledged) < 5:
        time.sleep(0.01)
    server.send_signal(signal.SIGKILL)  # no clean shutdown, as if the server crashed
    server.wait()
    stop.set()
    worker.join()

    db = connect(database)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {
        row[0]
        for row in db.execute(
            "SELECT plays.item FROM responses JOIN plays ON plays.id = responses.play_id "
            "WHERE responses.learner_id = ? AND responses.step = 'clue-1'", [amira]
        )
    }
    assert set(acknowledged) <= stored
    assert len(acknowledged) >= 5


def test_many_taps_at_once_store_one_answer(app):
    """Eight threads tap the same card at the same moment: one answer is stored."""
    clients = [app.test_client() for _ in range(8)]
    for client in clients:
        sign_in_as(client, app, "learner", "Ben")
    clients[0].post("/activities/guess-my-job/nurse/start")
    barrier = threading.Barrier(len(clients))
    statuses = []

    def tap(client):
        barrier.wait()
        statuses.append(client.post("/activities/guess-my-job/nurse/clue/1", data={"go": "next"}).status_code)

    threads = [threading.Thread(target=tap, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * len(clients)
    db = connect(app.config["DATABASE"])
    assert db.execute("SELECT count(*) FROM responses WHERE step = 'clue-1'").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM plays").fetchone()[0] == 1


def multipart(fields, files):
    """A multipart/form-data body: fields {name: value}, files [(name, filename, bytes)]."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class LiveLearner:
    """A learner's browser on the live server: signs in with the picture code, then posts."""

    def __init__(self, base, learner, code):
        self.base = base
        self.browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)
        picks = []
        for pick in code:
            self.post(f"/sign-in/learner/{learner}", {"picks": ",".join(picks), "pick": pick},
                      token_from=f"/sign-in/learner/{learner}")
            picks.append(pick)
        self.token = re.search(r'name="csrf_token" value="([^"]+)"',
                               self.browser.open(base + "/passport/new/kind").read().decode()).group(1)

    def post(self, path, form, files=(), token_from=None):
        """(status, Location) of a POST; the CSRF token is read once after signing in."""
        if token_from:
            page = self.browser.open(self.base + token_from).read().decode()
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        else:
            token = self.token
        body, kind = multipart(dict(form, csrf_token=token), files)
        request = urllib.request.Request(self.base + path, data=body, headers={"Content-Type": kind})
        try:
            response = self.browser.open(request, timeout=10)
            return response.status, response.headers.get("Location")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location")


def photo_bytes(number, size=(640, 480)):
    """A JPEG of its own (a different colour each time)."""
    image = Image.new("RGB", size, (number * 37 % 256, number * 91 % 256, 120))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


# A big, detailed photo takes the server a while to clean and shrink, between writing the
# first files and committing: a kill then lands in the middle of saving.
BIG_PHOTO = Image.effect_noise((2400, 1800), 40).convert("RGB")


def big_photo_bytes(number):
    out = io.BytesIO()
    Image.blend(BIG_PHOTO, Image.new("RGB", BIG_PHOTO.size, (number % 256, 80, 160)), 0.5).save(out, "JPEG", quality=70)
    return out.getvalue()


def recording_bytes(number):
    """A WebM recording with bytes unique to it, so the stored file can be matched."""
    return fake_webm(f"recording {number} ".encode() * 20)


def test_every_acknowledged_upload_survives_a_killed_server(tmp_path, demo_database, app):
    database = tmp_path / "live.sqlite3"
    shutil.copy(demo_database, database)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(tmp_path, database, port)
    try:
        amira = learner_id(app, "Amira")
        pages, voices = [], []  # what the server acknowledged (a redirect after saving)
        stop = threading.Event()

        def add_pages():
            learner = LiveLearner(base, amira, demo_code("Amira"))
            for number in range(200):
                if stop.is_set():
                    return
                what = f"Visit number {number}"
                try:
                    status, location = learner.post("/passport/new", {
                        "kind": "workplace", "what": what, "happened_on": "2026-11-02"},
                        [("photos", "a.jpg", big_photo_bytes(number)), ("photos", "b.jpg", big_photo_bytes(number + 1)),
                         ("did_voice", "v.webm", recording_bytes(10_000 + number))])
                except (OSError, urllib.error.URLError, http.client.HTTPException):
                    return
                if status == 302 and "/passport/pages/" in location:
                    pages.append(what)

        def record_answers():
            learner = LiveLearner(base, amira, demo_code("Amira"))
            learner.post("/a/all-about-me/mine/start", {})
            for number in range(200):
                if stop.is_set():
                    return
                try:
                    status, _ = learner.post("/a/all-about-me/mine/1", {"go": "next"},
                                             [("voice", "v.webm", recording_bytes(number)),
                                              ("photo", "p.jpg", photo_bytes(500 + number))])
                except (OSError, urllib.error.URLError, http.client.HTTPException):
                    return
                if status == 302:
                    voices.append(recording_bytes(number))

        workers = [threading.Thread(target=add_pages), threading.Thread(target=record_answers)]
        for worker in workers:
            worker.start()
        deadline = time.time() + 60
        while (len(pages) < 4 or len(voices) < 4) and time.time() < deadline:
            time.sleep(0.01)
        # Kill it in the middle of saving: at a moment when a file is on disk but no committed
        # row names it yet (or after 10 s of looking, whatever it is doing).
        watcher, folder = connect(database), tmp_path / "media"
        deadline = time.time() + 10
        while time.time() < deadline:
            on_disk = {path.name for path in folder.iterdir()}
            if on_disk - named_files(watcher):
                break
        server.send_signal(signal.SIGKILL)  # no clean shutdown, as if the server crashed
        watcher.conn.close()
        server.wait()
        stop.set()
        for worker in workers:
            worker.join()
        assert len(pages) >= 4 and len(voices) >= 4

        # At start, scripts/run.sh sweeps files a crash left without their record.
        env = dict(os.environ, STUDENT_APP_DATABASE=str(database), STUDENT_APP_INSTANCE=str(tmp_path))
        swept = subprocess.run([sys.executable, "-m", "flask", "--app", "student_app", "sweep-media",
                                "--grace-minutes", "0"], env=env, capture_output=True, text=True)
        assert swept.returncode == 0, swept.stderr
        server = start_server(tmp_path, database, port)
        check_uploads_complete(database, tmp_path / "media", amira, pages, voices, base)
    finally:
        server.kill()
        server.wait()


def check_uploads_complete(database, folder, amira, pages, voices, base):
    db = connect(database)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    files = {path.name: path for path in folder.iterdir()}
    assert not [name for name in files if name.endswith(".part")]
    media = {row[0]: row[1:] for row in db.execute("SELECT id, file, thumb_file, kind FROM media")}
    # No half-saved record: every media row's files are there, and something uses the row.
    used = {row[0] for row in db.execute(
        """SELECT media_id FROM passport_photos UNION SELECT did_voice FROM passport_pages
           UNION SELECT media_id FROM page_notes UNION
           SELECT CAST(substr(answer, instr(answer, ':') + 1) AS INTEGER) FROM responses
           WHERE answer LIKE 'photo:%' OR answer LIKE 'voice:%'""")}
    assert set(media) <= used
    named = {name for file, thumb, _kind in media.values() for name in (file, thumb) if name}
    named |= {row[0] for row in db.execute("SELECT file FROM voice_recordings")}
    assert named <= set(files), "a record whose file is missing"
    assert set(files) <= named, "a file that no record names"
    # Every acknowledged page has its two photos and its recording.
    for what in pages:
        page_id, voice = db.execute("SELECT id, did_voice FROM passport_pages WHERE what = ?", [what]).fetchone()
        assert voice in media
        assert db.execute("SELECT count(*) FROM passport_photos WHERE page_id = ?", [page_id]).fetchone()[0] == 2
    # Every acknowledged recording is stored byte for byte and is an answer.
    stored = {files[file].read_bytes(): media_id for media_id, (file, _thumb, kind) in media.items() if kind == "voice"}
    answers = {row[0] for row in db.execute("SELECT answer FROM responses WHERE learner_id = ?", [amira])}
    for data in voices:
        assert data in stored and f"voice:{stored[data]}" in answers
    # And the server, started again, serves them.
    learner = LiveLearner(base, amira, demo_code("Amira"))
    media_id = stored[voices[-1]]
    assert learner.browser.open(f"{base}/media/{media_id}").read() == voices[-1]


def test_a_crash_before_the_commit_leaves_only_a_file_that_the_sweep_removes(client, app, runner, monkeypatch):
    """Files are written before the row that names them is committed; if the request dies in
    between, the rows roll back and the sweep deletes the files."""
    from student_app import passport

    sign_in_as(client, app, "learner", "Amira")
    real_insert = passport.transaction

    def dying_transaction(db):
        # The files are on disk and their rows written, then the process "dies" before COMMIT.
        original = real_insert(db)

        class Dying:
            def __enter__(self):
                return original.__enter__()

            def __exit__(self, *exc):
                return original.__exit__(RuntimeError, RuntimeError("killed"), None)

        return Dying()

    monkeypatch.setattr(passport, "transaction", dying_transaction)
    try:
        client.post("/passport/new", data={"kind": "tried", "what": "Lost page", "happened_on": "2026-11-01",
                                           "photos": [(io.BytesIO(photo_bytes(1)), "p.jpg")]},
                    content_type="multipart/form-data")
    except RuntimeError:
        pass
    folder = Path(app.instance_path) / "media"
    left = list(folder.iterdir())
    assert len(left) == 2  # the photo and its thumbnail, with no row
    with app.app_context():
        assert not get_db().execute("SELECT 1 FROM passport_pages WHERE what = 'Lost page'").fetchone()
        assert not get_db().execute("SELECT 1 FROM media").fetchone()
    kept = runner.invoke(args=["sweep-media"])  # too new: a running server may be about to commit
    assert "Removed 0" in kept.output and len(list(folder.iterdir())) == 2
    swept = runner.invoke(args=["sweep-media", "--grace-minutes", "0"])
    assert "Removed 2" in swept.output and not list(folder.iterdir())


def test_a_refused_recording_stores_none_of_the_answer(client, app):
    """A good photo sent with a bad recording: nothing of the answer is stored."""
    sign_in_as(client, app, "learner", "Amira")
    client.post("/a/all-about-me/mine/start")
    response = client.post("/a/all-about-me/mine/1", data={
        "photo": (io.BytesIO(photo_bytes(2)), "p.jpg"), "voice": (io.BytesIO(b"not audio" * 100), "v.webm")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    folder = Path(app.instance_path) / "media"
    assert not folder.exists() or not list(folder.iterdir())
    with app.app_context():
        assert not get_db().execute("SELECT 1 FROM media").fetchone()


def test_the_sweep_deletes_nothing_when_the_folder_is_not_this_databases(client, app, runner):
    """Pointed at another database, almost every photo looks unnamed: then nothing goes."""
    folder = Path(app.instance_path) / "media"
    folder.mkdir(parents=True)
    for number in range(25):
        (folder / f"{number:032x}.jpg").write_bytes(photo_bytes(number))
    result = runner.invoke(args=["sweep-media", "--grace-minutes", "0"])
    assert result.exit_code == 0 and "is this the right database? Nothing was deleted." in result.output
    assert len(list(folder.iterdir())) == 25
