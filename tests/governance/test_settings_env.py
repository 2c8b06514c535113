import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from governance.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("0", False), ("Yes", True)])
def test_env_bool_reads_plain_words(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG") is expected


def test_env_bool_fails_loudly_on_a_typo(monkeypatch):
    monkeypatch.setenv("X_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG='ture' is not a boolean"):
        env_bool("X_FLAG")


def test_env_int_fails_loudly(monkeypatch):
    monkeypatch.setenv("X_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_NUMBER='ten' is not an integer"):
        env_int("X_NUMBER", 1)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("X_HOSTS", "a.example, b.example,")
    assert env_list("X_HOSTS") == ["a.example", "b.example"]


def load_settings(env: dict, code: str = "") -> subprocess.CompletedProcess:
    code = code or "import governance.settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE)"
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "REGIE_DATA_DIR": "/tmp/regie-settings-test", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_secret_key_is_required_when_not_in_debug():
    result = load_settings({})
    assert result.returncode == 1
    assert "REGIE_SECRET_KEY is required" in result.stderr


def test_debug_is_off_and_cookies_secure_unless_asked():
    assert load_settings({"REGIE_SECRET_KEY": "x" * 50}).stdout.split() == ["False", "True"]
    assert load_settings({"REGIE_DEBUG": "true"}).stdout.split() == ["True", "False"]


def test_a_secret_key_under_fifty_characters_stops_start_up():
    result = load_settings({"REGIE_SECRET_KEY": "x" * 49})
    assert result.returncode == 1
    assert "REGIE_SECRET_KEY has 49 characters; use at least 50" in result.stderr
    assert load_settings({"REGIE_SECRET_KEY": "x" * 50}).returncode == 0


def test_settings_create_the_data_folders_they_name(tmp_path):
    data = tmp_path / "data"
    result = load_settings({"REGIE_DEBUG": "true", "REGIE_DATA_DIR": str(data)})
    assert result.returncode == 0, result.stderr
    assert sorted(p.relative_to(data).as_posix() for p in data.rglob("*") if p.is_dir()) == [
        "broker",
        "broker/control",
        "broker/processed",
        "broker/queue",
        "mail",
    ]


def test_public_url_comes_from_the_environment():
    code = "import governance.settings as s; print(s.REGIE_PUBLIC_URL)"
    env = {"REGIE_DEBUG": "true", "REGIE_PUBLIC_URL": "http://127.0.0.1:8123/"}
    assert load_settings(env, code=code).stdout.strip() == "http://127.0.0.1:8123"


def test_embedded_sqlite_waits_for_a_writer_instead_of_failing():
    code = "import governance.settings as s; print(sorted(s.DATABASES['default']['OPTIONS']))"
    result = load_settings({"REGIE_DEBUG": "true"}, code=code)
    assert result.stdout.strip() == "['init_command', 'timeout', 'transaction_mode']"
