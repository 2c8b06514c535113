"""Benchmark of the audit findings board: ranking many findings must cost time in proportion to
the findings at most, and database queries not at all.

Measured in one run, in a throw-away test database (SQLite in memory, or `test_<name>` next to
DATABASE_URL's PostgreSQL database), with the real impact sources (complaints and the KTO gap
flags) registered and fed with data:
- the ranking (`audits.selectors.bottleneck_ranking`: the findings ranked on lean rows, none
  loaded as a model until asked for) and the whole board page (first page of 25, through
  Django's test client, which loads the 25 findings it shows) for an organisation with few
  findings (baseline), one with many findings across 100 audits over 16 distinct sets of
  affected services, and one with as many findings over 100 distinct sets (every source is
  asked once for all sets, so the wide board must cost about what the narrow one does);
- the number of queries of each, which must be the same for all three.
Run: `.venv/bin/python bench/audits_board.py [many] [few] [repeats]`.
"""

import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
os.environ.setdefault("REGIE_DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from audits import selectors  # noqa: E402
from bench.common import findings_store, open_finding, queries, reported_audits  # noqa: E402
from complaints.models import Category, Complaint  # noqa: E402
from contracts import services as contract_services  # noqa: E402
from governance.platform.access import Access  # noqa: E402
from governance.platform.models import Membership, Organisation, Role, Supplier  # noqa: E402
from kto.gaps.models import GapFlag  # noqa: E402

CONTRACTS = 4
SERVICES_PER_CONTRACT = 5
# Sets of affected services per contract: each single service, each pair, each triple.
SETS_PER_CONTRACT = 5 + 10 + 10
AUDITS_MANY = 100


def make_organisation(slug, rng):
    """An organisation with its contracts, services, a manager, complaints about the services
    in the impact window and a watermelon flag on one contract."""
    organisation = Organisation.objects.create(name=slug.title(), slug=slug)
    supplier = Supplier.objects.create(name=f"{slug} supplier")
    manager = get_user_model().objects.create_user(username=f"manager-{slug}", password="x")  # noqa: S106
    Membership.objects.create(user=manager, organisation=organisation, role=Role.CONTRACT_MANAGER)
    category = Category.objects.create(organisation=organisation, name_nl="Overig", name_en="Other")
    catalogue = []
    for c in range(CONTRACTS):
        contract = contract_services.contract_create(
            organisation=organisation, supplier=supplier, reference=f"{slug}-{c}", title=f"C{c}"
        )
        services_ = [
            contract_services.service_create(contract=contract, name=f"Service {c}.{s}")
            for s in range(SERVICES_PER_CONTRACT)
        ]
        catalogue.append((contract, services_))
    now = datetime.now(UTC)
    complaints = []
    for n in range(400):
        contract, services_ = catalogue[n % CONTRACTS]
        when = now - timedelta(days=rng.randint(1, 80))
        complaints.append(
            Complaint(
                organisation=organisation,
                reference=f"KL-{n:06d}",
                token=f"{slug}-{n}",
                service=rng.choice(services_),
                category=category,
                description="Unreachable in the evening",
                occurred_at=when,
                channel="phone",
                impact="medium",
                received_at=when,
                acknowledge_due=when.date(),
                resolve_due=when.date(),
            )
        )
    Complaint.objects.bulk_create(complaints)
    month = date.today().replace(day=1) - timedelta(days=1)
    GapFlag.objects.create(
        organisation=organisation,
        contract=catalogue[0][0],
        dimension="reliability",
        period_start=month.replace(day=1),
        period_end=month,
        flag="watermelon",
        sla_state="green",
        perception_state="below",
        n=40,
        mean=2.9,
        target=3.5,
        delta=0.2,
        k=5,
        first_period_start=month.replace(day=1),
        reason_en="Bench",
        reason_nl="Bench",
    )
    return organisation, manager, catalogue


def service_sets(services_) -> list[list]:
    """Every set of one, two or three of a contract's services."""
    return [list(c) for size in (1, 2, 3) for c in combinations(services_, size)]


def add_findings(organisation, catalogue, *, audits, findings, rng, sets_per_contract=4):
    """`findings` open findings spread over `audits` reported audits. Finding n is about
    contract n % 4 and affects one of four combinations of its services (each single one, or
    the first two together), so the first 16 findings already cover all 16 combinations."""
    per_contract = {contract.pk: [] for contract, _services in catalogue}
    contracts = [contract for contract, _services in catalogue]
    for audit in reported_audits(organisation, contracts, audits):
        per_contract[audit.contract_id].append(audit)
    rows, chosen = [], []
    for n in range(findings):
        contract, services_ = catalogue[n % CONTRACTS]
        contract_audits = per_contract[contract.pk]
        combo = (n // CONTRACTS) % sets_per_contract
        chosen.append(service_sets(services_)[combo])
        audit = contract_audits[(n // CONTRACTS) % len(contract_audits)]
        rows.append(open_finding(organisation, audit, n, rng))
    findings_store(rows, chosen)
    return len({tuple(s.pk for s in services_) for services_ in chosen})


def timed_rounds(functions: dict, repeats: int) -> dict:
    """The median wall-clock time of each function, measured in interleaved rounds."""
    durations = {key: [] for key in functions}
    for _ in range(repeats):
        for key, function in functions.items():
            start = time.perf_counter()
            function()
            durations[key].append(time.perf_counter() - start)
    return {key: statistics.median(values) for key, values in durations.items()}


def main() -> None:
    many = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    few = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 11
    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    rng = random.Random(7)
    results = {}
    try:
        with scopes_disabled():
            orgs = {}
            for slug, audits, count, per_contract in (
                ("few", 5, few, 4),
                ("many", AUDITS_MANY, many, 4),
                ("wide", AUDITS_MANY, many, SETS_PER_CONTRACT),
            ):
                organisation, manager, catalogue = make_organisation(slug, rng)
                sets = add_findings(
                    organisation,
                    catalogue,
                    audits=audits,
                    findings=count,
                    rng=rng,
                    sets_per_contract=per_contract,
                )
                orgs[slug] = (organisation, manager, sets)
        runs = {}
        for slug, (organisation, manager, sets) in orgs.items():
            access = Access(organisation=organisation, user_id=manager.pk, role="contract_manager")
            client = Client()
            client.force_login(manager)
            url = reverse("audits:finding_board", args=[organisation.slug])

            def rank(access=access):
                with scopes_disabled():
                    return selectors.bottleneck_ranking(access=access)

            def page(client=client, url=url):
                response = client.get(url)
                assert response.status_code == 200, response.status_code

            ranked = rank()
            results[slug] = {
                "findings": len(ranked),
                "audits": len({r.finding.audit_id for r in ranked}),
                "sets": sets,
                "scored": sum(1 for r in ranked if r.score is not None),
                "rank_queries": queries(rank),
                "page_queries": queries(page),
            }
            runs[(slug, "rank")], runs[(slug, "page")] = rank, page
        # Round-robin, so a busy moment of the machine hits every measurement alike.
        for (slug, key), duration in timed_rounds(runs, repeats).items():
            results[slug][key] = duration
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    small = results["few"]
    print(f"Audit findings board benchmark ({connection.vendor}), median of {repeats}")
    for slug in ("many", "wide"):
        large = results[slug]
        print(
            f"  {large['findings']:,} findings in {large['audits']} audits over"
            f" {large['sets']} distinct sets of affected services, against {small['findings']}"
            f" findings over {small['sets']} sets:"
        )
        for label, key in (("ranking (selector)", "rank"), ("board page (25 rows)", "page")):
            print(
                f"    {label:22} {small[key] * 1000:9.2f} ms → {large[key] * 1000:9.2f} ms"
                f"   {large[key] / small[key]:6.1f}× baseline"
            )
    print(
        "  queries (few / many / wide): ranking "
        + " / ".join(str(results[s]["rank_queries"]) for s in ("few", "many", "wide"))
        + ", board page "
        + " / ".join(str(results[s]["page_queries"]) for s in ("few", "many", "wide"))
    )
    counts = {(r["rank_queries"], r["page_queries"]) for r in results.values()}
    if len(counts) != 1:
        sys.exit("The number of queries grows with the findings or the sets of services.")


if __name__ == "__main__":
    main()
