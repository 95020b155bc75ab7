"""The sample opportunity-management app (商机管理): its definition, reference data and demo
data generator. See docs/sample-app.md.
"""

from pathlib import Path

APP_DIR = Path(__file__).resolve().parent
"""The app definition folder (app.json + tables/)."""
SEED_DIR = APP_DIR / "seed"
"""Reference data loaded into a new app (stages, lost reasons, products …)."""
