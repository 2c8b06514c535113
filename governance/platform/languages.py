"""Which language to write to a person in: the one they last chose in the portal, else their
organisation's."""

from collections import defaultdict

from django.conf import settings
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from governance.platform.models import LanguagePreference


def language_remember(*, user, language: str) -> None:
    """Keep `language` as the user's choice (a language Regie offers; others are ignored)."""
    if language in dict(settings.LANGUAGES):
        LanguagePreference.objects.update_or_create(user=user, defaults={"language": language})


def emails_by_language(users, *, default: str) -> dict[str, list[str]]:
    """The e-mail addresses of `users` (a User queryset) grouped by the language each chose,
    `default` for those who chose none; addresses sorted, each once, the blank left out."""
    found = defaultdict(set)
    rows = users.exclude(email="").values_list("email", "language_preference__language")
    for email, language in rows:
        found[language or default].add(email)
    return {language: sorted(emails) for language, emails in sorted(found.items())}


def language_of(user, *, default: str) -> str:
    """The language `user` chose, or `default`."""
    preference = LanguagePreference.objects.filter(user_id=user.pk).first()
    return preference.language if preference else default


@require_POST
def set_language(request):
    """Django's language switch, which also remembers a signed-in user's choice for mail."""
    response = django_set_language(request)
    if request.user.is_authenticated:
        language_remember(user=request.user, language=request.POST.get("language", ""))
    return response
