"""The route walk: every URL of Regie is classified, and each is walked by every role of the
role matrix (`governance/platform/roles.py`), by outsiders and anonymously.

Routes come from the URL resolver (which includes the API router), so a new route without a
classification below fails `test_every_route_is_classified`. Each route declares the permission
that lets a role through; the matrix says which roles hold it, so the expected answer of every
route × role cell follows from the module, never from a list kept here. A permission of the
matrix that no route (or shown text) declares fails `test_every_matrix_cell_is_walked`.
"""

import pytest
from django.urls import reverse

from governance.platform import roles
from tests.route_walk import (  # noqa: F401 - the permissions are the table's vocabulary
    ADMIN,
    APPROVE,
    AUDIT_CLOSE,
    AUDIT_PLAN,
    AUDIT_PROPOSE,
    AUDIT_RECORD,
    AUTHENTICATED,
    BETA_ONLY,
    CLIENT,
    COMPLAINTS,
    CONTRACTS,
    GAPS,
    HISTORY,
    INTEGRATIONS,
    KTO,
    MEETINGS,
    MEMBERS,
    PREPARE,
    PRIORITISE,
    PRIVACY,
    PROPOSE,
    PUBLIC,
    READ,
    RESPOND,
    SHARE_REPORT,
    SIMULATIONS,
    SLA_REPORT,
    SLA_REVIEW,
    STAFF,
    SUPPLIER,
    SUPPLIER_MEMBERS,
    TAKE_PART,
    TENANT,
    Route,
    api,
    api_patch,
    api_post,
    check_cell,
    page,
    plant_beta_canaries,
    post,
    request,
    resolver_routes,
    samples,
    undone,
    url_name,
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
# The API's register writes (JSON). Creates name a contract or supplier by id, which the walk
# cannot know in advance: they are walked with the id missing (400 for an insider).
API_SERVICE = {
    "name": "Walked desk",
    "opening_hours": [{"weekday": 0, "opens": "08:00", "closes": "17:00"}],
}
API_AMENDMENT = {"valid_from": "2026-01-01", "target": "95"}
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
    # Accounts (issue 17): the second login step sends a visitor without a pending login back
    # to the login page; the admin's login is Regie's; the account pages are the user's own.
    "login_code": Route(PUBLIC),
    "admin_login": Route(PUBLIC),
    "account": Route(AUTHENTICATED),
    "token_rotate": Route(AUTHENTICATED, method="post", extra={"pk": 1}),
    "token_revoke": Route(AUTHENTICATED, method="post", extra={"pk": 1}),
    "mfa_setup": Route(AUTHENTICATED),
    "mfa_disable": Route(AUTHENTICATED),
    "recovery_codes": Route(AUTHENTICATED),
    # The organisation's security setting (MFA required): who keeps its members.
    "organisation_security": page(perm=MEMBERS),
    # Saving it (without a verified second factor the setting can only stay off).
    "organisation_security#save": post(perm=MEMBERS, data={}),
    "api_schema": Route(PUBLIC),
    "api_docs": Route(PUBLIC),
    "organisation_home": page(),
    # Words that Beta's canaries hold: the search finds only what the actor may see in Alpha.
    "search": page(data={"q": "desk"}),
    "search#beta": page(data={"q": "beta hosting southwind"}),
    # A client user's own work (issue 20); a supplier's user has no such page in the tenant.
    "my_work": page(perm=CLIENT),
    "contracts:contract_list": page(),
    "contracts:contract_detail": page("contract"),
    "contracts:report_export": page("contract"),
    # The contract health page (issue 20): the PDF is rendered with the organisation's full
    # view, so it is the client's own staff's.
    "contract_health": page("contract"),
    "contract_summary_request": post("contract", CLIENT),
    # 404 until a summary was rendered (tests/governance/test_contract_health.py downloads one).
    "contract_summary_download": page("contract", CLIENT, ok=(200, 404)),
    "contracts:register_import": page(perm=CONTRACTS),
    "contracts:register_template": page(perm=CONTRACTS),
    "api:contract-import-list": api_post(perm=CONTRACTS, ok=(400,)),
    "api:contract-list": api(),
    "api:contract-detail": api("contract"),
    # Complaints (issue 6): the assigned supplier answers, managers run the procedure; the
    # analysis, proposals and settings are the client's own. Public pages need no account.
    "complaints:complaint_list": page(),
    "complaints:complaint_export": page(),
    "complaints:complaint_detail": page("complaint"),
    "complaints:complaint_assign": post("complaint", COMPLAINTS),
    "complaints:complaint_transition": post("complaint", RESPOND, data=ACKNOWLEDGE),
    "complaints:complaint_note": post("complaint", COMPLAINTS, data={"text": "walk"}),
    "complaints:complaint_message": post("complaint", RESPOND, data={"text": "walk"}),
    "complaints:attachment": page("complaint_attachment"),
    "complaints:analysis": page(perm=CLIENT),
    "complaints:extension": page(perm=CLIENT),
    "complaints:proposal_list": page(perm=CLIENT),
    "complaints:proposal_detail": page("complaint_proposal", CLIENT),
    "complaints:settings": page(perm=CLIENT),
    "complaints:category_add": post(perm=COMPLAINTS, data=CATEGORY),
    "complaints:category_toggle": post("complaint_category", COMPLAINTS),
    "api:complaint-list": api(),
    "api:complaint-detail": api("complaint"),
    "api:complaint-events": api("complaint"),
    "api:complaint-verdicts": api(),
    "api:complaint-statistics": api(perm=CLIENT),
    "api:complaint-transition": api_post("complaint", RESPOND, ok=(200, 400), data=ACKNOWLEDGE),
    "api:complaint-proposal-list": api(),
    "api:complaint-proposal-detail": api("complaint_proposal", CLIENT),
    "complaints_public:form": Route(PUBLIC, extra=ALPHA),
    "complaints_public:track": Route(PUBLIC, extra={"token": "x" * 32}, ok=(404,)),
    "complaints_public:register": Route(PUBLIC, extra=ALPHA, ok=(404,)),
    "complaints_public:register_pdf": Route(PUBLIC, extra=ALPHA_QUARTER, ok=(404,)),
    "complaints_public:register_report_status": Route(PUBLIC, extra=ALPHA_QUARTER, ok=(404,)),
    "complaints_public_api:submit": Route(PUBLIC, method="post", extra=ALPHA, data={}),
    "complaints_public_api:register": Route(PUBLIC, extra=ALPHA, ok=(404,)),
    # Privacy (issue 16): the statement is public; the complainant erases through its own
    # tracking link; retention settings and erasure requests are the contract managers' own.
    "complaints_public:track_erase": Route(PUBLIC, extra={"token": "x" * 32}, ok=(404,)),
    "privacy_statement": Route(PUBLIC, extra=ALPHA),
    "privacy:settings": page(perm=PRIVACY),
    "privacy:settings#save": post(
        perm=PRIVACY,
        data={
            "complaint_contact_months": 24,
            "participant_email_months": 6,
            "contact_name": "Privacy office",
            "contact_email": "privacy@example.test",
        },
    ),
    "privacy:erase": post(perm=PRIVACY, ok=(200,), data={"email": "walk@example.test"}),
    "api:privacy-settings": api(perm=CLIENT),
    # Contracts and SLA reports (issue 3): suppliers upload and respond, managers review.
    "contracts:contract_export": page(),
    "contracts:report_template": page("contract"),
    "contracts:report_upload": page("contract", SLA_REPORT),
    "contracts:report_upload_confirm": post("contract", SLA_REPORT),
    "contracts:report_detail": page("sla_report"),
    "contracts:measurement_export": page("sla_report"),
    "contracts:report_source": page("sla_report"),
    "contracts:report_submit": post("sla_report", SLA_REPORT),
    "contracts:report_accept": post("sla_report", SLA_REVIEW),
    "contracts:report_dispute": post("sla_report", SLA_REVIEW, ok=(400,)),
    "contracts:report_appeal": post("sla_report", SLA_REPORT),
    "contracts:report_withdraw": post("sla_report", SLA_REVIEW),
    "contracts:level_chart": page("service_level"),
    # The terms: contract managers write them; a supplier records the deliveries it makes.
    "contracts:contract_create": post(perm=CONTRACTS, ok=(400,)),
    "contracts:contract_edit": post("contract", CONTRACTS, data=CONTRACT),
    "contracts:service_create": post("contract", CONTRACTS, data=NEW_SERVICE),
    "contracts:service_edit": post("service", CONTRACTS, data=SERVICE),
    "contracts:service_level_create": post("contract", CONTRACTS, data=NEW_SERVICE_LEVEL),
    "contracts:service_level_amend": post("service_level", CONTRACTS, data=SERVICE_LEVEL_AMENDMENT),
    "contracts:expectation_create": post("contract", CONTRACTS, data=EXPECTATION),
    "contracts:expectation_edit": post("expectation", CONTRACTS, data=EXPECTATION),
    "contracts:information_need_create": post("contract", CONTRACTS, data=INFORMATION_NEED),
    "contracts:information_need_edit": post("information_need", CONTRACTS, data=INFORMATION_NEED),
    "contracts:delivery_record": post("information_need", (CONTRACTS, SLA_REPORT), data=DELIVERY),
    "api:service-list": api(),
    "api:service-detail": api("service"),
    # The register's API writes: contract managers, as in the browser (a supplier: 403).
    "api:contract-list#create": api_post(perm=CONTRACTS, ok=(400,), data=CONTRACT, json=True),
    "api:contract-detail#update": api_patch("contract", CONTRACTS, data={"title": "Walked"}),
    "api:service-list#create": api_post(perm=CONTRACTS, ok=(400,), data=API_SERVICE, json=True),
    "api:service-detail#update": api_patch("service", CONTRACTS, data=API_SERVICE),
    "api:servicelevel-list#create": api_post(
        perm=CONTRACTS, ok=(400,), data=NEW_SERVICE_LEVEL, json=True
    ),
    "api:servicelevel-amend": api_post(
        "service_level", CONTRACTS, ok=(201,), data=API_AMENDMENT, json=True
    ),
    "api:expectation-list": api(),
    "api:expectation-detail": api("expectation"),
    "api:expectation-list#create": api_post(perm=CONTRACTS, ok=(400,), data=EXPECTATION, json=True),
    "api:expectation-detail#update": api_patch("expectation", CONTRACTS, data={"owner": "W"}),
    "api:information-need-list": api(),
    "api:information-need-detail": api("information_need"),
    "api:information-need-list#create": api_post(
        perm=CONTRACTS, ok=(400,), data=INFORMATION_NEED, json=True
    ),
    "api:information-need-detail#update": api_patch(
        "information_need", CONTRACTS, data={"due_days": 12}
    ),
    "api:servicelevel-list": api(),
    "api:servicelevel-detail": api("service_level"),
    "api:slareport-list": api(),
    "api:slareport-detail": api("sla_report"),
    "api:slareport-accept": api_post("sla_report", SLA_REVIEW),
    "api:slareport-dispute": api_post("sla_report", SLA_REVIEW, ok=(400,)),
    "api:slareport-appeal": api_post("sla_report", SLA_REPORT, ok=(400,)),
    "api:slareport-withdraw": api_post("sla_report", SLA_REVIEW, ok=(400,)),
    "api:slareport-submit": api_post("sla_report", SLA_REPORT, ok=(400,)),
    "api:measurement-list": api(),
    "api:measurement-detail": api("measurement"),
    # KTO (issue 4): survey management for client members, results also for the supplier.
    "kto:survey_list": page(),
    "kto:survey_create": page(perm=KTO),
    "kto:question_list": page(perm=CLIENT),
    "kto:question_create": post(perm=KTO, data=QUESTION),
    "kto:survey_detail": page("survey", CLIENT),
    "kto:survey_edit": page("survey", KTO),
    "kto:survey_plan": page("survey", KTO),
    "kto:survey_repeat": page("survey", KTO),
    "kto:settings": page(perm=KTO),
    "kto:participant_import": page("survey", KTO),
    "kto:survey_launch": post("survey", KTO),
    "kto:survey_close": post("survey", KTO),
    "kto:survey_open_link": post("survey", KTO, data={"enabled": "1"}),
    "kto:survey_results": page("survey"),
    "kto:survey_results_export": page("survey"),
    "kto_public:answer": Route(PUBLIC, extra={"token": "tampered"}),
    "kto_public:open": Route(PUBLIC, extra={"token": "tampered"}),
    "kto_public:thanks": Route(PUBLIC),
    "api:kto-survey-list": api(),
    "api:kto-survey-detail": api("survey"),
    "api:kto-survey-participants": api_post("survey", KTO, ok=(201,), data=PARTICIPANTS),
    "api:kto-survey-results": api("survey"),
    "api:kto-question-list": api(perm=CLIENT),
    "api:kto-question-detail": api("question", CLIENT),
    # Simulations (issue 8): managers change, suppliers of the contract read and take part.
    "simulations:chain_list": page(),
    "simulations:chain_create": page(perm=SIMULATIONS),
    "simulations:chain_detail": page("chain"),
    "simulations:chain_edit": page("chain", SIMULATIONS),
    "simulations:chain_profile": page("chain", SIMULATIONS),
    "simulations:chain_profile_derive": page("chain", SIMULATIONS),
    "simulations:step_create": page("chain", SIMULATIONS),
    "simulations:scenario_create": page("chain", SIMULATIONS),
    "simulations:run_start": page("chain", SIMULATIONS),
    "simulations:chain_compare": page("chain"),
    "simulations:exercise_create": page("chain", SIMULATIONS),
    "simulations:step_edit": page("step", SIMULATIONS),
    "simulations:step_delete": post("step", SIMULATIONS),
    "simulations:scenario_edit": page("scenario", SIMULATIONS),
    "simulations:run_detail": page("simulation_run"),
    "simulations:run_progress": page("simulation_run"),
    "simulations:exercise_list": page(),
    "simulations:lesson_trend": page(),
    "simulations:lesson_export": page(),
    "simulations:exercise_detail": page("exercise"),
    "simulations:exercise_edit": page("exercise", SIMULATIONS),
    "simulations:exercise_held": post("exercise", SIMULATIONS, data={"summary": "Held"}),
    "simulations:exercise_part_add": post(
        "exercise", TAKE_PART, extra={"kind": "lesson"}, data=LESSON
    ),
    "simulations:exercise_pdf": page("exercise"),
    "simulations:exercise_report_request": post("exercise"),
    "simulations:exercise_report_status": page("exercise"),
    "simulations:action_toggle": post("exercise_action", TAKE_PART),
    # Proposals: managers make and move them; the sample is joint, so the supplier reads it.
    "simulations:action_propose": page("exercise_action", PROPOSE),
    "simulations:run_propose": page("simulation_run", PROPOSE, extra={"finding": "bottleneck"}),
    "simulations:proposal_list": page(),
    "simulations:proposal_detail": page("simulation_proposal"),
    "simulations:proposal_status": post(
        "simulation_proposal", APPROVE, data={"status": "on_agenda"}
    ),
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
    "audits:audit_create": page(perm=AUDIT_RECORD),
    # Planning a programme is the client's; the supplier proposes, the client accepts.
    "audits:programme_create": page(perm=AUDIT_PLAN),
    "audits:programme_next_year": page("audit_programme", AUDIT_PLAN),
    "audits:programme_propose": post("audit_programme", AUDIT_PROPOSE),
    # The sample is planned already, so the accept page leads back to the calendar.
    "audits:programme_accept": page("audit_programme", AUDIT_PLAN, ok=(302,)),
    "audits:audit_detail": page("audit"),
    "audits:audit_edit": page("audit", AUDIT_RECORD),
    "audits:finding_create": page("audit", AUDIT_RECORD),
    "audits:finding_board": page(),
    "audits:finding_export": page(),
    "audits:finding_detail": page("finding"),
    "audits:action_board": page(),
    "audits:supplier_report_download": page("supplier_report"),
    "audits:pdf_download": page("audit"),
    "audits:pdf_request": post("audit"),
    "audits:audit_transition": post("audit", AUDIT_RECORD),
    "audits:checklist_generate": post("audit", AUDIT_RECORD),
    "audits:checklist_add": post("audit", AUDIT_RECORD),
    "audits:report_upload": post("audit", SHARE_REPORT),
    "audits:shared_report": page("shared_audit", SHARE_REPORT),
    "audits:shared_report_template": page(),
    "audits:checklist_item_record": post("checklist_item", AUDIT_RECORD),
    "audits:finding_respond": post("finding", AUDIT_RECORD),
    "audits:finding_priority": post("finding", PRIORITISE),
    "audits:action_create": post("finding", AUDIT_RECORD),
    "audits:check_create": post("finding", AUDIT_RECORD),
    "audits:finding_close": post("finding", AUDIT_RECORD),
    "audits:action_update": post("corrective_action", AUDIT_RECORD),
    "api:audit-programme-list": api(),
    "api:audit-programme-detail": api("audit_programme"),
    "api:audit-programme-next-year": api_post("audit_programme", AUDIT_RECORD, ok=(201, 400)),
    "api:audit-list": api(),
    "api:audit-detail": api("audit"),
    "api:audit-transition": api_post("audit", AUDIT_RECORD, ok=(400,)),
    "api:audit-generate-checklist": api_post("audit", AUDIT_RECORD),
    "api:audit-shared-report": api_post("shared_audit", SHARE_REPORT, ok=(400,)),
    "api:audit-checklist-item-list": api(),
    "api:audit-checklist-item-detail": api("checklist_item"),
    "api:audit-finding-list": api(),
    "api:audit-finding-detail": api("finding"),
    "api:audit-finding-ranking": api(),
    "api:audit-finding-priority": api_post("finding", PRIORITISE, ok=(400,)),
    "api:audit-finding-effectiveness-check": api_post("finding", AUDIT_RECORD, ok=(400,)),
    "api:audit-finding-close": api_post("finding", AUDIT_RECORD, ok=(400,)),
    "api:audit-action-list": api(),
    "api:audit-action-detail": api("corrective_action"),
    # Meetings and SIPs (issue 9): managers run meetings; the supplier reads its contract's
    # meetings, delivers pre-reads and updates its own actions; viewers read.
    "meetings:index": page(),
    "meetings:series_create": page(perm=MEETINGS),
    "meetings:series_detail": page("meeting_series"),
    "meetings:series_edit": page("meeting_series", MEETINGS),
    "meetings:series_ics": page("meeting_series"),
    "meetings:meeting_create": page("meeting_series", MEETINGS),
    "meetings:meeting_detail": page("meeting"),
    "meetings:action_export": page("meeting"),
    "meetings:meeting_edit": page("meeting", MEETINGS),
    "meetings:meeting_generate": post("meeting_upcoming", MEETINGS),
    "meetings:meeting_publish": post("meeting_upcoming", MEETINGS),
    "meetings:meeting_held": post("meeting_upcoming", MEETINGS),
    "meetings:minutes_approve": post("meeting", MEETINGS),
    "meetings:meeting_ics": page("meeting"),
    "meetings:item_add": post("meeting_upcoming", MEETINGS, data={"title": "Walk"}),
    "meetings:attendance_add": post("meeting", MEETINGS, data=ATTENDEE),
    "meetings:attendance_record": post("meeting", MEETINGS),
    "meetings:action_create": post("meeting", MEETINGS, data=MEETING_ACTION),
    "meetings:document_request": post("meeting", data={"kind": "nothing"}),
    "meetings:document_download": page("meeting_document", CLIENT),
    "meetings:item_prepare": post("agenda_item", PREPARE, data=PREPARATION),
    "meetings:item_record": post("agenda_item", MEETINGS, data=MINUTES),
    "meetings:action_status": post("meeting_action", PREPARE, data={"status": "in_progress"}),
    "meetings:sip_list": page(),
    "meetings:sip_export": page(),
    "meetings:sip_create": page(perm=MEETINGS),
    "meetings:sip_detail": page("sip"),
    "meetings:sip_edit": page("sip", MEETINGS),
    "meetings:milestone_add": post(
        "sip", MEETINGS, data={"title": "Walk", "due_date": "2026-06-01"}
    ),
    "meetings:sip_link_add": post("sip", MEETINGS),
    "meetings:milestone_toggle": post("sip_milestone", MEETINGS),
    # Acting from a gap flag (the buttons on its page): contract managers only; the supplier
    # sees the flag but may not act on it.
    "meetings:gap_flag_agenda": post("gap_flag", MEETINGS),
    "meetings:gap_flag_sip": page("gap_flag", MEETINGS),
    "api:meeting-series-list": api(),
    "api:meeting-series-detail": api("meeting_series"),
    "api:meeting-list": api(),
    "api:meeting-detail": api("meeting"),
    "api:meeting-generate": api_post("meeting_upcoming", MEETINGS),
    "api:meeting-transition": api_post("meeting", MEETINGS, data={"to": "approved"}),
    "api:agenda-item-list": api(),
    "api:agenda-item-detail": api("agenda_item"),
    "api:agenda-item-prepare": api_post("agenda_item", PREPARE, ok=(200, 400), data=PREPARATION),
    "api:agenda-item-outcome": api_post("agenda_item", MEETINGS, data=OUTCOME),
    "api:meeting-action-list": api(),
    "api:meeting-action-detail": api("meeting_action"),
    "api:meeting-action-status": api_post(
        "meeting_action", PREPARE, data={"status": "in_progress"}
    ),
    "api:sip-list": api(),
    "api:sip-detail": api("sip"),
    "api:sip-milestone-list": api(),
    "api:sip-milestone-detail": api("sip_milestone"),
    # Gap analysis (issue 5): flags are aggregates every party of the contract may read;
    # runs and reports span the whole organisation and are the client's own.
    "kto_gap:matrix": page(),
    "kto_gap:matrix_export": page(),
    "kto_gap:contract": page("contract"),
    "kto_gap:flag": page("gap_flag"),
    "kto_gap:runs": page(perm=CLIENT),
    "kto_gap:run_start": post(perm=GAPS, data={"period": "2026-10-01"}),
    "kto_gap:run_detail": page("gap_run", CLIENT),
    "kto_gap:run_status": page("gap_run", CLIENT),
    "kto_gap:run_report": page("gap_run", CLIENT),
    "api:gap-flag-list": api(),
    "api:gap-flag-detail": api("gap_flag"),
    # Comments on a flag are the client's own notes: members read, managers write, a
    # supplier's user never sees them.
    "kto_gap:flag_comment_add": post("gap_flag", GAPS, data={"text": "Walk"}),
    "api:gap-flag-comments": api("gap_flag", CLIENT),
    "api:gap-run-list": api(perm=CLIENT),
    "api:gap-run-detail": api("gap_run", CLIENT),
    # Gap settings: the client's own — members read, contract managers write; a supplier's
    # user never sees them.
    "kto_gap:settings": page(perm=CLIENT),
    "kto_gap:threshold_add": post(
        perm=GAPS,
        data={"contract": "", "dimension": "tangibles", "delta": "0.2", "k": "5"},
    ),
    "kto_gap:threshold_edit": page("gap_threshold", GAPS),
    # The digest's preview and a test to oneself: contract managers only (a viewer 403).
    "kto_gap:digest_preview": page(perm=GAPS),
    "kto_gap:digest_test": post(perm=GAPS),
    "kto_gap:threshold_delete": post("gap_threshold", GAPS),
    "api:gap-threshold-list": api(perm=CLIENT),
    "api:gap-threshold-detail": api("gap_threshold", CLIENT),
    "api:gap-digest-schedule": api(perm=CLIENT),
    "kto_gap:amber_margin": post(perm=GAPS, data={"amber_margin": "0.01"}),
    "api:gap-settings": api(perm=CLIENT),
    # A second walk of a route (after "#"): another method or object, another permission.
    "complaints:proposal_detail#decide": post(
        "complaint_proposal", APPROVE, data={"status": "on_agenda", "note": ""}
    ),
    "complaints:extension#propose": post(perm=PROPOSE, ok=(200,)),
    "complaints:settings#save": post(perm=COMPLAINTS, ok=(200,)),
    "complaints:complaint_detail#contact": page(
        "complaint_with_contact", shows=("complaints.contact_details", "walk-contact@example.test")
    ),
    "audits:audit_transition#close": post("reported_audit", AUDIT_CLOSE, data={"status": "closed"}),
    # Self-administration (issue 17): contract managers keep their organisation's members; a
    # supplier's administrator its own users; the invitation link is public.
    "members:member_list": page(perm=MEMBERS),
    "members:member_invite": post(
        perm=MEMBERS, data={"email": "walk-invite@example.test", "role": "viewer"}
    ),
    "members:member_role": post("membership", MEMBERS, data={"role": "auditor"}),
    "members:member_deactivate": post("membership", MEMBERS),
    "members:invitation_withdraw": post("invitation", MEMBERS),
    "supplier_members:list": Route(SUPPLIER, perm=SUPPLIER_MEMBERS),
    "supplier_members:invite": Route(
        SUPPLIER,
        method="post",
        perm=SUPPLIER_MEMBERS,
        ok=(302,),
        data={"email": "walk-supplier@example.test"},
    ),
    "supplier_members:remove": Route(
        SUPPLIER, method="post", object="supplier_link", perm=SUPPLIER_MEMBERS, ok=(302,), data={}
    ),
    "invitation_accept": Route(PUBLIC, extra={"token": "x" * 43}, ok=(404,)),
    # Webhooks: each side manages its own endpoints — the organisation's contract managers,
    # a supplier's users — a viewer neither. The walked endpoint is the organisation's own, so
    # on it only the contract managers get through (a supplier's user: 404).
    "webhooks:list": page(perm=INTEGRATIONS),
    "webhooks:detail": page("webhook_endpoint", CONTRACTS),
    "webhooks:rotate": post("webhook_endpoint", CONTRACTS, ok=(200,)),
    "webhooks:enable": post("webhook_endpoint", CONTRACTS),
    "webhooks:delete": post("webhook_endpoint", CONTRACTS),
    # The audit trail (issue 17): the organisation's trail and its export for contract
    # managers (a viewer 403); the gap settings' history for client members.
    "history": page(perm=HISTORY),
    "history_export": page(perm=HISTORY),
    "api:gap-digest-schedule-history": api(perm=CLIENT),
    "api:gap-settings-history": api(perm=CLIENT),
}

# A record's `history` action answers exactly whoever may read the record itself.
HISTORY_OF = [
    "agenda-item", "audit-action", "audit-checklist-item", "audit-finding", "audit",
    "audit-programme", "complaint", "complaint-proposal", "contract", "expectation",
    "gap-threshold", "information-need", "kto-survey", "measurement", "meeting-action",
    "meeting", "meeting-series", "service", "servicelevel", "sip", "sip-milestone", "slareport",
]  # fmt: skip
ROUTES.update({f"api:{name}-history": ROUTES[f"api:{name}-detail"] for name in HISTORY_OF})


# The Django admin, walked by every role: the platform operator's, nobody else's.
ADMIN_ROUTES: dict[str, Route] = {
    "admin:index": Route(STAFF, perm=ADMIN),
    "admin:governance_organisation_changelist": Route(STAFF, perm=ADMIN),
}


def route_url(name, org, objects) -> str:
    return reverse(url_name(name), kwargs=ROUTES[name].kwargs(org, objects))


tenant_url = route_url


def test_every_route_is_classified():
    routes = {name for name in resolver_routes() if not name.startswith("admin:")}
    classified = {url_name(name) for name in ROUTES}
    assert routes - classified == set(), "classify these routes in ROUTES"
    assert classified - routes == set(), "these classified routes no longer exist"
    assert {url_name(n) for n in ADMIN_ROUTES} <= resolver_routes()


def test_every_route_declares_known_permissions():
    declared = {p for route in [*ROUTES.values(), *ADMIN_ROUTES.values()] for p in route.perms}
    assert declared - set(roles.PERMISSION_NAMES) == set()


def walked_permissions() -> set[str]:
    """The permissions whose every cell the walk tests: declared alone by a walked route (a
    route open to either of two permissions cannot tell them apart), or shown as text."""
    walked = [r for r in [*ROUTES.values(), *ADMIN_ROUTES.values()] if r.kind != PUBLIC]
    alone = {r.perms[0] for r in walked if len(r.perms) == 1}
    return alone | {r.shows[0] for r in walked if r.shows}


def test_every_matrix_cell_is_walked():
    """Every role of the matrix has an actor in the walk, and every permission a route that
    every actor walks: so each role × permission cell is tested."""
    assert set(CAST) == set(roles.ROLES)
    assert set(roles.PERMISSION_NAMES) - walked_permissions() == set()


def names_of(*kinds):
    return sorted(name for name, route in ROUTES.items() if route.kind in kinds)


def group_of(name: str) -> str:
    return url_name(name).split(":")[0]


WALKED = names_of(TENANT, SUPPLIER)
GROUPS = sorted({group_of(name) for name in WALKED})

# The actor of each role of the matrix (conftest's `cast`), and the outsiders: Beta's contract
# manager and the user of a supplier that has no contract in Alpha.
CAST = {
    roles.CONTRACT_MANAGER: "alice",
    roles.BUSINESS_OWNER: "olga",
    roles.VIEWER: "victor",
    roles.AUDITOR: "audrey",
    roles.SUPPLIER_USER: "bob",
    roles.SUPPLIER_ADMIN: "sam",
    roles.PLATFORM_OPERATOR: "root",
}
OUTSIDERS = ("charlie", "dave")


@pytest.mark.parametrize("group", GROUPS)
def test_route_answers_each_role_as_the_matrix_says(group, world, cast, client):
    """Every route of the group × anonymous, both outsiders and every role of the matrix."""
    plant_beta_canaries(world)
    objects = samples(world)
    users = {u.username: u for u in [*cast.values(), world.charlie, world.dave]}
    problems = []
    for name in [n for n in WALKED if group_of(n) == group]:
        route = ROUTES[name]
        url = route_url(name, world.alpha, objects)

        client.logout()
        anonymous = undone(client, route, url)
        if route.api:
            expected_anonymous = anonymous.status_code == 401
        else:
            expected_anonymous = anonymous.status_code == 302 and anonymous["Location"].startswith(
                reverse("login")
            )
        if not expected_anonymous:
            problems.append(f"{name} × anonymous: {anonymous.status_code}")

        for outsider in OUTSIDERS:
            client.force_login(users[outsider])
            response = undone(client, route, url)
            if response.status_code != 404:
                problems.append(f"{name} × {outsider}: {response.status_code}, expected 404")

        for role, username in CAST.items():
            client.force_login(users[username])
            problems += check_cell(name, route, username, role, undone(client, route, url))

        if route.kind == TENANT and route.object:
            # Alpha's object asked for under Beta's slug, by Beta's own manager: 404.
            client.force_login(world.charlie)
            other = route_url(name, world.beta, objects)
            if (status := undone(client, route, other).status_code) != 404:
                problems.append(f"{name} under beta × charlie: {status}, expected 404")
    assert problems == []


def test_admin_answers_the_platform_operator_only(world, cast, client):
    for name, route in ADMIN_ROUTES.items():
        url = reverse(name)
        for role, username in CAST.items():
            client.force_login(cast[role])
            response = client.get(url)
            if route.admits(role):
                assert response.status_code == 200, (name, username)
            else:
                assert response.status_code == 302, (name, username)
                assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("name", names_of(AUTHENTICATED))
def test_authenticated_route_needs_login(name, world, client):
    route = ROUTES[name]
    response = request(client, route, reverse(url_name(name), kwargs=route.kwargs()))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", names_of(PUBLIC))
def test_public_route_answers_anonymous(name, world, client):
    route = ROUTES[name]
    response = request(client, route, reverse(url_name(name), kwargs=route.kwargs()))
    # A route may name its own expected answer, e.g. 404 for a made-up tracking token.
    assert response.status_code in {200, 302, 400} | set(route.ok), response.status_code
