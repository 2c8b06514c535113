"""The outbox end to end: a real Celery worker, Redis as broker, PostgreSQL and an SMTP server.

Needs REDIS_URL and a PostgreSQL DATABASE_URL: the worker is a separate process and cannot see
an in-memory SQLite test database. Without them the test is skipped, unless
REGIE_REQUIRE_INTEGRATION=1 turns a missing prerequisite into a failure.
"""

import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from kombu import Connection, Exchange, Queue

from governance.platform.models import OutboxMessage, TaskRun
from governance.platform.outbox import outbox_enqueue
from governance.platform.tasks import task_relay_outbox

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKER_READY_TIMEOUT = 30
DELIVERY_TIMEOUT = 30


def _missing_prerequisite(reason: str) -> None:
    if os.environ.get("REGIE_REQUIRE_INTEGRATION") == "1":
        pytest.fail(f"REGIE_REQUIRE_INTEGRATION=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        _missing_prerequisite("REDIS_URL is not set.")
    return url


@pytest.fixture
def postgres(redis_url) -> None:
    """Checked before the test database is set up, so a skip costs nothing."""
    if connection.vendor != "postgresql":
        _missing_prerequisite(
            f"the database is {connection.vendor}, not PostgreSQL (set DATABASE_URL); "
            "a worker process cannot share it."
        )


@pytest.fixture
def postgres_db(postgres, transactional_db) -> dict:
    """The test database, committed row by row, so a worker process sees every row."""
    return connection.settings_dict


def database_url(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(str(settings_dict.get("PASSWORD") or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(settings_dict.get("HOST") or "", safe="")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    name = quote(settings_dict["NAME"], safe="")
    return f"postgres://{credentials}{host}{port}/{name}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CollectingHandler:
    """Accepts every message and keeps its envelope."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def wait_for(condition, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())


class Worker:
    def __init__(self, process: subprocess.Popen, log: Path, queue: Queue):
        self.process = process
        self.log = log
        self.queue = queue
        # Workers restarted on the same log: this one is ready at the next " ready." line.
        self.started = self.output().count(" ready.")

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def assert_alive(self) -> None:
        assert self.process.poll() is None, (
            f"Celery worker exited with {self.process.returncode}:\n{self.output()}"
        )


def worker_environment(postgres_db, redis_url, smtp_server, data_dir: Path, queue: str) -> dict:
    """Production settings from the environment, on a queue of the test's own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("REGIE_", "SMTP_", "CELERY_", "DJANGO_", "DATABASE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="governance.settings",
        REGIE_SECRET_KEY="regie-integration-test-secret-key-0123456789-0123456789",
        REGIE_DEBUG="false",
        REGIE_HTTPS="false",
        REGIE_DATA_DIR=str(data_dir),
        DATABASE_URL=database_url(postgres_db),
        REDIS_URL=redis_url,
        SMTP_HOST=smtp_server.hostname,
        SMTP_PORT=str(smtp_server.port),
        SMTP_TLS="false",
        # Tasks the worker queues itself (follow-ups, the outbox nudge) stay on its queue.
        REGIE_CELERY_QUEUE=queue,
        PYTHONUNBUFFERED="1",
    )
    return env


def start_worker(env: dict, queue: Queue, log: Path, *options: str) -> "Worker":
    """A worker process (in a process group of its own, so a test can kill it with every child)
    that is ready to take messages."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "governance",
        "worker",
        "-Q",
        queue.name,
        "--hostname",
        f"{queue.name}-{uuid.uuid4().hex[:6]}@%h",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-l",
        "INFO",
        *(options or ("--pool=solo", "--concurrency=1")),
    ]
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = Worker(process, log, queue)
    ready = wait_for(
        lambda: process.poll() is not None or worker.output().count(" ready.") > worker.started,
        WORKER_READY_TIMEOUT,
    )
    worker.assert_alive()
    assert ready, f"Celery worker not ready in {WORKER_READY_TIMEOUT}s:\n{worker.output()}"
    return worker


def stop_worker(worker: "Worker") -> None:
    if worker.process.poll() is not None:
        return
    worker.process.terminate()
    try:
        worker.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait(timeout=5)


def delete_queue(redis_url: str, queue: Queue) -> None:
    """Remove the queue and its binding from Redis; a channel unbinds what it declared."""
    with Connection(redis_url) as conn:
        bound = queue(conn.default_channel)
        bound.declare()
        bound.delete()


def worker_queue(prefix: str = "regie-integration") -> Queue:
    name = f"{prefix}-{uuid.uuid4().hex}"
    # Declared like Celery declares a queue named on the command line; passed as an object, it
    # leaves the app's own queue map untouched.
    return Queue(name, Exchange(name), routing_key=name)


@pytest.fixture
def celery_worker(postgres_db, redis_url, smtp_server, tmp_path):
    """A real worker on a queue of its own, configured like production from the environment."""
    queue = worker_queue()
    env = worker_environment(postgres_db, redis_url, smtp_server, tmp_path / "data", queue.name)
    log = tmp_path / "worker.log"
    worker = None
    try:
        worker = start_worker(env, queue, log)
        yield worker
    finally:
        if worker is not None:
            stop_worker(worker)
        # Captured by pytest and shown only when the test fails.
        sys.stderr.write(f"--- Celery worker output ({queue.name}) ---\n{log.read_text()}\n")
        delete_queue(redis_url, queue)


def publish_relay(redis_url: str, queue: Queue) -> str:
    """Send the relay task to the worker's queue over Redis, leaving the app's broker alone."""
    with Connection(redis_url) as conn:
        result = task_relay_outbox.apply_async(connection=conn, queue=queue)
    return result.id


def finished_run(task_id: str) -> TaskRun | None:
    return TaskRun.objects.filter(task_id=task_id, finished_at__isnull=False).first()


def test_outbox_relay_delivers_once_through_worker_and_smtp(
    redis_url, postgres, postgres_db, smtp_server, celery_worker
):
    recipient = "contractmanager@zuidrand.example"
    subject = f"Regie integration {uuid.uuid4().hex[:8]}"
    message = outbox_enqueue(to=[recipient], subject=subject, text="Hello from the outbox.")
    envelopes = smtp_server.handler.envelopes

    first = publish_relay(redis_url, celery_worker.queue)
    delivered = wait_for(lambda: len(envelopes) >= 1, DELIVERY_TIMEOUT)
    celery_worker.assert_alive()
    assert delivered, f"No mail within {DELIVERY_TIMEOUT}s:\n{celery_worker.output()}"
    assert wait_for(lambda: finished_run(first) is not None, DELIVERY_TIMEOUT)

    envelope = envelopes[0]
    assert envelope.rcpt_tos == [recipient]
    parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert parsed["Subject"] == subject
    assert parsed["Message-ID"] == f"<{message.uuid}@regie>"
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 1
    assert finished_run(first).status == TaskRun.Status.SUCCEEDED

    # A second relay finds nothing due: the message is not sent again.
    second = publish_relay(redis_url, celery_worker.queue)
    assert wait_for(lambda: finished_run(second) is not None, DELIVERY_TIMEOUT), (
        f"Second relay did not finish within {DELIVERY_TIMEOUT}s:\n{celery_worker.output()}"
    )
    assert finished_run(second).status == TaskRun.Status.SUCCEEDED
    assert len(envelopes) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 1
