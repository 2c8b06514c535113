"""The route walk: every URL of Regie is classified, and no tenant route leaks.

Routes come from the URL resolver (which includes the API router), so a new route without a
classification below fails `test_every_route_is_classified`.
"""

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

PUBLIC = "public"  # anyone, no account
AUTHENTICATED = "authenticated"  # any logged-in user, no tenant in the URL
TENANT = "tenant"  # under /o/<slug>/ or /api/v1/o/<slug>/: members and engaged suppliers only
STAFF = "staff"  # the Django admin


@dataclass(frozen=True)
class Route:
    kind: str
    api: bool = False
    method: str = "get"
    # The kind of tenant object the URL names (a key of `samples()`), if any.
    object: str | None = None
    # Fixed kwargs for non-tenant routes.
    extra: dict = field(default_factory=dict)
    # Tenant routes: the Alpha actors (conftest) that succeed, and with which statuses. The
    # other Alpha actors (of alice, bob, victor) must get 403 or 404 and change nothing.
    insiders: tuple[str, ...] = ("alice", "bob", "victor")
    ok: tuple[int, ...] = (200,)
    # POST payload for the request (tenant POST routes).
    data: dict | None = None

    def kwargs(self, org=None, samples=None) -> dict:
        kwargs = dict(self.extra)
        if self.kind == TENANT:
            kwargs["org_slug"] = org.slug
        if self.object:
            kwargs["pk"] = samples[self.object].pk
        return kwargs


EVERYONE = ("alice", "bob", "victor")
ALICE = ("alice",)
BOB = ("bob",)
ALICE_BOB = ("alice", "bob")
ALICE_VICTOR = ("alice", "victor")


def page(object=None, insiders=EVERYONE, ok=(200,), **more) -> Route:
    """A tenant page (GET)."""
    return Route(TENANT, object=object, insiders=insiders, ok=ok, **more)


def post(object=None, insiders=EVERYONE, ok=(302,), data=None, **more) -> Route:
    """A tenant form post; by default it redirects an insider back to a page."""
    return Route(
        TENANT, method="post", object=object, insiders=insiders, ok=ok, data=data or {}, **more
    )


def api(object=None, insiders=EVERYONE, ok=(200,), **more) -> Route:
    """A tenant API read (GET)."""
    return Route(TENANT, api=True, object=object, insiders=insiders, ok=ok, **more)


def api_post(object=None, insiders=EVERYONE, ok=(200,), data=None, **more) -> Route:
    """A tenant API action (POST)."""
    return Route(
        TENANT,
        api=True,
        method="post",
        object=object,
        insiders=insiders,
        ok=ok,
        data=data or {},
        **more,
    )


# What the POST routes send. Where a route saves, the form is valid, so an insider's request
# gets past validation while every other actor is refused before it.
ALPHA = {"org_slug": "alpha"}
ALPHA_QUARTER = {"org_slug": "alpha", "quarter": "2026-Q1"}
ACKNOWLEDGE = {"to": "acknowledged"}
CATEGORY = {"name_nl": "Wandeling", "name_en": "Walk"}
CONTRACT = {
    "reference": "A-1",
    "title": "Walked desk",
    "status": "active",
    "notice_period_months": "3",
    "renewal": "tacit",
    "renewal_term_months": "12",
    "currency": "EUR",
    "report_window_opens_day": "1",
    "report_window_closes_day": "10",
    "late_reports_until_day": "40",
}
NEW_SERVICE = {
    "name": "Walk desk",
    "criticality": "medium",
    "hours-TOTAL_FORMS": "1",
    "hours-INITIAL_FORMS": "0",
    "hours-0-weekday": "0",
    "hours-0-opens": "08:00",
    "hours-0-closes": "17:00",
}
SERVICE = {
    "name": "Walked desk",
    "criticality": "high",
    "hours-TOTAL_FORMS": "0",
    "hours-INITIAL_FORMS": "0",
}
NEW_SERVICE_LEVEL = {
    "code": "WALK",
    "name": "Walk",
    "metric_kind": "percentage",
    "direction": "higher",
    "target": "90",
    "period": "monthly",
    "valid_from": "2025-01-01",
}
SERVICE_LEVEL_AMENDMENT = {
    "valid_from": "2026-01-01",
    "name": "Walk",
    "target": "95",
    "period": "monthly",
}
EXPECTATION = {"statement": "Walk", "measured_by": "Walk", "owner": "Walker"}
INFORMATION_NEED = {
    "what": "Walk",
    "format": "PDF",
    "frequency": "monthly",
    "delivered_by": "supplier",
    "recipient": "Walker",
    "due_days": "10",
}
DELIVERY = {"period": "2025-01", "delivered_on": "2025-02-05"}
QUESTION = {"code": "walk", "kind": "open", "text_nl": "Iets?", "text_en": "Anything?"}
PARTICIPANTS = {"csv": "email,group\nwalk@example.test,end_users\n"}
LESSON = {"lesson-category": "tooling", "lesson-text": "Walked"}
ATTENDEE = {"side": "client", "role": "Walker", "name": "Walk"}
MEETING_ACTION = {
    "title": "Walk",
    "owner_side": "client",
    "owner_name": "W",
    "due_date": "2026-05-01",
}
PREPARATION = {"supplier_results": "Walk", "client_impact": "Walk"}
MINUTES = {"minutes": "Walk", "outcome": "information"}
OUTCOME = {"minutes": "Walk", "outcome": "decision", "resolved": "false"}


ROUTES: dict[str, Route] = {
    "home": Route(AUTHENTICATED),
    "healthz": Route(PUBLIC),
    "login": Route(PUBLIC),
    "logout": Route(PUBLIC, method="post"),
    "password_change": Route(AUTHENTICATED),
    "password_change_done": Route(AUTHENTICATED),
    "password_reset": Route(PUBLIC),
    "password_reset_done": Route(PUBLIC),
    "password_reset_confirm": Route(PUBLIC, extra={"uidb64": "MQ", "token": "x-y"}),
    "password_reset_complete": Route(PUBLIC),
    "set_language": Route(PUBLIC, method="post"),
    "supplier_home": Route(AUTHENTICATED),
    "api_token": Route(PUBLIC, method="post"),
    "api_schema": Route(PUBLIC),
    "api_docs": Route(PUBLIC),
    "organisation_home": page(),
    "contracts:contract_list": page(),
    "contracts:contract_detail": page("contract"),
    "api:contract-list": api(),
    "api:contract-detail": api("contract"),
    # Complaints (issue 6): the assigned supplier answers, managers run the procedure; the
    # analysis, proposals and settings are the client's own. Public pages need no account.
    "complaints:complaint_list": page(),
    "complaints:complaint_export": page(),
    "complaints:complaint_detail": page("complaint"),
    "complaints:complaint_assign": post("complaint", ALICE),
    "complaints:complaint_transition": post("complaint", ALICE_BOB, data=ACKNOWLEDGE),
    "complaints:complaint_note": post("complaint", ALICE, data={"text": "walk"}),
    "complaints:complaint_message": post("complaint", ALICE_BOB, data={"text": "walk"}),
    "complaints:attachment": page("complaint_attachment"),
    "complaints:analysis": page(insiders=ALICE_VICTOR),
    "complaints:extension": page(insiders=ALICE_VICTOR),
    "complaints:proposal_list": page(insiders=ALICE_VICTOR),
    "complaints:proposal_detail": page("complaint_proposal", ALICE_VICTOR),
    "complaints:settings": page(insiders=ALICE_VICTOR),
    "complaints:category_add": post(insiders=ALICE, data=CATEGORY),
    "complaints:category_toggle": post("complaint_category", ALICE),
    "api:complaint-list": api(),
    "api:complaint-detail": api("complaint"),
    "api:complaint-events": api("complaint"),
    "api:complaint-verdicts": api(),
    "api:complaint-statistics": api(insiders=ALICE_VICTOR),
    "api:complaint-transition": api_post("complaint", ALICE_BOB, ok=(200, 400), data=ACKNOWLEDGE),
    "api:complaint-proposal-list": api(),
    "api:complaint-proposal-detail": api("complaint_proposal", ALICE_VICTOR),
    "complaints_public:form": Route(PUBLIC, extra=ALPHA),
    "complaints_public:track": Route(PUBLIC, extra={"token": "x" * 32}, ok=(404,)),
    "complaints_public:register": Route(PUBLIC, extra=ALPHA, ok=(404,)),
    "complaints_public:register_pdf": Route(PUBLIC, extra=ALPHA_QUARTER, ok=(404,)),
    "complaints_public:register_report_status": Route(PUBLIC, extra=ALPHA_QUARTER, ok=(404,)),
    "complaints_public_api:submit": Route(PUBLIC, method="post", extra=ALPHA, data={}),
    "complaints_public_api:register": Route(PUBLIC, extra=ALPHA, ok=(404,)),
    # Contracts and SLA reports (issue 3): suppliers upload and respond, managers review.
    "contracts:contract_export": page(),
    "contracts:report_template": page("contract"),
    "contracts:report_upload": page("contract", BOB),
    "contracts:report_upload_confirm": post("contract", BOB),
    "contracts:report_detail": page("sla_report"),
    "contracts:report_source": page("sla_report"),
    "contracts:report_submit": post("sla_report", BOB),
    "contracts:report_accept": post("sla_report", ALICE),
    "contracts:report_dispute": post("sla_report", ALICE, ok=(400,)),
    "contracts:report_appeal": post("sla_report", BOB),
    "contracts:report_withdraw": post("sla_report", ALICE),
    "contracts:level_chart": page("service_level"),
    # The terms: contract managers write them; a supplier records the deliveries it makes.
    "contracts:contract_create": post(insiders=ALICE, ok=(400,)),
    "contracts:contract_edit": post("contract", ALICE, data=CONTRACT),
    "contracts:service_create": post("contract", ALICE, data=NEW_SERVICE),
    "contracts:service_edit": post("service", ALICE, data=SERVICE),
    "contracts:service_level_create": post("contract", ALICE, data=NEW_SERVICE_LEVEL),
    "contracts:service_level_amend": post("service_level", ALICE, data=SERVICE_LEVEL_AMENDMENT),
    "contracts:expectation_create": post("contract", ALICE, data=EXPECTATION),
    "contracts:expectation_edit": post("expectation", ALICE, data=EXPECTATION),
    "contracts:information_need_create": post("contract", ALICE, data=INFORMATION_NEED),
    "contracts:information_need_edit": post("information_need", ALICE, data=INFORMATION_NEED),
    "contracts:delivery_record": post("information_need", ALICE_BOB, data=DELIVERY),
    "api:service-list": api(),
    "api:service-detail": api("service"),
    "api:servicelevel-list": api(),
    "api:servicelevel-detail": api("service_level"),
    "api:slareport-list": api(),
    "api:slareport-detail": api("sla_report"),
    "api:slareport-accept": api_post("sla_report", ALICE),
    "api:slareport-dispute": api_post("sla_report", ALICE, ok=(400,)),
    "api:slareport-appeal": api_post("sla_report", BOB, ok=(400,)),
    "api:slareport-withdraw": api_post("sla_report", ALICE, ok=(400,)),
    "api:slareport-submit": api_post("sla_report", BOB, ok=(400,)),
    "api:measurement-list": api(),
    "api:measurement-detail": api("measurement"),
    # KTO (issue 4): survey management for client members, results also for the supplier.
    "kto:survey_list": page(),
    "kto:survey_create": page(insiders=ALICE),
    "kto:question_list": page(insiders=ALICE_VICTOR),
    "kto:question_create": post(insiders=ALICE, data=QUESTION),
    "kto:survey_detail": page("survey", ALICE_VICTOR),
    "kto:survey_edit": page("survey", ALICE),
    "kto:survey_plan": page("survey", ALICE),
    "kto:participant_import": page("survey", ALICE),
    "kto:survey_launch": post("survey", ALICE),
    "kto:survey_close": post("survey", ALICE),
    "kto:survey_open_link": post("survey", ALICE, data={"enabled": "1"}),
    "kto:survey_results": page("survey"),
    "kto_public:answer": Route(PUBLIC, extra={"token": "tampered"}),
    "kto_public:open": Route(PUBLIC, extra={"token": "tampered"}),
    "kto_public:thanks": Route(PUBLIC),
    "api:kto-survey-list": api(),
    "api:kto-survey-detail": api("survey"),
    "api:kto-survey-participants": api_post("survey", ALICE, ok=(201,), data=PARTICIPANTS),
    "api:kto-survey-results": api("survey"),
    "api:kto-question-list": api(insiders=ALICE_VICTOR),
    "api:kto-question-detail": api("question", ALICE_VICTOR),
    # Simulations (issue 8): managers change, suppliers of the contract read and take part.
    "simulations:chain_list": page(),
    "simulations:chain_create": page(insiders=ALICE),
    "simulations:chain_detail": page("chain"),
    "simulations:chain_edit": page("chain", ALICE),
    "simulations:chain_profile": page("chain", ALICE),
    "simulations:chain_profile_derive": page("chain", ALICE),
    "simulations:step_create": page("chain", ALICE),
    "simulations:scenario_create": page("chain", ALICE),
    "simulations:run_start": page("chain", ALICE),
    "simulations:chain_compare": page("chain"),
    "simulations:exercise_create": page("chain", ALICE),
    "simulations:step_edit": page("step", ALICE),
    "simulations:step_delete": post("step", ALICE),
    "simulations:scenario_edit": page("scenario", ALICE),
    "simulations:run_detail": page("simulation_run"),
    "simulations:run_progress": page("simulation_run"),
    "simulations:exercise_list": page(),
    "simulations:lesson_trend": page(),
    "simulations:exercise_detail": page("exercise"),
    "simulations:exercise_edit": page("exercise", ALICE),
    "simulations:exercise_held": post("exercise", ALICE, data={"summary": "Held"}),
    "simulations:exercise_part_add": post(
        "exercise", ALICE_BOB, extra={"kind": "lesson"}, data=LESSON
    ),
    "simulations:exercise_pdf": page("exercise"),
    "simulations:exercise_report_request": post("exercise"),
    "simulations:exercise_report_status": page("exercise"),
    "simulations:action_toggle": post("exercise_action", ALICE_BOB),
    # Proposals: managers make and move them; the sample is joint, so the supplier reads it.
    "simulations:action_propose": page("exercise_action", ALICE),
    "simulations:run_propose": page("simulation_run", ALICE, extra={"finding": "bottleneck"}),
    "simulations:proposal_list": page(),
    "simulations:proposal_detail": page("simulation_proposal"),
    "simulations:proposal_status": post("simulation_proposal", ALICE, data={"status": "on_agenda"}),
    "api:simulation-chain-list": api(),
    "api:simulation-chain-detail": api("chain"),
    "api:simulation-step-list": api(),
    "api:simulation-step-detail": api("step"),
    "api:simulation-scenario-list": api(),
    "api:simulation-scenario-detail": api("scenario"),
    "api:simulation-run-list": api(),
    "api:simulation-run-detail": api("simulation_run"),
    "api:exercise-list": api(),
    "api:exercise-detail": api("exercise"),
    "api:simulation-proposal-list": api(),
    "api:simulation-proposal-detail": api("simulation_proposal"),
    # Audits (issue 7): suppliers record their QA audits and respond, client auditors record,
    # managers set priorities and decide, viewers read.
    "audits:audit_list": page(),
    "audits:audit_create": page(insiders=ALICE_BOB),
    # Planning a programme is the client's; the supplier proposes, the client accepts.
    "audits:programme_create": page(insiders=ALICE),
    "audits:programme_next_year": page("audit_programme", ALICE),
    "audits:programme_propose": post("audit_programme", BOB),
    # The sample is planned already, so the accept page leads back to the calendar.
    "audits:programme_accept": page("audit_programme", ALICE, ok=(302,)),
    "audits:audit_detail": page("audit"),
    "audits:audit_edit": page("audit", ALICE_BOB),
    "audits:finding_create": page("audit", ALICE_BOB),
    "audits:finding_board": page(),
    "audits:finding_export": page(),
    "audits:finding_detail": page("finding"),
    "audits:action_board": page(),
    "audits:supplier_report_download": page("supplier_report"),
    "audits:pdf_download": page("audit"),
    "audits:pdf_request": post("audit"),
    "audits:audit_transition": post("audit", ALICE_BOB),
    "audits:checklist_generate": post("audit", ALICE_BOB),
    "audits:checklist_add": post("audit", ALICE_BOB),
    "audits:report_upload": post("audit", BOB),
    "audits:shared_report": page("shared_audit", BOB),
    "audits:shared_report_template": page(),
    "audits:checklist_item_record": post("checklist_item", ALICE_BOB),
    "audits:finding_respond": post("finding", ALICE_BOB),
    "audits:finding_priority": post("finding", ALICE),
    "audits:action_create": post("finding", ALICE_BOB),
    "audits:check_create": post("finding", ALICE_BOB),
    "audits:finding_close": post("finding", ALICE_BOB),
    "audits:action_update": post("corrective_action", ALICE_BOB),
    "api:audit-programme-list": api(),
    "api:audit-programme-detail": api("audit_programme"),
    "api:audit-programme-next-year": api_post("audit_programme", ALICE_BOB, ok=(201, 400)),
    "api:audit-list": api(),
    "api:audit-detail": api("audit"),
    "api:audit-transition": api_post("audit", ALICE_BOB, ok=(400,)),
    "api:audit-generate-checklist": api_post("audit", ALICE_BOB),
    "api:audit-shared-report": api_post("shared_audit", BOB, ok=(400,)),
    "api:audit-checklist-item-list": api(),
    "api:audit-checklist-item-detail": api("checklist_item"),
    "api:audit-finding-list": api(),
    "api:audit-finding-detail": api("finding"),
    "api:audit-finding-ranking": api(),
    "api:audit-finding-priority": api_post("finding", ALICE, ok=(400,)),
    "api:audit-finding-effectiveness-check": api_post("finding", ALICE_BOB, ok=(400,)),
    "api:audit-finding-close": api_post("finding", ALICE_BOB, ok=(400,)),
    "api:audit-action-list": api(),
    "api:audit-action-detail": api("corrective_action"),
    # Meetings and SIPs (issue 9): managers run meetings; the supplier reads its contract's
    # meetings, delivers pre-reads and updates its own actions; viewers read.
    "meetings:index": page(),
    "meetings:series_create": page(insiders=ALICE),
    "meetings:series_detail": page("meeting_series"),
    "meetings:series_edit": page("meeting_series", ALICE),
    "meetings:series_ics": page("meeting_series"),
    "meetings:meeting_create": page("meeting_series", ALICE),
    "meetings:meeting_detail": page("meeting"),
    "meetings:meeting_edit": page("meeting", ALICE),
    "meetings:meeting_generate": post("meeting_upcoming", ALICE),
    "meetings:meeting_publish": post("meeting_upcoming", ALICE),
    "meetings:meeting_held": post("meeting_upcoming", ALICE),
    "meetings:minutes_approve": post("meeting", ALICE),
    "meetings:meeting_ics": page("meeting"),
    "meetings:item_add": post("meeting_upcoming", ALICE, data={"title": "Walk"}),
    "meetings:attendance_add": post("meeting", ALICE, data=ATTENDEE),
    "meetings:attendance_record": post("meeting", ALICE),
    "meetings:action_create": post("meeting", ALICE, data=MEETING_ACTION),
    "meetings:document_request": post("meeting", data={"kind": "nothing"}),
    "meetings:document_download": page("meeting_document", ALICE_VICTOR),
    "meetings:item_prepare": post("agenda_item", ALICE_BOB, data=PREPARATION),
    "meetings:item_record": post("agenda_item", ALICE, data=MINUTES),
    "meetings:action_status": post("meeting_action", ALICE_BOB, data={"status": "in_progress"}),
    "meetings:sip_list": page(),
    "meetings:sip_create": page(insiders=ALICE),
    "meetings:sip_detail": page("sip"),
    "meetings:sip_edit": page("sip", ALICE),
    "meetings:milestone_add": post("sip", ALICE, data={"title": "Walk", "due_date": "2026-06-01"}),
    "meetings:sip_link_add": post("sip", ALICE),
    "meetings:milestone_toggle": post("sip_milestone", ALICE),
    # Acting from a gap flag (the buttons on its page): contract managers only; the supplier
    # sees the flag but may not act on it.
    "meetings:gap_flag_agenda": post("gap_flag", ALICE),
    "meetings:gap_flag_sip": page("gap_flag", ALICE),
    "api:meeting-series-list": api(),
    "api:meeting-series-detail": api("meeting_series"),
    "api:meeting-list": api(),
    "api:meeting-detail": api("meeting"),
    "api:meeting-generate": api_post("meeting_upcoming", ALICE),
    "api:meeting-transition": api_post("meeting", ALICE, data={"to": "approved"}),
    "api:agenda-item-list": api(),
    "api:agenda-item-detail": api("agenda_item"),
    "api:agenda-item-prepare": api_post("agenda_item", ALICE_BOB, ok=(200, 400), data=PREPARATION),
    "api:agenda-item-outcome": api_post("agenda_item", ALICE, data=OUTCOME),
    "api:meeting-action-list": api(),
    "api:meeting-action-detail": api("meeting_action"),
    "api:meeting-action-status": api_post(
        "meeting_action", ALICE_BOB, data={"status": "in_progress"}
    ),
    "api:sip-list": api(),
    "api:sip-detail": api("sip"),
    "api:sip-milestone-list": api(),
    "api:sip-milestone-detail": api("sip_milestone"),
    # Gap analysis (issue 5): flags are aggregates every party of the contract may read;
    # runs and reports span the whole organisation and are the client's own.
    "kto_gap:matrix": page(),
    "kto_gap:contract": page("contract"),
    "kto_gap:flag": page("gap_flag"),
    "kto_gap:runs": page(insiders=ALICE_VICTOR),
    "kto_gap:run_start": post(insiders=ALICE, data={"period": "2026-10-01"}),
    "kto_gap:run_detail": page("gap_run", ALICE_VICTOR),
    "kto_gap:run_status": page("gap_run", ALICE_VICTOR),
    "kto_gap:run_report": page("gap_run", ALICE_VICTOR),
    "api:gap-flag-list": api(),
    "api:gap-flag-detail": api("gap_flag"),
    # Comments on a flag are the client's own notes: members read, managers write, a
    # supplier's user never sees them.
    "kto_gap:flag_comment_add": post("gap_flag", ALICE, data={"text": "Walk"}),
    "api:gap-flag-comments": api("gap_flag", ALICE_VICTOR),
    "api:gap-run-list": api(insiders=ALICE_VICTOR),
    "api:gap-run-detail": api("gap_run", ALICE_VICTOR),
    # Gap settings: the client's own — members read, contract managers write; a supplier's
    # user never sees them.
    "kto_gap:settings": page(insiders=ALICE_VICTOR),
    "kto_gap:threshold_add": post(
        insiders=ALICE,
        data={"contract": "", "dimension": "tangibles", "delta": "0.2", "k": "5"},
    ),
    "kto_gap:threshold_edit": page("gap_threshold", ALICE),
    # The digest's preview and a test to oneself: contract managers only (a viewer 403).
    "kto_gap:digest_preview": page(insiders=ALICE),
    "kto_gap:digest_test": post(insiders=ALICE),
    "kto_gap:threshold_delete": post("gap_threshold", ALICE),
    "api:gap-threshold-list": api(insiders=ALICE_VICTOR),
    "api:gap-threshold-detail": api("gap_threshold", ALICE_VICTOR),
    "api:gap-digest-schedule": api(insiders=ALICE_VICTOR),
    "kto_gap:amber_margin": post(insiders=ALICE, data={"amber_margin": "0.01"}),
    "api:gap-settings": api(insiders=ALICE_VICTOR),
}


class Samples(dict):
    """One object of tenant Alpha per kind named in ROUTES, reachable by alice and bob.

    Built lazily, one app's samples at a time, so a route pays only for what it names."""

    def __init__(self, world):
        from tests.audits.helpers import route_samples as audit_samples
        from tests.complaints.helpers import route_samples as complaint_samples
        from tests.contracts.samples import contract_samples
        from tests.kto.helpers import route_samples as kto_samples
        from tests.kto.test_gap_engine import gap_route_samples
        from tests.kto.test_gap_settings import gap_settings_route_samples
        from tests.meetings.helpers import route_samples as meeting_samples
        from tests.simulations.helpers import route_samples as simulation_samples

        super().__init__(contract=world.alpha_contract)
        self.world = world
        self.providers = [
            gap_route_samples,
            gap_settings_route_samples,
            contract_samples,
            kto_samples,
            simulation_samples,
            complaint_samples,
            audit_samples,
            meeting_samples,
        ]

    def __missing__(self, key):
        while self.providers:
            self.update(self.providers.pop(0)(self.world))
            if key in self:
                return self[key]
        raise KeyError(key)


def samples(world) -> Samples:
    return Samples(world)


def tenant_url(name, org, objects) -> str:
    return reverse(name, kwargs=ROUTES[name].kwargs(org, objects))


# Strings that exist only in tenant Beta: none may appear in anything Alpha's users get.
BETA_ONLY = ["Beta desk", "Beta hosting", "Southwind"]


def walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"
        elif isinstance(entry, URLPattern):
            yield f"{namespace}<unnamed {entry.pattern}>"


def resolver_routes() -> set[str]:
    return set(walk(get_resolver().url_patterns))


def test_every_route_is_classified():
    routes = {name for name in resolver_routes() if not name.startswith("admin:")}
    assert routes - set(ROUTES) == set(), "classify these routes in ROUTES"
    assert set(ROUTES) - routes == set(), "these classified routes no longer exist"


def test_admin_routes_are_staff_only(world, client_as):
    client = client_as(world.alice)
    for name in ("admin:index", "admin:contracts_contract_changelist"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def names_of(kind):
    return sorted(name for name, route in ROUTES.items() if route.kind == kind)


def request(client, route: Route, url: str):
    if route.data is not None:
        return getattr(client, route.method)(url, route.data)
    return getattr(client, route.method)(url)


@pytest.mark.parametrize("name", names_of(TENANT))
def test_tenant_route_answers_only_its_tenant(name, world, client):
    route = ROUTES[name]
    url = tenant_url(name, world.alpha, samples(world))

    anonymous = request(client, route, url)
    if route.api:
        assert anonymous.status_code == 401
    else:
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith(reverse("login"))

    for outsider in (world.charlie, world.dave):
        client.force_login(outsider)
        assert request(client, route, url).status_code == 404, outsider.username

    for actor in (world.alice, world.bob, world.victor):
        client.force_login(actor)
        response = request(client, route, url)
        if actor.username in route.insiders:
            assert response.status_code in route.ok, actor.username
        else:
            assert response.status_code in (403, 404), actor.username
        body = response.content.decode(errors="replace")  # PDFs are binary
        assert [leak for leak in BETA_ONLY if leak in body] == []


@pytest.mark.parametrize("name", [n for n in names_of(TENANT) if ROUTES[n].object])
def test_tenant_object_is_not_reachable_through_another_tenant(name, world, client):
    """Alpha's object asked for under Beta's slug, by Beta's own manager: 404."""
    route = ROUTES[name]
    client.force_login(world.charlie)
    url = tenant_url(name, world.beta, samples(world))
    assert request(client, route, url).status_code == 404


@pytest.mark.parametrize("name", names_of(AUTHENTICATED))
def test_authenticated_route_needs_login(name, world, client):
    route = ROUTES[name]
    response = request(client, route, reverse(name, kwargs=route.kwargs()))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", names_of(PUBLIC))
def test_public_route_answers_anonymous(name, world, client):
    route = ROUTES[name]
    response = request(client, route, reverse(name, kwargs=route.kwargs()))
    # A route may name its own expected answer, e.g. 404 for a made-up tracking token.
    assert response.status_code in {200, 302, 400} | set(route.ok), response.status_code
