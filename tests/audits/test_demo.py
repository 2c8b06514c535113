import io
from datetime import date

from django.core.management import call_command
from django_scopes import scopes_disabled

from audits.models import Audit, CorrectiveAction, EffectivenessCheck, Finding, SupplierReport
from audits.selectors import finding_awaits_check


def test_demo_has_a_reported_audit_per_contract_with_the_whole_story(db):
    call_command("seed_demo", stdout=io.StringIO())
    today = date.today()
    with scopes_disabled():
        reported = Audit.objects.filter(status=Audit.Status.REPORTED)
        findings = Finding.objects.filter(audit__in=reported)
        actions = CorrectiveAction.objects.filter(finding__in=findings)
        assert sorted(reported.values_list("contract__reference", "audit_type")) == [
            ("DB-2023-017", "supplier_qa"),
            ("ZR-2024-001", "shared_report"),
            ("ZR-2024-001", "supplier_qa"),
            ("ZR-2025-004", "supplier_qa"),
        ]
        assert sorted(set(findings.values_list("grade", flat=True))) == [
            "improvement",
            "major_nc",
            "minor_nc",
            "observation",
            "strength",
        ]
        assert set(actions.values_list("owner_side", flat=True)) == {"supplier", "client", "joint"}
        assert sum(1 for a in actions if a.is_overdue(today)) == 3
        closed = findings.filter(status=Finding.Status.CLOSED)
        assert closed.count() == 3
        assert (
            EffectivenessCheck.objects.filter(finding__in=closed, verdict="effective").count() == 3
        )
        assert sum(1 for f in findings if finding_awaits_check(finding=f)) == 3
        # The supplier's internal audit report, shared with its structured findings.
        shared = reported.get(audit_type=Audit.Type.SHARED_REPORT)
        report = SupplierReport.objects.get(audit=shared)
        assert bytes(report.content).startswith(b"%PDF-")
        assert sorted(
            shared.findings.values_list("reference", "grade", "supplier_report", "client_priority")
        ) == [
            (f"IA-{shared.actual_date.year}-04", "minor_nc", report.pk, 4),
            (f"IA-{shared.actual_date.year}-05", "observation", report.pk, None),
            (f"IA-{shared.actual_date.year}-06", "improvement", report.pk, None),
        ]
    # Seeding again adds nothing.
    call_command("seed_demo", stdout=io.StringIO())
    with scopes_disabled():
        assert Audit.objects.filter(audit_type=Audit.Type.SHARED_REPORT).count() == 1
