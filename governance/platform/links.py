"""Absolute links for e-mails, PDFs and anything else read outside the browser session."""

from django.conf import settings


def public_base_url() -> str:
    """Where links in e-mails point: REGIE_PUBLIC_URL, else the first trusted origin, else the
    first allowed host."""
    if settings.REGIE_PUBLIC_URL:
        return settings.REGIE_PUBLIC_URL.rstrip("/")
    if settings.CSRF_TRUSTED_ORIGINS:
        return settings.CSRF_TRUSTED_ORIGINS[0].rstrip("/")
    host = settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "localhost"
    return f"{'http' if settings.DEBUG else 'https'}://{host}"
