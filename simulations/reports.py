"""Results of runs as rows and charts for pages and PDFs (server-rendered SVG)."""

from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from governance.platform.charts import Bar, Cell, Series, bar_chart, heatmap, line_chart
from governance.platform.texts import Said, figure
from simulations import texts as run_texts
from simulations.engine import HISTOGRAM_EDGES
from simulations.levels import predictions
from simulations.models import CURRENT_CHAIN, Lesson, SimulationRun

DAYS = [
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
]


def duration(seconds: float | None) -> str:
    """7,8 s · 2,3 min · 1,5 h · 2,1 d in the active language."""
    if seconds is None:
        return "–"
    for limit, divisor, unit in ((120, 1, "s"), (7200, 60, "min"), (172800, 3600, "h")):
        if seconds < limit:
            return f"{number_format(round(seconds / divisor, 1), decimal_pos=1)} {unit}"
    return f"{number_format(round(seconds / 86400, 1), decimal_pos=1)} d"


def percent(share: float | None) -> str:
    if share is None:
        return "–"
    return f"{number_format(round(share * 100, 1), decimal_pos=1)} %"


def _short(seconds: float) -> str:
    for limit, divisor, unit in ((60, 1, "s"), (3600, 60, "min"), (86400, 3600, "h")):
        if seconds < limit:
            return f"{seconds // divisor:g} {unit}"
    return f"{seconds // 86400:g} d"


def _edge_label(low: float, high: float | None) -> str:
    return f"≥ {_short(low)}" if high is None else f"< {_short(high)}"


@dataclass(frozen=True)
class Figure:
    """A chart with the title shown above it (the SVG carries it for screen readers too)."""

    title: str
    svg: str


@dataclass
class StepRow:
    name: str
    utilisation: dict
    p_wait: dict
    mean_wait: dict
    service_level: dict
    within: float
    target_share: float | None
    attainment: str | None
    throughput: dict
    is_bottleneck: bool


def step_rows(run: SimulationRun) -> list[StepRow]:
    results = run.results
    return [
        StepRow(
            name=s["name"],
            utilisation=s["utilisation"],
            p_wait=s["p_wait"],
            mean_wait=s["mean_wait"],
            service_level=s["service_level"],
            within=s["within"],
            target_share=s["target_share"],
            attainment=s["attainment"],
            throughput=s["throughput_per_hour"],
            is_bottleneck=s["key"] == results["bottleneck"],
        )
        for s in results["steps"]
    ]


def _utilisation_state(share: float | None) -> str:
    if share is None:
        return "none"
    return "bad" if share >= 0.9 else "warn" if share >= 0.85 else "good"


def run_charts(run: SimulationRun) -> dict:
    """The charts of one run: utilisation and waits per step, the end-to-end distribution and
    the unreachable contacts per hour of the day."""
    results = run.results
    steps = results["steps"]

    def pct(value):
        return None if value is None else value * 100

    utilisation = bar_chart(
        bars=[
            Bar(
                s["name"],
                pct(s["utilisation"]["mean"]),
                pct(s["utilisation"]["low"]),
                pct(s["utilisation"]["high"]),
                _utilisation_state(s["utilisation"]["mean"]),
            )
            for s in steps
        ],
        y_min=0,
        y_max=100,
        unit="%",
        title=_("Utilisation per step (95 % CI)"),
    )
    waits = bar_chart(
        bars=[
            Bar(
                s["name"],
                s["mean_wait"]["mean"] / 60 if s["mean_wait"]["mean"] is not None else None,
                s["mean_wait"]["low"] / 60 if s["mean_wait"]["low"] is not None else None,
                s["mean_wait"]["high"] / 60 if s["mean_wait"]["high"] is not None else None,
            )
            for s in steps
        ],
        y_min=0,
        unit=" min",
        title=_("Mean wait per step in minutes (95 % CI)"),
    )
    histogram = results["end_to_end"]["histogram"]
    total = sum(histogram["counts"]) or 1
    edges = HISTOGRAM_EDGES
    bars = []
    for index, count in enumerate(histogram["counts"]):
        high = edges[index + 1] if index + 1 < len(edges) else None
        bars.append(Bar(_edge_label(edges[index], high), count / total * 100))
    end_to_end = bar_chart(
        bars=bars, y_min=0, unit="%", title=_("End-to-end time: share of contacts")
    )
    by_hour = results["unreachable_by_hour"]
    unreachable = line_chart(
        x_labels=[f"{h:02d}" for h in range(24)],
        series=[
            Series(str(DAYS[d]), [round(by_hour[d * 24 + h], 2) for h in range(24)])
            for d in range(7)
        ],
        y_min=0,
        title=_("Unreachable contacts per week, by hour of the day"),
    )
    return {
        "utilisation": Figure(_("Utilisation per step (95 % CI)"), utilisation),
        "waits": Figure(_("Mean wait per step in minutes (95 % CI)"), waits),
        "end_to_end": Figure(_("End-to-end time: share of contacts"), end_to_end),
        "unreachable": Figure(_("Unreachable contacts per week, by hour of the day"), unreachable),
    }


def profile_chart(rates: list[float]) -> Figure:
    return Figure(
        _("Contacts per hour"),
        line_chart(
            x_labels=[f"{h:02d}" for h in range(24)],
            series=[Series(str(DAYS[d]), rates[d * 24 : (d + 1) * 24]) for d in range(7)],
            y_min=0,
            title=_("Contacts per hour"),
        ),
    )


def comparison_caveats(runs: list[SimulationRun]) -> list[str]:
    """What makes the runs side by side less than comparable: different numbers of
    replications (intervals of different precision), horizons or warm-ups."""
    caveats = []

    def differing(key):
        return sorted({r.results.get(key) for r in runs if r.results.get(key) is not None})

    def listing(key, fmt):
        return ", ".join(
            f"{r.display_label}: {fmt(r.results[key])}" for r in runs if key in r.results
        )

    if len(differing("replications")) > 1:
        caveats.append(
            _(
                "These runs have different numbers of replications (%(list)s), so their "
                "intervals are not equally precise."
            )
            % {"list": listing("replications", str)}
        )
    if len(differing("horizon_hours")) > 1:
        caveats.append(
            _(
                "These runs simulate different horizons (%(list)s): weekly figures are "
                "averages over different lengths of time."
            )
            % {
                "list": listing(
                    "horizon_hours", lambda h: _("%(weeks)s weeks") % {"weeks": f"{h / 168:g}"}
                )
            }
        )
    if len(differing("warmup_hours")) > 1:
        caveats.append(
            _("These runs discard different warm-up periods (%(list)s).")
            % {"list": listing("warmup_hours", lambda h: _("%(hours)s h") % {"hours": f"{h:g}"})}
        )
    return caveats


def comparison(runs: list[SimulationRun]) -> dict:
    """Side by side: the first step's service level, unreachable contacts, end-to-end time and
    utilisation per step, for each run."""
    if not runs:
        return {}
    first = [r.results["steps"][0] for r in runs]
    target = first[0]["target_share"]

    def scaled(summary, factor):
        return [
            None if summary[k] is None else summary[k] * factor for k in ("mean", "low", "high")
        ]

    level_title = _("%(step)s: answered within %(within)s (95 %% CI)") % {
        "step": first[0]["name"],
        "within": duration(first[0]["within"]),
    }
    level = bar_chart(
        bars=[
            Bar(
                r.display_label,
                *[
                    None if v is None else min(max(v, 0.0), 100.0)
                    for v in scaled(s["service_level"], 100)
                ],
                state={"met": "good", "missed": "bad", "uncertain": "warn"}.get(
                    s["attainment"], ""
                ),
            )
            for r, s in zip(runs, first, strict=True)
        ],
        target=target * 100 if target is not None else None,
        y_min=0,
        y_max=100,
        unit="%",
        title=level_title,
    )
    unreachable = bar_chart(
        bars=[Bar(r.display_label, *scaled(r.results["unreachable_per_week"], 1)) for r in runs],
        y_min=0,
        title=_("Unreachable contacts per week (95 % CI)"),
    )
    end_to_end = bar_chart(
        bars=[Bar(r.display_label, *scaled(r.results["end_to_end"]["mean"], 1 / 60)) for r in runs],
        y_min=0,
        unit=" min",
        title=_("Mean end-to-end time in minutes (95 % CI)"),
    )
    names = [s["name"] for s in runs[0].results["steps"]]
    utilisation = line_chart(
        x_labels=names,
        series=[
            Series(
                r.display_label,
                [
                    None
                    if s["utilisation"]["mean"] is None
                    else round(s["utilisation"]["mean"] * 100, 1)
                    for s in r.results["steps"]
                ],
            )
            for r in runs
        ],
        y_min=0,
        y_max=100,
        unit="%",
        title=_("Utilisation per step"),
    )
    return {
        "level": Figure(level_title, level),
        "unreachable": Figure(_("Unreachable contacts per week (95 % CI)"), unreachable),
        "end_to_end": Figure(_("Mean end-to-end time in minutes (95 % CI)"), end_to_end),
        "utilisation": Figure(_("Utilisation per step"), utilisation),
    }


def lesson_heatmap(trend: dict):
    years = [str(y) for y in trend["years"]]
    rows = [str(label) for _value, label in Lesson.Category.choices]
    cells = {}
    for value, label in Lesson.Category.choices:
        for year in trend["years"]:
            count = trend["counts"].get((value, year), 0)
            cells[(str(label), str(year))] = Cell(
                str(count), "none" if count == 0 else "warn" if count == 1 else "bad"
            )
    return heatmap(
        rows=rows, columns=years, cells=cells, title=_("Lessons learned per category and year")
    )


# --- Headlines and proposal drafts -------------------------------------------------------------

ATTAINMENT_MSGID = {
    "met": gettext_noop("met"),
    "missed": gettext_noop("missed"),
    "uncertain": gettext_noop("uncertain"),
}
ATTAINMENT = {
    "met": gettext_lazy("met"),
    "missed": gettext_lazy("missed"),
    "uncertain": gettext_lazy("uncertain"),
}


def _step_named(results: dict, key: str) -> dict:
    return next(s for s in results["steps"] if s["key"] == key)


def _level_clause(step: dict) -> str:
    """“Service desk: 78,2 % within 20,0 s (target 80,0 %: missed)”."""
    return str(_level_said(step))


def _level_said(step: dict) -> Said:
    level = Said(
        run_texts.LEVEL,
        {
            "step": step["name"],
            "level": figure("percent", step["service_level"]["mean"]),
            "within": figure("simulations.duration", step["within"]),
        },
    )
    if step.get("target_share") is not None and step.get("attainment"):
        target = Said(
            run_texts.TARGET,
            {
                "target": figure("percent", step["target_share"]),
                "attainment": ATTAINMENT_MSGID[step["attainment"]],
            },
        )
        return Said(run_texts.LEVEL_TARGET, {"level": level, "target": target})
    return level


def _prediction_clause(prediction) -> str:
    """“SD-ANSWER (Service desk): 78,2 % predicted against 80,0 % in force: missed”."""
    return str(_prediction_said(prediction))


def _prediction_said(prediction) -> Said:
    unit = prediction.level.unit
    mean = prediction.predicted.get("mean")
    return Said(
        run_texts.PREDICTION,
        {
            "code": prediction.level.code,
            "step": prediction.step,
            "predicted": figure("simulations.amount", mean, unit=unit),
            "target": figure("simulations.amount", float(prediction.level.target), unit=unit),
            "state": ATTAINMENT_MSGID.get(prediction.state, "–"),
        },
    )


def run_headline(run: SimulationRun) -> str:
    """One sentence of a finished run's main results, e.g. “Current chain: Service desk:
    78,2 % within 20,0 s (target 80,0 %: missed); bottleneck Second line at 91,0 %;
    42 unreachable contacts a week.” Empty for a run without results."""
    said = run_headline_said(run)
    return str(said) if said is not None else ""


def run_headline_said(run: SimulationRun) -> Said | None:
    """The headline as a sentence with its figures, rendered in each reader's language and
    number format (an agenda item stores this, not the text); None for a run without
    results."""
    results = run.results or {}
    if run.status != SimulationRun.Status.SUCCEEDED or not results.get("steps"):
        return None
    bottleneck = _step_named(results, results["bottleneck"])
    linked = predictions(run)
    return Said(
        run_texts.HEADLINE,
        {
            # A run of the current chain: its label in each reader's language.
            "label": Said(CURRENT_CHAIN) if run.is_current_chain else run.label,
            "level": _prediction_said(linked[0]) if linked else _level_said(results["steps"][0]),
            "bottleneck": Said(
                run_texts.BOTTLENECK,
                {
                    "step": bottleneck["name"],
                    "utilisation": figure("percent", bottleneck["utilisation"]["mean"]),
                },
            ),
            "unreachable": Said(
                run_texts.UNREACHABLE,
                {"n": figure("number", round(results["unreachable_per_week"]["mean"] or 0), d=0)},
            ),
        },
    )


def _run_source(run: SimulationRun) -> str:
    text = ngettext(
        "Simulation “%(label)s” of %(chain)s (%(replications)s replications of %(days)s day)",
        "Simulation “%(label)s” of %(chain)s (%(replications)s replications of %(days)s days)",
        run.horizon_days,
    )
    return text % {
        "label": run.display_label,
        "chain": run.chain.name,
        "replications": run.replications,
        "days": run.horizon_days,
    }


def run_findings(run: SimulationRun) -> list[str]:
    """The findings of a finished run that can become a proposal: the bottleneck always,
    unreachable contacts when there are any, a met service level when a step meets its target."""
    results = run.results or {}
    if run.status != SimulationRun.Status.SUCCEEDED or not results.get("steps"):
        return []
    found = ["bottleneck"]
    if (results["unreachable_per_week"]["mean"] or 0) > 0:
        found.append("unreachable")
    if any(s.get("attainment") == "met" for s in results["steps"]):
        found.append("service_level")
    return found


def proposal_draft_from_run(run: SimulationRun, finding: str) -> dict:
    """Title, rationale (with the figures) and a suggested owner side for a run's finding."""
    results = run.results
    source = _run_source(run)
    if finding == "bottleneck":
        step = _step_named(results, results["bottleneck"])
        return {
            "title": _("Relieve the bottleneck at %(step)s") % {"step": step["name"]},
            "rationale": _(
                "%(source)s: %(step)s is the bottleneck at %(utilisation)s utilisation; "
                "%(p_wait)s of its contacts wait, %(wait)s on average. %(level)s."
            )
            % {
                "source": source,
                "step": step["name"],
                "utilisation": percent(step["utilisation"]["mean"]),
                "p_wait": percent(step["p_wait"]["mean"]),
                "wait": duration(step["mean_wait"]["mean"]),
                "level": _level_clause(step),
            },
            "owner_side": "joint",
        }
    if finding == "unreachable":
        first = results["steps"][0]
        options = results.get("closing_times") or []
        best = max(options, key=lambda o: o["reached_per_staff_hour"]) if options else None
        rationale = _(
            "%(source)s: %(n)s contacts a week (%(share)s of all) arrive while %(step)s has "
            "nobody on duty."
        ) % {
            "source": source,
            "n": number_format(round(results["unreachable_per_week"]["mean"] or 0)),
            "share": percent(results["unreachable_share"]["mean"]),
            "step": first["name"],
        }
        if best:
            rationale += " " + _(
                "Closing at %(hour)02d:00 would reach %(reached)s of them a week for %(hours)s "
                "extra staff-hours."
            ) % {
                "hour": best["closing_hour"],
                "reached": number_format(round(best["reached_per_week"], 1), decimal_pos=1),
                "hours": number_format(round(best["staff_hours_per_week"])),
            }
        return {
            "title": _("Reach the contacts now unreachable at %(step)s") % {"step": first["name"]},
            "rationale": rationale,
            "owner_side": "supplier",
        }
    if finding == "service_level":
        met = [s for s in results["steps"] if s.get("attainment") == "met"]
        return {
            "title": _("Adopt “%(label)s”: service level met") % {"label": run.display_label},
            "rationale": _("%(source)s meets the service level: %(levels)s.")
            % {"source": source, "levels": "; ".join(_level_clause(s) for s in met)},
            "owner_side": "joint",
        }
    raise ValueError(finding)


def proposal_draft_from_action(action) -> dict:
    exercise = action.exercise
    return {
        "title": action.action[:200],
        "rationale": _(
            "Exercise “%(exercise)s” of %(date)s: bottleneck %(where)s%(bottleneck)s. "
            "Action: %(action)s"
        )
        % {
            "exercise": exercise.title,
            "date": date_format(exercise.scheduled_for, "DATE_FORMAT"),
            "where": f"{action.step.name}: " if action.step_id else "",
            "bottleneck": action.bottleneck,
            "action": action.action,
        },
        "owner_side": action.owner_side,
    }


# --- The exercise report PDF --------------------------------------------------------------------


def exercise_context(exercise, *, internal: bool) -> dict:
    """What the exercise page and its PDF show; `internal` adds the client's notes."""
    return {
        "exercise": exercise,
        "chain": exercise.chain,
        "injects": exercise.injects.all(),
        "participants": exercise.participants.all(),
        "observations": list(exercise.observations.select_related("step")),
        "actions": exercise.actions.select_related("step"),
        "lessons": exercise.lessons.select_related("repeats__exercise"),
        "show_internal": internal,
    }


def exercise_report_pdf(*, exercise, internal: bool, language: str) -> tuple[bytes, int]:
    """(PDF bytes, pages) of the exercise report in `language` (worker only)."""
    from governance.platform.pdf import render_pdf_with_pages

    with translation.override(language):
        context = exercise_context(exercise, internal=internal)
        context.update(organisation=exercise.organisation, rendered_at=timezone.localtime())
        return render_pdf_with_pages("simulations/pdf/exercise_report.html", context)
