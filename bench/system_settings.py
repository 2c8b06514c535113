"""Settings for the gunicorn server of bench/system.py: the project's own settings (from the
environment, debug off) with the benchmark's URLconf, which adds two bare views.

Two things change beside that, neither on a measured path's cost: static files are served
without the manifest (no collectstatic before a run), and the public form's minimum fill time
and rate limits are lifted so the benchmark may post many complaints in a few seconds (the
limits are still checked on every post, against a larger allowance).
"""

from governance.settings import *  # noqa: F403

ROOT_URLCONF = "bench.system_urls"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
COMPLAINTS_MIN_FILL_SECONDS = 0
COMPLAINTS_RATE_LIMITS = {"address": (1_000_000, 3600), "organisation": (1_000_000, 3600)}
