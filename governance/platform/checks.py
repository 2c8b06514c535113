"""Start-up checks: configuration that would otherwise surface as a 500 on the first page."""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.checks import Error, register
from django.core.files.storage import storages

STATIC_FILES_MISSING = "regie.E001"


def static_files_problem() -> str:
    """Why pages cannot be served with the configured static storage, or "" when they can.

    The manifest storage used when debug is off fails on every `{% static %}` tag (the error
    pages included) until `collectstatic` has written its manifest."""
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin) or storage.read_manifest() is not None:
        return ""
    return (
        f"Static files are not collected in {settings.STATIC_ROOT}: run "
        "`python manage.py collectstatic --noinput` first (or set REGIE_DEBUG=true to develop)."
    )


@register("regie")
def check_static_files(app_configs, **kwargs):
    problem = static_files_problem()
    return [Error(problem, id=STATIC_FILES_MISSING)] if problem else []
