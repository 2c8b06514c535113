# Regie production image. One image for every role: gunicorn (the default CMD), the Celery
# worker, Celery beat and the one-shot migrate job (see docker-compose.yml).
FROM python:3.12-slim

# Pango and HarfBuzz are the system libraries WeasyPrint loads to render PDFs; gettext
# provides msgfmt for compilemessages below.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Templates, static files and translations sit at the repository root, not in the installed
# wheel: put /app first on the path so settings.BASE_DIR is /app for every process
# (gunicorn, celery and manage.py alike).
ENV PYTHONPATH=/app
# The only writable place: beat schedule, and mail files if SMTP_HOST is unset.
ENV REGIE_DATA_DIR=/data
# gunicorn reads its worker count from WEB_CONCURRENCY; override it in .env.
ENV WEB_CONCURRENCY=3

# Unprivileged runtime user. /data is created here, owned by it, so a named volume mounted
# there starts out writable for this user.
RUN useradd --system --user-group --uid 10001 --no-create-home --home-dir /data \
        --shell /usr/sbin/nologin regie \
    && install --directory --owner=regie --group=regie /data

WORKDIR /app
COPY . .

# The pinned dependencies come from pyproject.toml. The in-tree build leftovers are removed.
RUN pip install . \
    && rm -rf build *.egg-info

# Settings refuse to load without a secret key; this throwaway value exists for this build
# step only and is not part of the image's environment.
RUN export REGIE_SECRET_KEY=build-only-not-a-secret-just-long-enough-for-the-check \
    && python manage.py compilemessages --ignore=.venv \
    && python manage.py collectstatic --noinput

# Code and collected static files stay owned by root: the app cannot modify them.
USER regie

EXPOSE 8000

# No HEALTHCHECK here: the same image runs the worker and beat, which serve no HTTP.
# /dev/shm keeps gunicorn's worker heartbeat files off the overlay filesystem.
CMD ["gunicorn", "governance.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--worker-tmp-dir", "/dev/shm", \
     "--access-logfile", "-"]
