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
install_html_checker
# Every core and one more: pytest-xdist runs the tests in workers each with its own demo
# database, live app and browser; an idle worker takes tests another has not started yet
# (worksteal), as the long walks of every page are one test a role. A browser test waits on
# its browser now and then, so on two cores a third worker keeps them busy (a fresh-clone run
# took 11 min 30 s of pytest against 12 min 22 s with two). TEST_WORKERS=0 runs them in this
# process.
exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-$(( $(nproc) + 1 ))}" --dist worksteal "$@"
