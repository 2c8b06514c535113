import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: refuse to start rather than answer every page with a 500.
from governance.platform.checks import static_files_problem  # noqa: E402

if problem := static_files_problem():
    raise ImproperlyConfigured(problem)
