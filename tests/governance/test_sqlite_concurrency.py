"""The embedded default: the web server and a worker write one SQLite file at the same time.

Two processes with the real settings (no DATABASE_URL, so SQLite under REGIE_DATA_DIR) each run
200 short transactions that read and then write, as a request and a task do. Before WAL,
IMMEDIATE transactions and a busy timeout, such a pair failed with "database is locked".
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRITES = 200

# A request: read the pending messages, then store one more (the complaint's acknowledgement).
WEB = """
from django.db import transaction
from django.utils import timezone
from governance.platform.models import OutboxMessage
for n in range(WRITES):
    with transaction.atomic():
        OutboxMessage.objects.filter(status="pending").count()
        OutboxMessage.objects.create(
            to=[f"web{n}@example.test"], subject=f"web {n}", body_text="x",
            next_attempt_at=timezone.now(),
        )
"""

# A task: read a pending message, mark it sent, record the run.
WORKER = """
from django.db import transaction
from django.utils import timezone
from governance.platform.models import OutboxMessage, TaskRun
for n in range(WRITES):
    with transaction.atomic():
        pending = OutboxMessage.objects.filter(status="pending").order_by("pk").first()
        if pending is not None:
            sent = OutboxMessage.objects.filter(pk=pending.pk)
            sent.update(status="sent", sent_at=timezone.now())
        TaskRun.objects.create(name=f"worker {n}", status="succeeded", started_at=timezone.now())
"""

HARNESS = """
import json, os, sys, time
import django
django.setup()
from django.db import OperationalError
WRITES = {writes}
go = float(sys.argv[1])
while time.time() < go:
    time.sleep(0.005)
errors = []
try:
{body}
except OperationalError as error:
    errors.append(str(error))
print(json.dumps({{"errors": errors}}))
"""


def _environment(data_dir: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("REGIE_", "DATABASE_URL", "REDIS_URL", "DJANGO_", "CELERY_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="governance.settings",
        REGIE_DEBUG="true",
        REGIE_DATA_DIR=str(data_dir),
    )
    return env


def _script(body: str) -> str:
    indented = "\n".join("    " + line for line in body.strip().splitlines())
    return HARNESS.format(writes=WRITES, body=indented)


def test_web_and_worker_write_sqlite_together_without_lock_errors(tmp_path):
    env = _environment(tmp_path / "data")
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity=0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    go = str(time.time() + 3)  # both start writing at the same moment, after their imports
    processes = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", _script(body), go],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for body in (WEB, WORKER)
    ]
    results = [process.communicate(timeout=300) for process in processes]
    for process, (stdout, stderr) in zip(processes, results, strict=True):
        assert process.returncode == 0, stderr
        assert json.loads(stdout.strip().splitlines()[-1]) == {"errors": []}

    count = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import django; django.setup();"
            "from governance.platform.models import OutboxMessage, TaskRun;"
            "print(OutboxMessage.objects.count(), TaskRun.objects.count())",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert count.stdout.split() == [str(WRITES), str(WRITES)]
    journal = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.db import connection;"
            "cursor = connection.cursor(); cursor.execute('PRAGMA journal_mode');"
            "print(cursor.fetchone()[0])",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert journal.stdout.strip() == "wal"
