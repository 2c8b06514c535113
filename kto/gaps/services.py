"""Writes of the gap analysis: queue a run, execute it, upsert its flags; change the
thresholds and the digest schedule.

One run covers one organisation and one period; it locks the organisation row so two concurrent
runs serialise and end with one result, and it upserts one `GapFlag` per (contract, dimension,
period) so a rerun updates rather than duplicates. The computation is `kto.gaps.engine`.
"""

import io
import json
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from complaints import selectors as complaint_selectors
from contracts import selectors as contract_selectors
from governance.platform.access import Access, system_access
from governance.platform.links import public_base_url
from governance.platform.models import Organisation
from governance.platform.tasking import enqueue_on_commit
from governance.platform.webhooks import Event, webhook_emit_many
from kto.gaps.engine import (
    FIGURE_FIELDS,
    Changes,
    GapEngine,
    classify_changed,
    month_bounds,
    months_between,
)
from kto.gaps.models import (
    GapAnalysisRun,
    GapDigestSchedule,
    GapFlag,
    GapFlagComment,
    GapSettings,
    GapThreshold,
)
from kto.gaps.rules import Flag
from kto.gaps.selectors import gap_digest_schedule_for, gap_flag_months, gap_settings_for

# The columns a recomputed flag writes; on a conflict all but the key are updated.
FLAG_KEY = ["contract_id", "dimension", "period_start"]
FLAG_COLUMNS = [
    *FLAG_KEY,
    "organisation_id",
    *FIGURE_FIELDS,
    "inputs",
    "reason_en",
    "reason_nl",
    "run_id",
    "updated_at",
]


def _key(row: dict) -> tuple:
    return (row["contract_id"], row["dimension"], row["period_start"])


def _store(changes: Changes, *, orm: bool = False) -> None:
    """Upsert the recomputed flags; of the others only the chain moved (an earlier month
    changed): confirmation and 'first seen'. On PostgreSQL the flags go in by COPY, not as
    model instances (15,000 of them cost a cold run most of its time): new ones straight
    into the table, stored ones through a temporary table and one INSERT … SELECT … ON
    CONFLICT; elsewhere, or with `orm`, through `bulk_create`. Both store the same values."""
    now = timezone.now()
    rows = [row | {"updated_at": now} for row in changes.flags]
    if orm or connection.vendor != "postgresql":
        GapFlag.objects.bulk_create(
            [GapFlag(**row) for row in rows],
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["contract", "dimension", "period_start"],
            update_fields=[
                "organisation",
                *FIGURE_FIELDS,
                "inputs",
                "reason_en",
                "reason_nl",
                "run",
                "updated_at",
            ],
        )
    else:
        added = [row for row in rows if _key(row) in changes.added]
        if added:
            _insert_copy(added)
        stored = [row for row in rows if _key(row) not in changes.added]
        if stored:
            _upsert_copy(stored)
    GapFlag.objects.bulk_update(
        changes.chained, ["confirmed", "first_period_start"], batch_size=1000
    )


def _copy_column(values: list, kind: str) -> list[str]:
    """A column's values in COPY's text format: \\N for null, t/f, floats as repr (exact),
    ISO dates, and in text backslash, tab, newline and carriage return escaped."""
    if kind in ("TextField", "CharField", "JSONField"):
        return [
            "\\N"
            if value is None
            else value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
            for value in values
        ]
    if kind == "BooleanField":
        return ["\\N" if value is None else "t" if value else "f" for value in values]
    if kind == "FloatField":
        return ["\\N" if value is None else repr(float(value)) for value in values]
    if kind in ("DateField", "DateTimeField"):
        return ["\\N" if value is None else value.isoformat() for value in values]
    return ["\\N" if value is None else str(int(value)) for value in values]


def _copy_flags(rows: list[dict], into: str) -> None:
    """COPY the rows' FLAG_COLUMNS into table `into`, a column at a time."""
    fields = {f.attname: f for f in GapFlag._meta.concrete_fields}
    columns = []
    for column in FLAG_COLUMNS:
        field = fields[column]
        kind = field.get_internal_type()
        values = [row[column] for row in rows]
        if kind == "JSONField":
            values = [json.dumps(value, cls=field.encoder) for value in values]
        elif kind == "ForeignKey":
            kind = "BigIntegerField"
        columns.append(_copy_column(values, kind))
    buffer = io.StringIO()
    buffer.writelines("\t".join(line) + "\n" for line in zip(*columns, strict=True))
    buffer.seek(0)
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in FLAG_COLUMNS)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {quote(into)} ({names}) FROM STDIN", buffer)


def _insert_copy(rows: list[dict]) -> None:
    """COPY new flags straight into the table (their keys were not stored: runs of an
    organisation serialise, so nobody else adds them meanwhile)."""
    _copy_flags(rows, GapFlag._meta.db_table)


def _upsert_copy(rows: list[dict]) -> None:
    """COPY the rows into a temporary table shaped like the flags', then one
    INSERT … SELECT … ON CONFLICT (contract, dimension, period) DO UPDATE."""
    quote = connection.ops.quote_name
    table = quote(GapFlag._meta.db_table)
    staging = "gap_flag_staging"
    names = ", ".join(quote(column) for column in FLAG_COLUMNS)
    updates = ", ".join(
        f"{quote(c)} = EXCLUDED.{quote(c)}" for c in FLAG_COLUMNS if c not in FLAG_KEY
    )
    key = ", ".join(quote(column) for column in FLAG_KEY)
    # In a savepoint of its own: a failure leaves no staging table behind, and the table
    # goes at commit at the latest.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {quote(staging)}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {quote(staging)} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        _copy_flags(rows, staging)
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {quote(staging)} "  # noqa: S608
            f"ON CONFLICT ({key}) DO UPDATE SET {updates}"
        )
        cursor.execute(f"DROP TABLE {quote(staging)}")


def gap_run_create(
    *,
    organisation: Organisation,
    period_start: date,
    trigger: str,
    user=None,
    user_id: int | None = None,
    period_end: date | None = None,
):
    """Queue a run for the month of `period_start`, or every month up to that of `period_end`
    (the task executes it after commit). `user` or `user_id` is who asked for it."""
    start = month_bounds(period_start)[0]
    end = month_bounds(period_end or period_start)[1]
    run = GapAnalysisRun(
        organisation=organisation,
        period_start=start,
        period_end=end,
        trigger=trigger,
        requested_by_id=user.pk if user is not None else user_id,
    )
    run.full_clean()
    run.save()
    enqueue_on_commit(
        "kto.gaps.tasks.task_run_gap_analysis",
        kwargs={"organisation_id": organisation.pk, "run_id": run.pk},
        what=f"Gap analysis run {run.pk}",
        on_failure=lambda: _run_not_queued(run),
    )
    return run


def _run_not_queued(run: GapAnalysisRun) -> None:
    """The broker could not take the run: say so on it instead of leaving it queued for ever.
    Runs after commit, perhaps outside the request's scope: the row is named by its keys."""
    with scopes_disabled():
        GapAnalysisRun.objects.filter(
            pk=run.pk, organisation_id=run.organisation_id, status=GapAnalysisRun.Status.QUEUED
        ).update(
            status=GapAnalysisRun.Status.FAILED,
            finished_at=timezone.now(),
            error="The task queue was unreachable; start the run again.",
        )


def gap_analysis_execute(*, run: GapAnalysisRun) -> GapAnalysisRun:
    """Classify every (contract, dimension) of the run's organisation for each month of the
    run's period. Reads in bulk; recomputes and writes only cells whose inputs changed."""
    GapAnalysisRun.objects.filter(pk=run.pk).update(
        status=GapAnalysisRun.Status.RUNNING, started_at=timezone.now()
    )
    try:
        with transaction.atomic():
            # Serialise runs of one organisation: the second waits and then updates in place.
            organisation = Organisation.objects.select_for_update().get(pk=run.organisation_id)
            periods = months_between(run.period_start, run.period_end)
            access = system_access(organisation)
            contract_ids = list(
                contract_selectors.contract_list(access=access).values_list("pk", flat=True)
            )
            counts = {flag.value: 0 for flag in Flag}
            if contract_ids:
                engine = GapEngine(
                    organisation=organisation, contract_ids=contract_ids, periods=periods
                )
                # Context beside the two states: what users complained about in each month.
                complaints = complaint_selectors.complaint_counts_by_month(
                    organisation=organisation,
                    contract_ids=contract_ids,
                    since=periods[0][0],
                    until=periods[-1][1],
                )
                changes = classify_changed(
                    run=run, engine=engine, contract_ids=contract_ids, complaints=complaints
                )
                confirmed_before = _confirmed_flags(organisation, periods)
                _store(changes)
                _announce_confirmed(organisation, periods, confirmed_before)
                counts = changes.counts
    except Exception as error:
        GapAnalysisRun.objects.filter(pk=run.pk).update(
            status=GapAnalysisRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(error).__name__}: {error}"[:4000],
        )
        raise
    GapAnalysisRun.objects.filter(pk=run.pk).update(
        status=GapAnalysisRun.Status.SUCCEEDED, finished_at=timezone.now(), counts=counts
    )
    run.refresh_from_db()
    return run


def _confirmed_flags(organisation, periods) -> dict[tuple, tuple]:
    rows = GapFlag.objects.filter(
        organisation=organisation,
        confirmed=True,
        period_start__gte=periods[0][0],
        period_start__lte=periods[-1][0],
    ).values_list(
        "contract_id",
        "dimension",
        "period_start",
        "pk",
        "flag",
        "contract__reference",
        "contract__supplier_id",
    )
    return {row[:3]: row[3:] for row in rows}


def _announce_confirmed(organisation, periods, before: dict) -> None:
    """A webhook event for each flag the run confirmed that was not confirmed before it (the
    endpoints read once for all of them)."""
    items = []
    for (_contract_id, dimension, start), (pk, flag, reference, supplier_id) in sorted(
        _confirmed_flags(organisation, periods).items()
    ):
        if (_contract_id, dimension, start) in before:
            continue
        path = reverse("kto_gap:flag", kwargs={"org_slug": organisation.slug, "pk": pk})
        items.append(
            (
                {
                    "flag": pk,
                    "kind": flag,
                    "contract": reference,
                    "dimension": dimension,
                    "period_start": start,
                    "url": public_base_url() + path,
                },
                supplier_id,
            )
        )
    webhook_emit_many(organisation=organisation, event=Event.GAP_FLAG_CONFIRMED, items=items)


# --- settings: thresholds and the digest schedule ---------------------------------------------

DIGEST_FIELDS = (
    "frequency",
    "day_of_month",
    "weekday",
    "include_contract_managers",
    "include_business_owners",
    "include_suppliers",
)


def _require_settings_manager(access: Access) -> None:
    # The thresholds and the digest are the client's own: contract managers change them.
    access.require(access.may("gaps.manage") and not access.is_supplier)


def _threshold_state(threshold: GapThreshold) -> tuple:
    return (
        threshold.contract_id,
        threshold.dimension,
        threshold.target,
        threshold.delta,
        threshold.k,
    )


def _rerun_flagged_months(*, access: Access, contract_ids: set[int | None]):
    """Queue one run over the months that already have flags for these contracts (None: an
    organisation row, which touches every contract), from the earliest to the latest; None
    when there is nothing to rerun."""
    every = None in contract_ids
    months = gap_flag_months(access=access, contract_ids=None if every else list(contract_ids))
    if months is None:
        return None
    first, last = months
    return gap_run_create(
        organisation=access.organisation,
        period_start=first,
        period_end=last,
        trigger=GapAnalysisRun.Trigger.THRESHOLDS_CHANGED,
        user_id=access.user_id,
    )


def gap_threshold_set(
    *,
    access: Access,
    contract,
    dimension: str,
    target: Decimal | None,
    delta: Decimal,
    k: int,
    threshold: GapThreshold | None = None,
) -> GapThreshold:
    """Add a threshold row for (contract or the whole organisation, dimension or all of them),
    or change the stored row `threshold` (an unsaved one is added). The rules are the model's
    (1 ≤ T ≤ 5, δ ≥ 0, k ≥ 5, a contract of this organisation, one row per scope). A change
    queues one gap run after commit over the months already flagged for the contracts the row
    touched before or touches now."""
    _require_settings_manager(access)
    if threshold is None:
        threshold = GapThreshold(organisation=access.organisation)
    access.require(threshold.organisation_id == access.organisation.pk)
    # What is stored, not the instance: a bound form may have changed that already.
    stored = None if threshold._state.adding else GapThreshold.objects.get(pk=threshold.pk)
    before = _threshold_state(stored) if stored is not None else None
    threshold.contract = contract
    threshold.dimension = dimension or ""
    threshold.target = target
    threshold.delta = delta
    threshold.k = k
    threshold.full_clean()
    if before == _threshold_state(threshold):
        return threshold  # saved unchanged: nothing to store or rerun
    with transaction.atomic():
        threshold.save()
        touched = {threshold.contract_id}
        if before is not None:
            touched.add(before[0])
        _rerun_flagged_months(access=access, contract_ids=touched)
    return threshold


def gap_threshold_delete(*, access: Access, threshold: GapThreshold) -> None:
    """Remove a threshold row; the values fall back to the next row in precedence. Queues one
    gap run after commit over the months already flagged for the contracts it touched."""
    _require_settings_manager(access)
    access.require(threshold.organisation_id == access.organisation.pk)
    with transaction.atomic():
        touched = {threshold.contract_id}
        threshold.delete()
        _rerun_flagged_months(access=access, contract_ids=touched)


def gap_digest_schedule_update(*, access: Access, **fields) -> GapDigestSchedule:
    """Change when the organisation's gap digest goes out and to whom: `frequency`,
    `day_of_month`, `weekday` and the recipient groups (`include_contract_managers`,
    `include_business_owners`, `include_suppliers`: each supplier its own contracts only)."""
    _require_settings_manager(access)
    unknown = set(fields) - set(DIGEST_FIELDS)
    if unknown:
        raise TypeError(f"Not a digest setting: {', '.join(sorted(unknown))}")
    schedule = gap_digest_schedule_for(access=access)
    for name, value in fields.items():
        setattr(schedule, name, value)
    schedule.full_clean()
    schedule.save()
    return schedule


def gap_settings_update(*, access: Access, amber_margin: Decimal) -> GapSettings:
    """Change the organisation's amber margin (0 ≤ margin < 1): a level met by less than it
    shows amber. A change queues one gap run after commit over every month already flagged."""
    _require_settings_manager(access)
    found: GapSettings = gap_settings_for(access=access)
    before = None if found._state.adding else found.amber_margin
    found.amber_margin = amber_margin
    found.full_clean()
    if before is not None and before == found.amber_margin:
        return found  # saved unchanged: nothing to store or rerun
    with transaction.atomic():
        found.save()
        _rerun_flagged_months(access=access, contract_ids={None})
    return found


# --- comments on a flag -----------------------------------------------------------------------


def gap_flag_comment_add(*, access: Access, flag: GapFlag, text: str) -> GapFlagComment:
    """A contract manager's comment on a flag, with its author and time. The client's own
    notes: a supplier's user cannot write one (nor read one, see the selectors)."""
    access.require(access.may("gaps.manage") and access.is_client)
    access.require(flag.organisation_id == access.organisation.pk)
    comment = GapFlagComment(
        organisation=access.organisation,
        flag=flag,
        text=(text or "").strip(),
        created_by_id=access.user_id,
    )
    comment.full_clean()
    comment.save()
    return comment
