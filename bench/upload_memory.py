"""Peak memory of the server while eight photos are uploaded at once (issue 13.6).

Run from the project folder (it starts its own waitress server on 127.0.0.1 with a throwaway
database and folder, and stops it at the end):

    .venv/bin/python bench/upload_memory.py

Target on the 2-core development machine: under 600 MB for the server, for each round. Two
rounds of eight concurrent uploads as one signed-in learner, each a new passport page with one
photo: the attack that once took the server from 182 MB to 2.3 GB (a 14 KB PNG that claims
7000 x 7000 pixels), then the biggest photos still accepted (a 24-megapixel PNG, decoded in
full, and a 48-megapixel phone JPEG, decoded at a reduced scale). The server's own peak
resident set (VmHWM, from /proc) is read after each round; it includes Python and Flask.
"""

import io
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
import zlib
from http.cookiejar import CookieJar

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from bench.figures import figure  # noqa: E402

from PIL import Image  # noqa: E402

CONCURRENT, TARGET_MB = 8, 600


def png_bomb(width, height):
    """A small PNG whose header claims `width` x `height` (its pixels compress to nothing)."""
    import struct

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = zlib.compress(b"\0" * (width * 3 + 1) * 64, 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))


def picture(width, height, kind):
    out = io.BytesIO()
    Image.new("RGB", (width, height), (90, 140, 60)).save(out, kind)
    return out.getvalue()


def multipart(fields, filename, data):
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="{filename}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def peak_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmHWM"))
    return int(line.split()[1]) / 1024


def main():
    folder = tempfile.mkdtemp(prefix="upload-memory-")
    env = dict(os.environ, STUDENT_APP_INSTANCE=folder, STUDENT_APP_WTF_CSRF_ENABLED="false",
               STUDENT_APP_AUDIO_DIR=os.path.join(folder, "audio"), FLASK_APP="student_app")
    python = sys.executable
    subprocess.run([python, "-m", "flask", "demo"], env=env, check=True, capture_output=True, cwd=ROOT)
    port = "5391"
    server = subprocess.Popen([python, "-m", "waitress", "--host", "127.0.0.1", "--port", port, "--threads", "4",
                               "--call", "student_app:create_app"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/about", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        from student_app import create_app
        from student_app.db import get_db

        app = create_app({"DATABASE": os.path.join(folder, "student_app.sqlite3")})
        with app.app_context():
            amira = get_db().execute("SELECT id FROM learners WHERE name = 'Amira'").fetchone()[0]
        opener.open(base + f"/sign-in/learner/{amira}", urllib.parse.urlencode(
            {"picks": "code-cat,code-sun", "pick": "code-tree"}).encode())
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        print(f"server at start: {peak_mb(server.pid):.0f} MB")
        rounds = [("the attack: 14 KB PNGs claiming 7000 x 7000", png_bomb(7000, 7000), "bomb.png"),
                  ("accepted: 24-megapixel PNGs (6000 x 4000)", picture(6000, 4000, "PNG"), "big.png"),
                  ("accepted: 48-megapixel JPEGs (8000 x 6000)", picture(8000, 6000, "JPEG"), "phone.jpg")]
        worst = 0
        for words, data, filename in rounds:
            body, kind = multipart({"kind": "tried", "what": "A photo", "happened_on": "2026-11-01"}, filename, data)
            ready, codes = threading.Barrier(CONCURRENT), []

            def send():
                ready.wait()
                request = urllib.request.Request(base + "/passport/new", data=body, method="POST",
                                                 headers={"Content-Type": kind, "Cookie": cookie})
                try:
                    with urllib.request.urlopen(request, timeout=120) as response:
                        codes.append(response.status)
                except urllib.error.HTTPError as error:
                    codes.append(error.code)

            started = time.perf_counter()
            threads = [threading.Thread(target=send) for _ in range(CONCURRENT)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            peak = peak_mb(server.pid)
            worst = max(worst, peak)
            print(f"{words} ({len(data) // 1024} KB each), {CONCURRENT} at once: answers {sorted(codes)}, "
                  f"{time.perf_counter() - started:.1f} s, server peak so far {peak:.0f} MB")
        print(f"worst server peak: {worst:.0f} MB (target under {TARGET_MB} MB): {'met' if worst < TARGET_MB else 'NOT met'}")
        figure(f"server peak, {CONCURRENT} big photos at once", worst, "MB", TARGET_MB)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
