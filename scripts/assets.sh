#!/usr/bin/env bash
# Install the pinned npm front-end packages (package-lock.json) and copy what the pages use
# into runtime/web/static/vendor, served locally: pages work with no internet.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null; then
  echo "npm is required for the web app's assets (Node.js 18+)" >&2
  exit 1
fi
npm ci --no-audit --no-fund --silent
.venv/bin/python scripts/vendor.py
