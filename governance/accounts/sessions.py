"""Session lifetime: an idle timeout and an absolute lifetime, both from the settings.

Login stamps the session with its start and the last time it was seen; the middleware ends a
session idle for REGIE_SESSION_IDLE_MINUTES or older than REGIE_SESSION_MAX_HOURS. "Seen" is
written at most once a minute, so a read does not become a session write on every request.
A deactivated user's session ends at its next request anyway: Django's ModelBackend refuses
inactive users when it loads the session's user. Deactivation also deletes the user's sessions
and revokes its API tokens, so switching the account on again brings none of them back.
"""

import logging

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

logger = logging.getLogger(__name__)

STARTED = "regie_auth_started"
SEEN = "regie_auth_seen"
SEEN_PRECISION = 60  # seconds


def _now() -> int:
    return int(timezone.now().timestamp())


def sessions_end_for_user(user) -> int:
    """Delete every live session of `user` (database sessions; a user's sessions are not
    indexed, so the live ones are read)."""
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now())
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def end_everything_of_a_deactivated_user(sender, instance, created, **kwargs):
    if created or instance.is_active:
        return
    from governance.accounts.tokens import tokens_revoke_for_user

    tokens_revoke_for_user(user=instance, reason="deactivated")
    count = sessions_end_for_user(instance)
    if count:
        logger.info("%s session(s) of deactivated user %s ended", count, instance.pk)


@receiver(user_logged_in)
def stamp_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = _now()
        request.session[STARTED] = now
        request.session[SEEN] = now


def expired(session, now: int) -> str | None:
    """Why the session is over ("idle", "lifetime"), or None while it lasts."""
    started, seen = session.get(STARTED), session.get(SEEN)
    if started is None or seen is None:
        return None
    if now - seen > settings.REGIE_SESSION_IDLE_MINUTES * 60:
        return "idle"
    if now - started > settings.REGIE_SESSION_MAX_HOURS * 3600:
        return "lifetime"
    return None


class SessionLifetimeMiddleware:
    """After AuthenticationMiddleware: ends an idle or too old session before the view runs;
    the request goes on as anonymous (a page then asks to log in, the API answers 401)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated:
            now = _now()
            reason = expired(session, now)
            if reason is not None:
                logger.info("Session of user %s ended (%s)", request.user.pk, reason)
                logout(request)
            elif session.get(STARTED) is None:
                session[STARTED] = session[SEEN] = now  # a session from before these stamps
            elif now - session[SEEN] >= SEEN_PRECISION:
                session[SEEN] = now
        return self.get_response(request)
