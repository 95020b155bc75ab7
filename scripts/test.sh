#!/usr/bin/env bash
# The README's test command: create/refresh the virtualenv, install Kairos with its dev
# dependencies, lint, and run the whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
if [ "${1:-}" = "--lint-only" ]; then
  .venv/bin/ruff check .
  .venv/bin/ruff format --check .
  exit 0
fi
.venv/bin/ruff check .
./scripts/assets.sh
exec .venv/bin/python -m pytest "$@"
