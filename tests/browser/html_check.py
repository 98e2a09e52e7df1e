"""The W3C Nu HTML checker (vnu.jar, from the npm package vnu-jar: scripts/install.sh) over the
HTML of every page the accessibility gate opens, as the server sent it (and, from the gate, as
the page's scripts left it).

The live server keeps each whole page it sends while a PageRecorder is on (htmx's fragments
are not documents: they are checked inside the pages that hold them), so a page is loaded once
for axe, the keyboard, 320 px and this; the gate then hands its pages to the checker in one run.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = Path(os.environ.get("VNU_JAR", ROOT / ".venv" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"))


class PageRecorder:
    """WSGI middleware in front of the live app: while `on`, keeps (path, HTML) for every whole
    document it answers with (text/html beginning with a doctype)."""

    def __init__(self, app):
        self.app, self.on, self.pages = app, False, []

    def __call__(self, environ, start_response):
        if not self.on:
            return self.app(environ, start_response)
        kind = {}

        def starting(status, headers, exc_info=None):
            kind["html"] = any(k.lower() == "content-type" and v.startswith("text/html") for k, v in headers)
            kind["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        body = self.app(environ, starting)
        if not kind.get("html"):
            return body
        try:
            chunks = list(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        html = b"".join(chunks)
        if html.lstrip()[:15].lower() == b"<!doctype html>":
            self.pages.append((environ.get("PATH_INFO", ""), html, kind["status"]))
        return chunks

    def mark(self):
        return len(self.pages)

    def since(self, mark):
        """The last whole page sent since `mark` (the one the browser shows) and its status
        code, or (None, None)."""
        found = self.pages[mark:]
        return found[-1][1:] if found else (None, None)


def nu_problems(pages, folder):
    """Run the Nu checker once over `pages` ({where: HTML bytes}), written into `folder`; its
    errors as words, each with the page it is on. Warnings are advice and are left out."""
    if not VNU_JAR.is_file():
        pytest.fail(f"The Nu HTML checker is not at {VNU_JAR}; scripts/test.sh installs it.")
    if not pages:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    names = {}
    for number, (where, html) in enumerate(pages.items()):
        path = folder / f"page-{number}.html"
        path.write_bytes(html)
        names[path.resolve().as_uri().replace("file:///", "file:/")] = where
    run = subprocess.run(["java", "-Xss4m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout",
                          "--exit-zero-always", *sorted(str(folder / name) for name in os.listdir(folder))],
                         capture_output=True, text=True, timeout=600)
    try:
        messages = json.loads(run.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"The Nu HTML checker gave no report: {run.stdout[-500:]} {run.stderr[-2000:]}")
    return [f"{names.get(m.get('url'), m.get('url'))}: not valid HTML (Nu checker): {m['message']}"
            f" at line {m.get('lastLine')}: {m.get('extract', '').strip()!r}" for m in messages]
