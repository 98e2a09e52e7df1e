#!/usr/bin/env bash
# Install what the tests need (speech engine, Chromium and its driver, a venv with the
# project and its test tools), then run the whole suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install.sh

install_system_packages python3 espeak-ng $(pdf_packages)
install_system_packages $(browser_packages)
# pdfinfo and pdftotext check the passport PDF in the tests.
install_system_packages poppler-utils
make_venv "[test]"
# Both cores: pytest-xdist runs the tests in one worker a core, each with its own demo
# database, live app and browser; an idle worker takes tests another has not started yet
# (worksteal), as the long walks of every page are one test a role. TEST_WORKERS=0 runs them
# in this process.
exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-auto}" --dist worksteal "$@"
