"""Answering a survey without an account: by one-time invitation token or by the open link.

Nothing about the respondent is kept: no IP address, no user agent, no time of day. The open
link's rate limit counts per hashed address in the cache only (in process memory while the
cache is unreachable), for an hour.
"""

import hashlib
import re

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_scopes import scopes_disabled

from governance.platform import ratelimit
from governance.platform.access import system_access, tenant_scope
from kto.models import (
    LIKERT_MAX,
    LIKERT_MIN,
    SCALE_MAX,
    SCALE_MIN,
    Invitation,
    ItemRole,
    QuestionKind,
    StakeholderGroup,
    Survey,
)
from kto.services import LinkProblem, response_submit, survey_check_answerable
from kto.tokens import token_hash

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")
OPEN_LINK_PER_ADDRESS_PER_HOUR = 10
OPEN_LINK_PER_SURVEY_PER_HOUR = 500
LANGUAGES = ("nl", "en")
LIKERT_LABELS = [
    _("Strongly disagree"),
    _("Disagree"),
    _("Neither agree nor disagree"),
    _("Agree"),
    _("Strongly agree"),
]
PROBLEM_STATUS = {"invalid": 400, "used": 410, "expired": 410, "closed": 410, "not_open": 409}


def _language(request, default: str) -> str:
    chosen = request.POST.get("lang") or request.GET.get("lang") or ""
    return chosen if chosen in LANGUAGES else (default if default in LANGUAGES else "nl")


def _problem(request, reason: str, language: str):
    with translation.override(language):
        return render(
            request,
            "kto/public/problem.html",
            {"reason": reason, "language": language},
            status=PROBLEM_STATUS[reason],
        )


def _sections(survey: Survey, group: str, language: str, values: dict) -> list[dict]:
    """The survey's items grouped in the order a respondent meets them."""
    titles = {
        ItemRole.EXPECTATION: "expectation",
        ItemRole.PERCEPTION: "perception",
        ItemRole.IMPORTANCE: "importance",
    }
    sections: list[dict] = []
    for item in survey.items.select_related("question"):
        section = titles.get(item.role, "other")
        if not sections or sections[-1]["kind"] != section:
            sections.append({"kind": section, "items": []})
        question = item.question
        kind = question.kind
        scale = []
        if kind == QuestionKind.LIKERT:
            scale = list(zip(range(LIKERT_MIN, LIKERT_MAX + 1), LIKERT_LABELS, strict=True))
        elif kind == QuestionKind.SCALE:
            scale = [(v, str(v)) for v in range(SCALE_MIN, SCALE_MAX + 1)]
        sections[-1]["items"].append(
            {
                "name": f"item_{item.pk}",
                "text": question.text(language=language, group=group),
                "kind": kind,
                "required": item.required,
                "scale": scale,
                "value": values.get(f"item_{item.pk}", ""),
            }
        )
    return sections


def _form_page(request, *, survey, group, language, contracts=None, errors=None, status=200):
    values = request.POST if request.method == "POST" else {}
    errors = errors or {}
    with translation.override(language):
        return render(
            request,
            "kto/public/answer.html",
            {
                "survey": survey,
                "organisation_name": survey.organisation.name,
                "sections": _sections(survey, group, language, values),
                "errors": errors,
                "language": language,
                "contracts": contracts or [],
                "chosen_contract": values.get("contract", ""),
                "mirrored": group != StakeholderGroup.END_USERS,
            },
            status=status,
        )


def _error_map(error: ValidationError) -> dict:
    return {name: " ".join(messages) for name, messages in error.message_dict.items()}


@never_cache
def answer(request, token: str):
    """The invitation link: one submission per token."""
    invitation = None
    if TOKEN_PATTERN.match(token):
        with scopes_disabled():
            invitation = (
                Invitation.objects.select_related("survey__organisation", "contract")
                .filter(token_hash=token_hash(token))
                .first()
            )
    if invitation is None:
        return _problem(request, "invalid", _language(request, "nl"))
    language = _language(request, invitation.language)
    survey = invitation.survey
    with tenant_scope(system_access(survey.organisation)):
        if invitation.used:
            return _problem(request, "used", language)
        try:
            survey_check_answerable(survey, timezone.localdate())
        except LinkProblem as problem:
            return _problem(request, problem.reason, language)
        if request.method == "POST":
            try:
                with translation.override(language):
                    response_submit(
                        survey=survey,
                        contract=invitation.contract,
                        group=invitation.group,
                        language=language,
                        raw_answers=request.POST,
                        invitation=invitation,
                    )
            except LinkProblem as problem:
                return _problem(request, problem.reason, language)
            except ValidationError as error:
                return _form_page(
                    request,
                    survey=survey,
                    group=invitation.group,
                    language=language,
                    errors=_error_map(error),
                    status=400,
                )
            return redirect(reverse("kto_public:thanks") + f"?lang={language}")
        return _form_page(request, survey=survey, group=invitation.group, language=language)


def _rate_limited(request, survey: Survey) -> bool:
    """Count one answer attempt on the open link; True when over the limits. Counts in the
    cache, and in process memory while the cache is unreachable (governance.platform.ratelimit)."""
    address = request.META.get("REMOTE_ADDR", "")
    hour = timezone.now().strftime("%Y%m%d%H")
    hashed = hashlib.sha256(f"{survey.pk}:{address}:{hour}".encode()).hexdigest()[:32]
    return not ratelimit.hit(
        ratelimit.Limit(f"kto-open:{hashed}", OPEN_LINK_PER_ADDRESS_PER_HOUR, 3600),
        ratelimit.Limit(f"kto-open-survey:{survey.pk}", OPEN_LINK_PER_SURVEY_PER_HOUR, 3600),
    )


@never_cache
def open_answer(request, token: str):
    """The open link for walk-in end users (no token per person), rate-limited."""
    survey = None
    if TOKEN_PATTERN.match(token):
        with scopes_disabled():
            survey = (
                Survey.objects.select_related("organisation")
                .filter(open_link_hash=token_hash(token))
                .exclude(open_link_hash="")
                .first()
            )
    if survey is None:
        return _problem(request, "invalid", _language(request, "nl"))
    language = _language(request, survey.organisation.default_language)
    group = StakeholderGroup.END_USERS
    with tenant_scope(system_access(survey.organisation)):
        if not survey.groups.filter(group=group).exists():
            return _problem(request, "invalid", language)
        try:
            survey_check_answerable(survey, timezone.localdate())
        except LinkProblem as problem:
            return _problem(request, problem.reason, language)
        contracts = list(survey.contracts.order_by("reference"))
        choices = contracts if len(contracts) > 1 else []
        if request.method == "POST":
            if _rate_limited(request, survey):
                with translation.override(language):
                    return render(
                        request, "kto/public/problem.html", {"reason": "busy"}, status=429
                    )
            chosen = request.POST.get("contract", "")
            contract = contracts[0] if len(contracts) == 1 else None
            contract = contract or next((c for c in contracts if str(c.pk) == chosen), None)
            try:
                if contract is None:
                    raise ValidationError({"contract": ""})
                with translation.override(language):
                    response_submit(
                        survey=survey,
                        contract=contract,
                        group=group,
                        language=language,
                        raw_answers=request.POST,
                    )
            except LinkProblem as problem:
                return _problem(request, problem.reason, language)
            except ValidationError as error:
                errors = _error_map(error)
                if "contract" in errors:
                    with translation.override(language):
                        errors["contract"] = translation.gettext("Choose the service you use.")
                return _form_page(
                    request,
                    survey=survey,
                    group=group,
                    language=language,
                    contracts=choices,
                    errors=errors,
                    status=400,
                )
            return redirect(reverse("kto_public:thanks") + f"?lang={language}")
        return _form_page(request, survey=survey, group=group, language=language, contracts=choices)


def thanks(request):
    language = _language(request, "nl")
    with translation.override(language):
        return render(request, "kto/public/thanks.html", {"language": language})
