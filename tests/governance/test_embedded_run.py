"""`make run` on a fresh data folder: the embedded default starts, on the port it is given.

The script migrates a new SQLite file, loads the demo, prints the logins and serves web and
worker; the health check then names every part "ok". Needs no service and no network.
"""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 300


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:  # noqa: S310
            return json.loads(response.read())
    except OSError:
        return None


def test_make_run_serves_the_demo_on_the_port_it_is_given(tmp_path):
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("REGIE_", "DATABASE_URL", "REDIS_URL", "DJANGO_", "CELERY_"))
    }
    env.update(REGIE_DATA_DIR=str(tmp_path / "data"), PORT=str(port))
    output = tmp_path / "run.log"
    with output.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603
            ["scripts/run"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        health = None
        while health is None and time.monotonic() < deadline and process.poll() is None:
            time.sleep(1)
            health = _health(port)
        printed = output.read_text(errors="replace")
        assert health == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}, printed
        assert f"Regie runs on http://127.0.0.1:{port}/" in printed
        assert "manager@zuidrand.example" in printed and "regie-demo" in printed
        worker_log = tmp_path / "data" / "worker.log"
        while time.monotonic() < deadline and " ready." not in _read(worker_log):
            time.sleep(1)
        assert " ready." in _read(worker_log), _read(worker_log)
        assert process.poll() is None
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    assert not (ROOT / "control").exists()  # the on-disk broker keeps to the data folder


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""
