"""Answers survive the server being killed mid-request, and concurrent taps store one answer."""

import http.cookiejar
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

from student_app.db import connect
from tests.conftest import demo_code, learner_id, sign_in_as


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
            except (OSError, urllib.error.URLError):
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
