#!/usr/bin/env bash
# The README's run command: create/refresh the virtualenv, install Kairos and the pinned
# front-end assets, set up the embedded SQLite database with the sample app, reference data,
# demo data and an admin user (printed), then serve the web app. Extra arguments go to
# `kairos quickstart`.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
./scripts/assets.sh
exec .venv/bin/kairos quickstart --serve "$@"
