#!/usr/bin/env bash
# Install what is missing, create the database with the demo school, build the narration,
# and serve the app with waitress at http://127.0.0.1:5000.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install.sh

install_system_packages python3 espeak-ng $(pdf_packages)
make_venv ""
export FLASK_APP=student_app
.venv/bin/flask symbols check
.venv/bin/flask content check
.venv/bin/flask narration build || echo "Narration was not built; the app will show text without sound."
.venv/bin/flask demo
# Files a crash left without their record (see media.py); no server is running yet.
.venv/bin/flask sweep-media --grace-minutes 0
echo
echo "Open http://${HOST:-127.0.0.1}:${PORT:-5000} (press Ctrl+C to stop)."
exec .venv/bin/waitress-serve --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}" --threads 4 \
  --call student_app:create_app
