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
    "organisation_home": Route(TENANT),
    "contracts:contract_list": Route(TENANT),
    "contracts:contract_detail": Route(TENANT, object="contract"),
    "api:contract-list": Route(TENANT, api=True),
    "api:contract-detail": Route(TENANT, api=True, object="contract"),
    # Complaints (issue 6): the assigned supplier answers, managers run the procedure; the
    # analysis, proposals and settings are the client's own. Public pages need no account.
    "complaints:complaint_list": Route(TENANT),
    "complaints:complaint_export": Route(TENANT),
    "complaints:complaint_detail": Route(TENANT, object="complaint"),
    "complaints:complaint_assign": Route(
        TENANT, method="post", object="complaint", insiders=("alice",), ok=(302,), data={}
    ),
    "complaints:complaint_transition": Route(
        TENANT,
        method="post",
        object="complaint",
        insiders=("alice", "bob"),
        ok=(302,),
        data={"to": "acknowledged"},
    ),
    "complaints:complaint_note": Route(
        TENANT,
        method="post",
        object="complaint",
        insiders=("alice",),
        ok=(302,),
        data={"text": "walk"},
    ),
    "complaints:complaint_message": Route(
        TENANT,
        method="post",
        object="complaint",
        insiders=("alice", "bob"),
        ok=(302,),
        data={"text": "walk"},
    ),
    "complaints:attachment": Route(TENANT, object="complaint_attachment"),
    "complaints:analysis": Route(TENANT, insiders=("alice", "victor")),
    "complaints:extension": Route(TENANT, insiders=("alice", "victor")),
    "complaints:proposal_list": Route(TENANT, insiders=("alice", "victor")),
    "complaints:proposal_detail": Route(
        TENANT, object="complaint_proposal", insiders=("alice", "victor")
    ),
    "complaints:settings": Route(TENANT, insiders=("alice", "victor")),
    "complaints:category_add": Route(
        TENANT,
        method="post",
        insiders=("alice",),
        ok=(302,),
        data={"name_nl": "Wandeling", "name_en": "Walk"},
    ),
    "complaints:category_toggle": Route(
        TENANT,
        method="post",
        object="complaint_category",
        insiders=("alice",),
        ok=(302,),
        data={},
    ),
    "api:complaint-list": Route(TENANT, api=True),
    "api:complaint-detail": Route(TENANT, api=True, object="complaint"),
    "api:complaint-events": Route(TENANT, api=True, object="complaint"),
    "api:complaint-verdicts": Route(TENANT, api=True),
    "api:complaint-statistics": Route(TENANT, api=True, insiders=("alice", "victor")),
    "api:complaint-transition": Route(
        TENANT,
        api=True,
        method="post",
        object="complaint",
        insiders=("alice", "bob"),
        ok=(200, 400),
        data={"to": "acknowledged"},
    ),
    "api:complaint-proposal-list": Route(TENANT, api=True),
    "api:complaint-proposal-detail": Route(
        TENANT, api=True, object="complaint_proposal", insiders=("alice", "victor")
    ),
    "complaints_public:form": Route(PUBLIC, extra={"org_slug": "alpha"}),
    "complaints_public:track": Route(PUBLIC, extra={"token": "x" * 32}, ok=(404,)),
    "complaints_public:register": Route(PUBLIC, extra={"org_slug": "alpha"}, ok=(404,)),
    "complaints_public:register_pdf": Route(
        PUBLIC, extra={"org_slug": "alpha", "quarter": "2026-Q1"}, ok=(404,)
    ),
    "complaints_public:register_report_status": Route(
        PUBLIC, extra={"org_slug": "alpha", "quarter": "2026-Q1"}, ok=(404,)
    ),
    "complaints_public_api:submit": Route(
        PUBLIC, method="post", extra={"org_slug": "alpha"}, data={}
    ),
    "complaints_public_api:register": Route(PUBLIC, extra={"org_slug": "alpha"}, ok=(404,)),
    # Contracts and SLA reports (issue 3): suppliers upload and respond, managers review.
    "contracts:contract_export": Route(TENANT),
    "contracts:report_template": Route(TENANT, object="contract"),
    "contracts:report_upload": Route(TENANT, object="contract", insiders=("bob",)),
    "contracts:report_upload_confirm": Route(
        TENANT, method="post", object="contract", insiders=("bob",), ok=(302,), data={}
    ),
    "contracts:report_detail": Route(TENANT, object="sla_report"),
    "contracts:report_source": Route(TENANT, object="sla_report"),
    "contracts:report_submit": Route(
        TENANT, method="post", object="sla_report", insiders=("bob",), ok=(302,), data={}
    ),
    "contracts:report_accept": Route(
        TENANT, method="post", object="sla_report", insiders=("alice",), ok=(302,), data={}
    ),
    "contracts:report_dispute": Route(
        TENANT, method="post", object="sla_report", insiders=("alice",), ok=(400,), data={}
    ),
    "contracts:report_appeal": Route(
        TENANT, method="post", object="sla_report", insiders=("bob",), ok=(302,), data={}
    ),
    "contracts:report_withdraw": Route(
        TENANT, method="post", object="sla_report", insiders=("alice",), ok=(302,), data={}
    ),
    "contracts:level_chart": Route(TENANT, object="service_level"),
    # The terms: contract managers write them; a supplier records the deliveries it makes.
    "contracts:contract_create": Route(
        TENANT, method="post", insiders=("alice",), ok=(400,), data={}
    ),
    "contracts:contract_edit": Route(
        TENANT,
        method="post",
        object="contract",
        insiders=("alice",),
        ok=(302,),
        data={
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
        },
    ),
    "contracts:service_create": Route(
        TENANT,
        method="post",
        object="contract",
        insiders=("alice",),
        ok=(302,),
        data={
            "name": "Walk desk",
            "criticality": "medium",
            "hours-TOTAL_FORMS": "1",
            "hours-INITIAL_FORMS": "0",
            "hours-0-weekday": "0",
            "hours-0-opens": "08:00",
            "hours-0-closes": "17:00",
        },
    ),
    "contracts:service_edit": Route(
        TENANT,
        method="post",
        object="service",
        insiders=("alice",),
        ok=(302,),
        data={
            "name": "Walked desk",
            "criticality": "high",
            "hours-TOTAL_FORMS": "0",
            "hours-INITIAL_FORMS": "0",
        },
    ),
    "contracts:service_level_create": Route(
        TENANT,
        method="post",
        object="contract",
        insiders=("alice",),
        ok=(302,),
        data={
            "code": "WALK",
            "name": "Walk",
            "metric_kind": "percentage",
            "direction": "higher",
            "target": "90",
            "period": "monthly",
            "valid_from": "2025-01-01",
        },
    ),
    "contracts:service_level_amend": Route(
        TENANT,
        method="post",
        object="service_level",
        insiders=("alice",),
        ok=(302,),
        data={"valid_from": "2026-01-01", "name": "Walk", "target": "95", "period": "monthly"},
    ),
    "contracts:expectation_create": Route(
        TENANT,
        method="post",
        object="contract",
        insiders=("alice",),
        ok=(302,),
        data={"statement": "Walk", "measured_by": "Walk", "owner": "Walker"},
    ),
    "contracts:expectation_edit": Route(
        TENANT,
        method="post",
        object="expectation",
        insiders=("alice",),
        ok=(302,),
        data={"statement": "Walk", "measured_by": "Walk", "owner": "Walker"},
    ),
    "contracts:information_need_create": Route(
        TENANT,
        method="post",
        object="contract",
        insiders=("alice",),
        ok=(302,),
        data={
            "what": "Walk",
            "format": "PDF",
            "frequency": "monthly",
            "delivered_by": "supplier",
            "recipient": "Walker",
            "due_days": "10",
        },
    ),
    "contracts:information_need_edit": Route(
        TENANT,
        method="post",
        object="information_need",
        insiders=("alice",),
        ok=(302,),
        data={
            "what": "Walk",
            "format": "PDF",
            "frequency": "monthly",
            "delivered_by": "supplier",
            "recipient": "Walker",
            "due_days": "10",
        },
    ),
    "contracts:delivery_record": Route(
        TENANT,
        method="post",
        object="information_need",
        insiders=("alice", "bob"),
        ok=(302,),
        data={"period": "2025-01", "delivered_on": "2025-02-05"},
    ),
    "api:service-list": Route(TENANT, api=True),
    "api:service-detail": Route(TENANT, api=True, object="service"),
    "api:servicelevel-list": Route(TENANT, api=True),
    "api:servicelevel-detail": Route(TENANT, api=True, object="service_level"),
    "api:slareport-list": Route(TENANT, api=True),
    "api:slareport-detail": Route(TENANT, api=True, object="sla_report"),
    "api:slareport-accept": Route(
        TENANT, api=True, method="post", object="sla_report", insiders=("alice",), data={}
    ),
    "api:slareport-dispute": Route(
        TENANT,
        api=True,
        method="post",
        object="sla_report",
        insiders=("alice",),
        ok=(400,),
        data={},
    ),
    "api:slareport-appeal": Route(
        TENANT, api=True, method="post", object="sla_report", insiders=("bob",), ok=(400,), data={}
    ),
    "api:slareport-withdraw": Route(
        TENANT,
        api=True,
        method="post",
        object="sla_report",
        insiders=("alice",),
        ok=(400,),
        data={},
    ),
    "api:slareport-submit": Route(
        TENANT, api=True, method="post", object="sla_report", insiders=("bob",), ok=(400,), data={}
    ),
    "api:measurement-list": Route(TENANT, api=True),
    "api:measurement-detail": Route(TENANT, api=True, object="measurement"),
    # KTO (issue 4): survey management for client members, results also for the supplier.
    "kto:survey_list": Route(TENANT),
    "kto:survey_create": Route(TENANT, insiders=("alice",)),
    "kto:question_list": Route(TENANT, insiders=("alice", "victor")),
    "kto:question_create": Route(
        TENANT,
        method="post",
        insiders=("alice",),
        ok=(302,),
        data={"code": "walk", "kind": "open", "text_nl": "Iets?", "text_en": "Anything?"},
    ),
    "kto:survey_detail": Route(TENANT, object="survey", insiders=("alice", "victor")),
    "kto:survey_edit": Route(TENANT, object="survey", insiders=("alice",)),
    "kto:survey_plan": Route(TENANT, object="survey", insiders=("alice",)),
    "kto:participant_import": Route(TENANT, object="survey", insiders=("alice",)),
    "kto:survey_launch": Route(
        TENANT, method="post", object="survey", insiders=("alice",), ok=(302,), data={}
    ),
    "kto:survey_close": Route(
        TENANT, method="post", object="survey", insiders=("alice",), ok=(302,), data={}
    ),
    "kto:survey_open_link": Route(
        TENANT,
        method="post",
        object="survey",
        insiders=("alice",),
        ok=(302,),
        data={"enabled": "1"},
    ),
    "kto:survey_results": Route(TENANT, object="survey"),
    "kto_public:answer": Route(PUBLIC, extra={"token": "tampered"}),
    "kto_public:open": Route(PUBLIC, extra={"token": "tampered"}),
    "kto_public:thanks": Route(PUBLIC),
    "api:kto-survey-list": Route(TENANT, api=True),
    "api:kto-survey-detail": Route(TENANT, api=True, object="survey"),
    "api:kto-survey-participants": Route(
        TENANT,
        api=True,
        method="post",
        object="survey",
        insiders=("alice",),
        ok=(201,),
        data={"csv": "email,group\nwalk@example.test,end_users\n"},
    ),
    "api:kto-survey-results": Route(TENANT, api=True, object="survey"),
    "api:kto-question-list": Route(TENANT, api=True, insiders=("alice", "victor")),
    "api:kto-question-detail": Route(
        TENANT, api=True, object="question", insiders=("alice", "victor")
    ),
    # Simulations (issue 8): managers change, suppliers of the contract read and take part.
    "simulations:chain_list": Route(TENANT),
    "simulations:chain_create": Route(TENANT, insiders=("alice",)),
    "simulations:chain_detail": Route(TENANT, object="chain"),
    "simulations:chain_edit": Route(TENANT, object="chain", insiders=("alice",)),
    "simulations:chain_profile": Route(TENANT, object="chain", insiders=("alice",)),
    "simulations:chain_profile_derive": Route(TENANT, object="chain", insiders=("alice",)),
    "simulations:step_create": Route(TENANT, object="chain", insiders=("alice",)),
    "simulations:scenario_create": Route(TENANT, object="chain", insiders=("alice",)),
    "simulations:run_start": Route(TENANT, object="chain", insiders=("alice",)),
    "simulations:chain_compare": Route(TENANT, object="chain"),
    "simulations:exercise_create": Route(TENANT, object="chain", insiders=("alice",)),
    "simulations:step_edit": Route(TENANT, object="step", insiders=("alice",)),
    "simulations:step_delete": Route(
        TENANT, method="post", object="step", insiders=("alice",), ok=(302,), data={}
    ),
    "simulations:scenario_edit": Route(TENANT, object="scenario", insiders=("alice",)),
    "simulations:run_detail": Route(TENANT, object="simulation_run"),
    "simulations:run_progress": Route(TENANT, object="simulation_run"),
    "simulations:exercise_list": Route(TENANT),
    "simulations:lesson_trend": Route(TENANT),
    "simulations:exercise_detail": Route(TENANT, object="exercise"),
    "simulations:exercise_edit": Route(TENANT, object="exercise", insiders=("alice",)),
    "simulations:exercise_held": Route(
        TENANT,
        method="post",
        object="exercise",
        insiders=("alice",),
        ok=(302,),
        data={"summary": "Held"},
    ),
    "simulations:exercise_part_add": Route(
        TENANT,
        method="post",
        object="exercise",
        extra={"kind": "lesson"},
        insiders=("alice", "bob"),
        ok=(302,),
        data={"lesson-category": "tooling", "lesson-text": "Walked"},
    ),
    "simulations:exercise_pdf": Route(TENANT, object="exercise"),
    "simulations:exercise_report_request": Route(
        TENANT, method="post", object="exercise", ok=(302,), data={}
    ),
    "simulations:exercise_report_status": Route(TENANT, object="exercise"),
    "simulations:action_toggle": Route(
        TENANT,
        method="post",
        object="exercise_action",
        insiders=("alice", "bob"),
        ok=(302,),
        data={},
    ),
    # Proposals: managers make and move them; the sample is joint, so the supplier reads it.
    "simulations:action_propose": Route(TENANT, object="exercise_action", insiders=("alice",)),
    "simulations:run_propose": Route(
        TENANT, object="simulation_run", extra={"finding": "bottleneck"}, insiders=("alice",)
    ),
    "simulations:proposal_list": Route(TENANT),
    "simulations:proposal_detail": Route(TENANT, object="simulation_proposal"),
    "simulations:proposal_status": Route(
        TENANT,
        method="post",
        object="simulation_proposal",
        insiders=("alice",),
        ok=(302,),
        data={"status": "on_agenda"},
    ),
    "api:simulation-chain-list": Route(TENANT, api=True),
    "api:simulation-chain-detail": Route(TENANT, api=True, object="chain"),
    "api:simulation-step-list": Route(TENANT, api=True),
    "api:simulation-step-detail": Route(TENANT, api=True, object="step"),
    "api:simulation-scenario-list": Route(TENANT, api=True),
    "api:simulation-scenario-detail": Route(TENANT, api=True, object="scenario"),
    "api:simulation-run-list": Route(TENANT, api=True),
    "api:simulation-run-detail": Route(TENANT, api=True, object="simulation_run"),
    "api:exercise-list": Route(TENANT, api=True),
    "api:exercise-detail": Route(TENANT, api=True, object="exercise"),
    "api:simulation-proposal-list": Route(TENANT, api=True),
    "api:simulation-proposal-detail": Route(TENANT, api=True, object="simulation_proposal"),
    # Audits (issue 7): suppliers record their QA audits and respond, client auditors record,
    # managers set priorities and decide, viewers read.
    "audits:audit_list": Route(TENANT),
    "audits:audit_create": Route(TENANT, insiders=("alice", "bob")),
    "audits:programme_create": Route(TENANT, insiders=("alice", "bob")),
    "audits:programme_next_year": Route(
        TENANT,
        method="post",
        object="audit_programme",
        insiders=("alice", "bob"),
        ok=(302,),
        data={},
    ),
    "audits:audit_detail": Route(TENANT, object="audit"),
    "audits:audit_edit": Route(TENANT, object="audit", insiders=("alice", "bob")),
    "audits:finding_create": Route(TENANT, object="audit", insiders=("alice", "bob")),
    "audits:finding_board": Route(TENANT),
    "audits:finding_export": Route(TENANT),
    "audits:finding_detail": Route(TENANT, object="finding"),
    "audits:action_board": Route(TENANT),
    "audits:supplier_report_download": Route(TENANT, object="supplier_report"),
    "audits:pdf_download": Route(TENANT, object="audit"),
    "audits:pdf_request": Route(TENANT, method="post", object="audit", ok=(302,), data={}),
    "audits:audit_transition": Route(
        TENANT, method="post", object="audit", insiders=("alice", "bob"), ok=(302,), data={}
    ),
    "audits:checklist_generate": Route(
        TENANT, method="post", object="audit", insiders=("alice", "bob"), ok=(302,), data={}
    ),
    "audits:checklist_add": Route(
        TENANT, method="post", object="audit", insiders=("alice", "bob"), ok=(302,), data={}
    ),
    "audits:report_upload": Route(
        TENANT, method="post", object="audit", insiders=("bob",), ok=(302,), data={}
    ),
    "audits:shared_report": Route(TENANT, object="shared_audit", insiders=("bob",)),
    "audits:shared_report_template": Route(TENANT),
    "audits:checklist_item_record": Route(
        TENANT,
        method="post",
        object="checklist_item",
        insiders=("alice", "bob"),
        ok=(302,),
        data={},
    ),
    "audits:finding_respond": Route(
        TENANT, method="post", object="finding", insiders=("alice", "bob"), ok=(302,), data={}
    ),
    "audits:finding_priority": Route(
        TENANT, method="post", object="finding", insiders=("alice",), ok=(302,), data={}
    ),
    "audits:action_create": Route(
        TENANT, method="post", object="finding", insiders=("alice", "bob"), ok=(302,), data={}
    ),
    "audits:check_create": Route(
        TENANT, method="post", object="finding", insiders=("alice", "bob"), ok=(302,), data={}
    ),
    "audits:finding_close": Route(
        TENANT, method="post", object="finding", insiders=("alice", "bob"), ok=(302,), data={}
    ),
    "audits:action_update": Route(
        TENANT,
        method="post",
        object="corrective_action",
        insiders=("alice", "bob"),
        ok=(302,),
        data={},
    ),
    "api:audit-programme-list": Route(TENANT, api=True),
    "api:audit-programme-detail": Route(TENANT, api=True, object="audit_programme"),
    "api:audit-programme-next-year": Route(
        TENANT,
        api=True,
        method="post",
        object="audit_programme",
        insiders=("alice", "bob"),
        ok=(201, 400),
        data={},
    ),
    "api:audit-list": Route(TENANT, api=True),
    "api:audit-detail": Route(TENANT, api=True, object="audit"),
    "api:audit-transition": Route(
        TENANT,
        api=True,
        method="post",
        object="audit",
        insiders=("alice", "bob"),
        ok=(400,),
        data={},
    ),
    "api:audit-generate-checklist": Route(
        TENANT, api=True, method="post", object="audit", insiders=("alice", "bob"), data={}
    ),
    "api:audit-shared-report": Route(
        TENANT,
        api=True,
        method="post",
        object="shared_audit",
        insiders=("bob",),
        ok=(400,),
        data={},
    ),
    "api:audit-checklist-item-list": Route(TENANT, api=True),
    "api:audit-checklist-item-detail": Route(TENANT, api=True, object="checklist_item"),
    "api:audit-finding-list": Route(TENANT, api=True),
    "api:audit-finding-detail": Route(TENANT, api=True, object="finding"),
    "api:audit-finding-ranking": Route(TENANT, api=True),
    "api:audit-finding-priority": Route(
        TENANT, api=True, method="post", object="finding", insiders=("alice",), ok=(400,), data={}
    ),
    "api:audit-finding-effectiveness-check": Route(
        TENANT,
        api=True,
        method="post",
        object="finding",
        insiders=("alice", "bob"),
        ok=(400,),
        data={},
    ),
    "api:audit-finding-close": Route(
        TENANT,
        api=True,
        method="post",
        object="finding",
        insiders=("alice", "bob"),
        ok=(400,),
        data={},
    ),
    "api:audit-action-list": Route(TENANT, api=True),
    "api:audit-action-detail": Route(TENANT, api=True, object="corrective_action"),
    # Meetings and SIPs (issue 9): managers run meetings; the supplier reads its contract's
    # meetings, delivers pre-reads and updates its own actions; viewers read.
    "meetings:index": Route(TENANT),
    "meetings:series_create": Route(TENANT, insiders=("alice",)),
    "meetings:series_detail": Route(TENANT, object="meeting_series"),
    "meetings:series_edit": Route(TENANT, object="meeting_series", insiders=("alice",)),
    "meetings:series_ics": Route(TENANT, object="meeting_series"),
    "meetings:meeting_create": Route(TENANT, object="meeting_series", insiders=("alice",)),
    "meetings:meeting_detail": Route(TENANT, object="meeting"),
    "meetings:meeting_edit": Route(TENANT, object="meeting", insiders=("alice",)),
    "meetings:meeting_generate": Route(
        TENANT, method="post", object="meeting_upcoming", insiders=("alice",), ok=(302,), data={}
    ),
    "meetings:meeting_publish": Route(
        TENANT, method="post", object="meeting_upcoming", insiders=("alice",), ok=(302,), data={}
    ),
    "meetings:meeting_held": Route(
        TENANT, method="post", object="meeting_upcoming", insiders=("alice",), ok=(302,), data={}
    ),
    "meetings:minutes_approve": Route(
        TENANT, method="post", object="meeting", insiders=("alice",), ok=(302,), data={}
    ),
    "meetings:meeting_ics": Route(TENANT, object="meeting"),
    "meetings:item_add": Route(
        TENANT,
        method="post",
        object="meeting_upcoming",
        insiders=("alice",),
        ok=(302,),
        data={"title": "Walk"},
    ),
    "meetings:attendance_add": Route(
        TENANT,
        method="post",
        object="meeting",
        insiders=("alice",),
        ok=(302,),
        data={"side": "client", "role": "Walker", "name": "Walk"},
    ),
    "meetings:attendance_record": Route(
        TENANT, method="post", object="meeting", insiders=("alice",), ok=(302,), data={}
    ),
    "meetings:action_create": Route(
        TENANT,
        method="post",
        object="meeting",
        insiders=("alice",),
        ok=(302,),
        data={
            "title": "Walk",
            "owner_side": "client",
            "owner_name": "W",
            "due_date": "2026-05-01",
        },
    ),
    "meetings:document_request": Route(
        TENANT, method="post", object="meeting", ok=(302,), data={"kind": "nothing"}
    ),
    "meetings:document_download": Route(
        TENANT, object="meeting_document", insiders=("alice", "victor")
    ),
    "meetings:item_prepare": Route(
        TENANT,
        method="post",
        object="agenda_item",
        insiders=("alice", "bob"),
        ok=(302,),
        data={"supplier_results": "Walk", "client_impact": "Walk"},
    ),
    "meetings:item_record": Route(
        TENANT,
        method="post",
        object="agenda_item",
        insiders=("alice",),
        ok=(302,),
        data={"minutes": "Walk", "outcome": "information"},
    ),
    "meetings:action_status": Route(
        TENANT,
        method="post",
        object="meeting_action",
        insiders=("alice", "bob"),
        ok=(302,),
        data={"status": "in_progress"},
    ),
    "meetings:sip_list": Route(TENANT),
    "meetings:sip_create": Route(TENANT, insiders=("alice",)),
    "meetings:sip_detail": Route(TENANT, object="sip"),
    "meetings:sip_edit": Route(TENANT, object="sip", insiders=("alice",)),
    "meetings:milestone_add": Route(
        TENANT,
        method="post",
        object="sip",
        insiders=("alice",),
        ok=(302,),
        data={"title": "Walk", "due_date": "2026-06-01"},
    ),
    "meetings:sip_link_add": Route(
        TENANT, method="post", object="sip", insiders=("alice",), ok=(302,), data={}
    ),
    "meetings:milestone_toggle": Route(
        TENANT, method="post", object="sip_milestone", insiders=("alice",), ok=(302,), data={}
    ),
    "api:meeting-series-list": Route(TENANT, api=True),
    "api:meeting-series-detail": Route(TENANT, api=True, object="meeting_series"),
    "api:meeting-list": Route(TENANT, api=True),
    "api:meeting-detail": Route(TENANT, api=True, object="meeting"),
    "api:meeting-generate": Route(
        TENANT,
        api=True,
        method="post",
        object="meeting_upcoming",
        insiders=("alice",),
        ok=(200,),
        data={},
    ),
    "api:meeting-transition": Route(
        TENANT,
        api=True,
        method="post",
        object="meeting",
        insiders=("alice",),
        ok=(200,),
        data={"to": "approved"},
    ),
    "api:agenda-item-list": Route(TENANT, api=True),
    "api:agenda-item-detail": Route(TENANT, api=True, object="agenda_item"),
    "api:agenda-item-prepare": Route(
        TENANT,
        api=True,
        method="post",
        object="agenda_item",
        insiders=("alice", "bob"),
        ok=(200, 400),
        data={"supplier_results": "Walk", "client_impact": "Walk"},
    ),
    "api:agenda-item-outcome": Route(
        TENANT,
        api=True,
        method="post",
        object="agenda_item",
        insiders=("alice",),
        ok=(200,),
        data={"minutes": "Walk", "outcome": "decision", "resolved": "false"},
    ),
    "api:meeting-action-list": Route(TENANT, api=True),
    "api:meeting-action-detail": Route(TENANT, api=True, object="meeting_action"),
    "api:meeting-action-status": Route(
        TENANT,
        api=True,
        method="post",
        object="meeting_action",
        insiders=("alice", "bob"),
        ok=(200,),
        data={"status": "in_progress"},
    ),
    "api:sip-list": Route(TENANT, api=True),
    "api:sip-detail": Route(TENANT, api=True, object="sip"),
    "api:sip-milestone-list": Route(TENANT, api=True),
    "api:sip-milestone-detail": Route(TENANT, api=True, object="sip_milestone"),
    # Gap analysis (issue 5): flags are aggregates every party of the contract may read;
    # runs and reports span the whole organisation and are the client's own.
    "kto_gap:matrix": Route(TENANT),
    "kto_gap:contract": Route(TENANT, object="contract"),
    "kto_gap:flag": Route(TENANT, object="gap_flag"),
    "kto_gap:runs": Route(TENANT, insiders=("alice", "victor")),
    "kto_gap:run_start": Route(
        TENANT, method="post", insiders=("alice",), ok=(302,), data={"period": "2026-10-01"}
    ),
    "kto_gap:run_detail": Route(TENANT, object="gap_run", insiders=("alice", "victor")),
    "kto_gap:run_status": Route(TENANT, object="gap_run", insiders=("alice", "victor")),
    "kto_gap:run_report": Route(TENANT, object="gap_run", insiders=("alice", "victor")),
    "api:gap-flag-list": Route(TENANT, api=True),
    "api:gap-flag-detail": Route(TENANT, api=True, object="gap_flag"),
    "api:gap-run-list": Route(TENANT, api=True, insiders=("alice", "victor")),
    "api:gap-run-detail": Route(TENANT, api=True, object="gap_run", insiders=("alice", "victor")),
    # Gap settings (issue 5, item 5): the client's own — members read, contract managers write,
    # a supplier's user never sees them.
    "kto_gap:settings": Route(TENANT, insiders=("alice", "victor")),
    "kto_gap:threshold_add": Route(
        TENANT,
        method="post",
        insiders=("alice",),
        ok=(302,),
        data={"contract": "", "dimension": "tangibles", "delta": "0.2", "k": "5"},
    ),
    "kto_gap:threshold_edit": Route(TENANT, object="gap_threshold", insiders=("alice",)),
    "kto_gap:threshold_delete": Route(
        TENANT, method="post", object="gap_threshold", insiders=("alice",), ok=(302,), data={}
    ),
    "api:gap-threshold-list": Route(TENANT, api=True, insiders=("alice", "victor")),
    "api:gap-threshold-detail": Route(
        TENANT, api=True, object="gap_threshold", insiders=("alice", "victor")
    ),
    "api:gap-digest-schedule": Route(TENANT, api=True, insiders=("alice", "victor")),
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
