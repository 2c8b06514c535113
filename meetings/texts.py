"""The kinds of sentence an agenda is generated with (governance.platform.texts): the msgids
are the ones the catalogue already translates; values are filled in by meetings.sources."""

from django.utils.translation import gettext_noop

from governance.platform.texts import register

TOPIC = register("meetings.topic", "%(topic)s", translated=("topic",))
SLA_MISSED = register(
    "meetings.sla_missed",
    gettext_noop("%(code)s %(state)s in %(period)s: %(value)s against target %(target)s"),
    translated=("state",),
    lower=("state",),
)
DEVIATION = register("meetings.deviation", gettext_noop("Deviation analysis: %(text)s"))
OVERDUE_ACTION = register(
    "meetings.overdue_action", gettext_noop("Overdue corrective action (due %(due)s): %(title)s")
)
OVERDUE_COMPLAINT = register(
    "meetings.overdue_complaint",
    gettext_noop("Complaint %(reference)s past its deadline (resolve by %(due)s)"),
)
GAP_CONFIRMED = register(
    "meetings.gap_confirmed",
    gettext_noop("Confirmed gap: %(flag)s on %(dimension)s (%(period)s)"),
    translated=("flag", "dimension"),
)
GAP = register(
    "meetings.gap",
    gettext_noop("Gap: %(flag)s on %(dimension)s (%(period)s)"),
    translated=("flag", "dimension"),
)
DISPUTED = register(
    "meetings.disputed_report",
    gettext_noop("SLA report %(contract)s %(period)s is %(status)s"),
    translated=("status",),
    lower=("status",),
)
COMPLAINT_TREND = register(
    "meetings.complaint_trend",
    gettext_noop("Complaint trend: %(total)s complaints in six months"),
)
PROPOSAL = register("meetings.proposal", gettext_noop("Improvement proposal: %(title)s"))
AUDIT_FINDING = register(
    "meetings.audit_finding",
    gettext_noop("Audit finding (%(grade)s, priority %(priority)s): %(title)s"),
    translated=("grade",),
    lower=("grade",),
)
EXERCISE = register("meetings.exercise", gettext_noop("Exercise %(title)s: %(count)s open actions"))
SIMULATION = register("meetings.simulation", gettext_noop("Simulation of %(chain)s: %(label)s"))
SIMULATED_ON = register("meetings.simulated_on", gettext_noop("Simulated on %(date)s."))
SIM_PROPOSAL = register(
    "meetings.sim_proposal",
    gettext_noop("Proposal from %(chain)s (%(finding)s): %(title)s"),
    translated=("finding",),
    lower=("finding",),
)
OWNER = register(
    "meetings.owner", gettext_noop("Owner: %(side)s."), translated=("side",), lower=("side",)
)
SIP_LINE = register(
    "meetings.sip_line",
    gettext_noop(
        "%(label)s: start %(start)s, current %(current)s, change %(change)s, target %(target)s"
    ),
    translated=("label",),
)
SIP_BASELINE_ONLY = register(
    "meetings.sip_baseline_only",
    gettext_noop("%(label)s: baseline %(start)s, no later measurement yet"),
    translated=("label",),
)
SIP = register("meetings.sip", gettext_noop("SIP progress: %(title)s"))
CONTRACT_DEADLINE = register(
    "meetings.contract_deadline",
    gettext_noop("%(contract)s: notice deadline %(deadline)s (%(renewal)s)"),
    translated=("renewal",),
    lower=("renewal",),
)
BASELINE_DUE = register(
    "meetings.baseline_due",
    gettext_noop(
        "No baseline satisfaction survey covers the run-up: plan a baseline KTO with "
        "expectation questions for all three stakeholder groups before negotiating."
    ),
)
KTO_TREND = register(
    "meetings.kto_trend",
    gettext_noop("Satisfaction trend and stakeholder triangle: %(contract)s"),
)
# A satisfaction-trend line: "Reliability: 3,80 (+0,20) — End users 3,90, Business 3,70".
# The layouts hold no words, so they are not in the catalogue; the names in them are.
KTO_SCORE = register("meetings.kto_score", "%(dimension)s: %(score)s", translated=("dimension",))
KTO_SCORE_CHANGE = register(
    "meetings.kto_score_change",
    "%(dimension)s: %(score)s (%(change)s)",
    translated=("dimension",),
)
KTO_GROUP = register("meetings.kto_group", "%(group)s %(score)s", translated=("group",))
KTO_TRIANGLE = register("meetings.kto_triangle", "%(line)s — %(groups)s")
ACTION = register(
    "meetings.action",
    gettext_noop("Action: %(title)s (%(side)s, %(owner)s, due %(due)s)"),
    translated=("side",),
    lower=("side",),
)
ESCALATED = register("meetings.escalated", gettext_noop("Escalated from %(series)s: %(title)s"))
UNRESOLVED = register("meetings.unresolved", gettext_noop("Unresolved for %(count)s meetings."))
PREPARATION = register(
    "meetings.preparation", gettext_noop("Pre-reads on time in the last twelve months")
)
PREPARATION_SIDE = register(
    "meetings.preparation_side",
    gettext_noop("%(side)s: %(on_time)s of %(due)s on time, %(late)s late, %(missing)s never"),
    translated=("side",),
)
REPORTING_ON_TIME = register(
    "meetings.reporting_on_time",
    gettext_noop("SLA reports on time from %(supplier)s: %(on_time)s of %(due)s periods"),
)
REPORTING_LATE = register(
    "meetings.reporting_late",
    gettext_noop("Reports outstanding now: %(periods)s"),
)
# A SIP's link to the gap flag it started from: "Confirmed gap · Reliability 2026-10".
GAP_FLAG_LINK = register(
    "meetings.gap_flag_link",
    "%(flag)s · %(dimension)s %(month)s",
    translated=("flag", "dimension"),
)
