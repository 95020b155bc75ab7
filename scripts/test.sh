#!/usr/bin/env bash
# The README's test command: create/refresh the virtualenv, install Kairos with its dev
# dependencies, lint, and run the whole test suite. Extra arguments go to pytest.
# KAIROS_TEST_PREPARED=1 (CI, which installs and fetches the front-end assets once and
# then runs the suite on SQLite and PostgreSQL side by side) skips the install and assets.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
if [ -z "${KAIROS_TEST_PREPARED:-}" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
fi
if [ "${1:-}" = "--lint-only" ]; then
  .venv/bin/ruff check .
  .venv/bin/ruff format --check .
  exit 0
fi
.venv/bin/ruff check .
[ -n "${KAIROS_TEST_PREPARED:-}" ] || ./scripts/assets.sh
exec .venv/bin/python -m pytest "$@"
