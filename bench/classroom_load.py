"""Load test of a classroom session: 60 tablets polling and answering while a teacher moves
the class through 20 steps, against the app served by waitress on 127.0.0.1.

Run from the project folder (it makes its own throwaway database and server):

    .venv/bin/pip install -e ".[bench]"
    .venv/bin/python bench/classroom_load.py

Targets on the 2-core development machine: answer and poll p95 under 100 ms, no errors, and
the database holding exactly one answer for every answer a tablet gave: none lost, none
twice. Locust (a well-kept load-testing tool) simulates the tablets and the teacher.
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time

from locust import HttpUser, between, constant, events, task  # noqa: I001 (locust patches first)
from locust.env import Environment
import gevent
import pyotp

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.figures import figure  # noqa: E402
from student_app.demo import DEMO_TOTP  # noqa: E402

TABLETS, STEPS = 60, 20
TEACHER = "teacher@oaktree.example"
CODE = ("code-cat", "code-dog", "code-sun")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
SEEN = re.compile(r'seen=([0-9-]+)')
shared = {"code": None, "session": None, "done": False, "answered": 0}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(folder):
    """A demo school with 60 more learners in its class, each with the same picture code."""
    os.environ["STUDENT_APP_INSTANCE"] = folder
    from werkzeug.security import generate_password_hash

    from student_app import create_app
    from student_app.db import get_db, migrate
    from student_app.demo import load_demo

    app = create_app({"DATABASE": f"{folder}/load.sqlite3", "AUDIO_DIR": f"{folder}/audio"})
    with app.app_context():
        db = get_db()
        migrate(db)
        load_demo(db)
        # A cheap hash for the benchmark's own learners only: hashing is not what is measured.
        code_hash = generate_password_hash("-".join(CODE), method="pbkdf2:sha256:1000")
        ids = [db["learners"].insert({"school_id": 1, "class_id": 1, "name": f"Tablet {n:02d}",
                                      "avatar": "avatar-bee", "code_hash": code_hash,
                                      "choices": 4}).last_pk for n in range(TABLETS)]
    return ids


class Tablet(HttpUser):
    wait_time = constant(1)  # the page polls once a second
    learner_ids = []

    def on_start(self):
        learner = Tablet.learner_ids.pop()
        page = self.client.get(f"/sign-in/learner/{learner}", name="sign-in").text
        token, picks = TOKEN.search(page)[1], []
        for pick in CODE:
            self.client.post(f"/sign-in/learner/{learner}", name="sign-in",
                             data={"csrf_token": token, "picks": ",".join(picks), "pick": pick})
            picks.append(pick)
        while shared["code"] is None:
            gevent.sleep(0.2)
        home = self.client.get("/home", name="home").text
        self.token = TOKEN.search(home)[1]
        self.client.post(f"/join/{shared['code']}", data={"csrf_token": self.token}, name="join")
        self.seen, self.answered_rounds = "", set()

    @task
    def poll(self):
        if shared["done"]:
            return
        session_id = shared["session"]
        url = f"/sessions/{session_id}" + (f"?seen={self.seen}" if self.seen else "")
        response = self.client.get(url, name="poll", headers={"HX-Request": "true"})
        if response.status_code != 200:
            return
        found = SEEN.search(response.text)
        self.seen = found[1] if found else ""
        jobs = re.findall(r'name="job" value="([a-z-]+)"', response.text)
        if jobs:
            answer = self.client.post(f"/sessions/{session_id}/answer", name="answer",
                                      data={"csrf_token": self.token, "job": jobs[0]},
                                      headers={"HX-Request": "true"})
            if answer.status_code == 200:
                shared["answered"] += 1
            self.seen = ""


class Teacher(HttpUser):
    fixed_count = 1
    wait_time = between(2, 2.5)

    def on_start(self):
        page = self.client.get("/staff/sign-in", name="teacher").text
        page = self.client.post("/staff/sign-in", name="teacher", data={
            "csrf_token": TOKEN.search(page)[1], "email": TEACHER, "password": "oak-tree-teacher"}).text
        # The second step of staff sign-in: a code from the demo teacher's authenticator key.
        self.client.post("/staff/sign-in/code", name="teacher", data={
            "csrf_token": TOKEN.search(page)[1], "code": pyotp.TOTP(DEMO_TOTP[TEACHER]).now()})
        page = self.client.get("/staff/classes/1/sessions/new", name="teacher").text
        response = self.client.post("/staff/classes/1/sessions/new", name="teacher", data={
            "csrf_token": TOKEN.search(page)[1], "job": ["nurse", "chef", "builder", "vet", "florist"]})
        shared["session"] = int(response.url.rsplit("/", 1)[1])
        control = self.client.get(response.url, name="teacher").text
        shared["code"] = re.search(r'class="code">([A-Z0-9]+)<', control)[1]
        self.steps = 0
        gevent.sleep(8)  # let the tablets sign in and join

    @task
    def advance(self):
        if self.steps >= STEPS:
            shared["done"] = True
            return
        page = self.client.get(f"/staff/sessions/{shared['session']}", name="teacher").text
        action = next(a for a in ("start", "next", "reveal", "next-job") if f'value="{a}"' in page)
        version = re.search(r'name="version" value="(\d+)"', page)[1]
        self.client.post(f"/staff/sessions/{shared['session']}/step", name="step", data={
            "csrf_token": TOKEN.search(page)[1], "action": action, "version": version})
        self.steps += 1


def main():
    folder = tempfile.mkdtemp(prefix="classroom-load-")
    Tablet.learner_ids = prepare(folder)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "waitress", "--host", "127.0.0.1", f"--port={port}", "--threads", "4",
         "--call", "student_app:create_app"],
        env=dict(os.environ, STUDENT_APP_INSTANCE=folder,
                 STUDENT_APP_DATABASE=f"{folder}/load.sqlite3", STUDENT_APP_AUDIO_DIR=f"{folder}/audio"),
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        host = f"http://127.0.0.1:{port}"
        Tablet.host = Teacher.host = host
        env = Environment(user_classes=[Tablet, Teacher], events=events)
        runner = env.create_local_runner()
        runner.start(TABLETS + 1, spawn_rate=TABLETS + 1)
        started = time.time()
        while not shared["done"] and time.time() - started < 300:
            gevent.sleep(0.5)
        gevent.sleep(2)
        runner.quit()
        elapsed = time.time() - started
    finally:
        server.terminate()
        server.wait()
    report(env, elapsed, folder)


def report(env, elapsed, folder):
    import sqlite3

    total = env.stats.total
    print(f"{TABLETS} tablets, {STEPS} teacher steps, {elapsed:.0f} s")
    print(f"requests: {total.num_requests}, {total.num_requests / elapsed:.0f} a second, "
          f"errors: {total.num_failures}")
    for name, method in (("poll", "GET"), ("answer", "POST"), ("step", "POST")):
        entry = env.stats.get(name, method)
        p = entry.get_response_time_percentile
        print(f"{name:7} n={entry.num_requests:5}  p50 {p(0.5):4.0f} ms  p95 {p(0.95):4.0f} ms  "
              f"p99 {p(0.99):4.0f} ms  errors {entry.num_failures}")
        if name != "step":
            figure(f"{name} p95", p(0.95), "ms", 100)
    db = sqlite3.connect(f"{folder}/load.sqlite3")
    stored, distinct = db.execute(
        """SELECT count(*), count(DISTINCT plays.learner_id || ':' || plays.item) FROM responses
           JOIN plays ON plays.id = responses.play_id
           WHERE plays.session_id IS NOT NULL AND responses.step = 'guess'""").fetchone()
    print(f"answers given (200 from the server): {shared['answered']}; stored: {stored}; "
          f"stored twice: {stored - distinct}; lost: {shared['answered'] - stored}")
    figure("answers lost or stored twice", (shared["answered"] - stored) + (stored - distinct), "", 0, "at most")
    figure("requests that failed", total.num_failures, "", 0, "at most")


if __name__ == "__main__":
    main()
