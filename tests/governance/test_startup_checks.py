"""Start-up refuses what would otherwise be a 500 on every page; links in mails open."""

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from governance.platform.checks import STATIC_FILES_MISSING, static_files_problem
from governance.platform.links import public_base_url

MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_debug_off_without_collected_static_files_is_refused(tmp_path):
    with override_settings(STORAGES=MANIFEST_STORAGE, STATIC_ROOT=tmp_path):
        assert static_files_problem().startswith(f"Static files are not collected in {tmp_path}")
        assert [e.id for e in run_checks(tags=["regie"])] == [STATIC_FILES_MISSING]


def test_collected_static_files_pass_the_check(tmp_path):
    (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1", "hash": ""}')
    with override_settings(STORAGES=MANIFEST_STORAGE, STATIC_ROOT=tmp_path):
        assert static_files_problem() == ""
        assert run_checks(tags=["regie"]) == []


def test_the_wsgi_application_refuses_to_start_without_static_files(tmp_path):
    from tests.governance.test_settings_env import load_settings

    env = {"REGIE_SECRET_KEY": "k" * 50, "REGIE_HTTPS": "false", "REGIE_DATA_DIR": str(tmp_path)}
    code = (
        "import governance.settings as s; s.STATIC_ROOT = '" + str(tmp_path / "static") + "';"
        "import governance.wsgi"
    )
    result = load_settings(env, code=code)
    assert result.returncode == 1
    assert "ImproperlyConfigured: Static files are not collected" in result.stderr


@pytest.mark.parametrize(
    ("public_url", "origins", "expected"),
    [
        ("http://127.0.0.1:8001/", [], "http://127.0.0.1:8001"),
        ("", ["https://regie.example"], "https://regie.example"),
    ],
)
def test_links_in_mails_use_the_public_url(settings, public_url, origins, expected):
    settings.REGIE_PUBLIC_URL = public_url
    settings.CSRF_TRUSTED_ORIGINS = origins
    assert public_base_url() == expected
