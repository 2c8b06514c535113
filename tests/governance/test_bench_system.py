"""The whole-system benchmark's small mode runs (two small tenants served by gunicorn) and every
page it measures runs the same number of queries at both sizes. No timing is judged here."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_system_benchmark_small_mode_runs_with_equal_query_counts(tmp_path):
    # A database of its own next to the suite's (PostgreSQL) or in a temporary file (SQLite).
    env = {**os.environ, "REGIE_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "bench" / "system.py"), "--small"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "the same queries at both sizes" in result.stdout
    assert "audit findings board" in result.stdout
