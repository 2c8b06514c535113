"""Whole-system benchmark: every busy page of a large client's tenant, served by gunicorn, against
a bare view behind the same middleware in the same run.

The large tenant (PostgreSQL): 50 contracts × 5 years of monthly SLA reports × 20 service levels
and ~990,000 survey answers from bench/gap_analysis.py's generator (with the gap analysis run
over them, which writes 15,000 gap flags), 100,000 complaints with their events and verdicts,
100 audits with 2,000 open findings across some 600 distinct sets of affected services, and
three meetings with generated agendas. A small tenant is built beside it.

gunicorn (2 sync workers, debug off, the project's settings with bench/system_urls.py, which adds
`/bench/bare/` and the CSRF form `/bench/form/`) serves both. Measured, interleaved over rounds:
each page and API list of the large tenant against the bare GET of the same round (median ratio
and its range), the public complaint POST against the bare form POST (throughput ratio), the
HTML size, and — in process, counted as the queries execute — the queries of every page at the
small and at the large tenant.

Run: `DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/system.py
[--rounds N] [--keep]` (about 10 minutes on 2 cores; `--keep` keeps the built database, named
`<DATABASE_URL's name>_system`, and reuses it on the next run).
`--small` builds two small tenants of different sizes (SQLite or PostgreSQL), serves them once
and fails when a page's query count differs between them; no timing is judged.
"""

import argparse
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
os.environ.setdefault("REGIE_DEBUG", "true")

import django  # noqa: E402

django.setup()

import gap_analysis as generator  # noqa: E402
import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from bench.common import findings_store, open_finding, queries, reported_audits  # noqa: E402
from complaints.models import Category, Complaint, ComplaintEvent, Verdict  # noqa: E402
from contracts.models import Contract, Service  # noqa: E402
from governance.platform.access import system_access  # noqa: E402
from governance.platform.models import Membership, Organisation, Role, Supplier  # noqa: E402
from kto.gaps.models import GapFlag  # noqa: E402
from kto.models import Survey  # noqa: E402
from meetings import services as meeting_services  # noqa: E402
from meetings.models import Meeting  # noqa: E402


@dataclass(frozen=True)
class Size:
    contracts: int
    months: int
    levels: int
    answers: int
    complaints: int
    audits: int
    findings: int
    services_per_contract: int


LARGE = Size(50, 60, 20, 990_000, 100_000, 100, 2_000, 5)
SMALL = Size(2, 3, 5, 1_000, 60, 2, 6, 2)
SMALL_2 = Size(3, 6, 5, 3_000, 200, 4, 24, 3)
STATUSES = ["received", "acknowledged", "in_progress", "resolved", "closed", "closed", "rejected"]
PASSWORD = "bench-system"  # noqa: S105


# --- the tenant ------------------------------------------------------------------------------


def build_tenant(slug: str, size: Size, rng: random.Random) -> dict:
    """An organisation of the given size; returns what the pages need (ids, the manager)."""
    started = time.perf_counter()
    organisation = Organisation.objects.create(name=slug.title(), slug=slug)
    supplier = Supplier.objects.create(name=f"{slug} supplier")
    manager = get_user_model().objects.create_user(username=f"manager-{slug}", password=PASSWORD)
    Membership.objects.create(user=manager, organisation=organisation, role=Role.CONTRACT_MANAGER)
    periods = generator.months(size.months)
    contracts = generator.make_contracts(
        organisation, supplier, rng, count=size.contracts, levels=size.levels, periods=periods
    )
    Service.objects.bulk_create(
        Service(organisation=organisation, contract=contract, name=f"Service {number}")
        for contract in contracts
        for number in range(1, size.services_per_contract)
    )
    services = list(Service.objects.filter(organisation=organisation).order_by("pk"))
    answers = generator.make_surveys(organisation, contracts, size.answers, rng, periods=periods)
    Survey.objects.filter(organisation=organisation).update(launched_on=F("opens_on"))
    first, last = periods[0][0], periods[-1][1]
    generator.analyse(organisation, first, last)
    make_complaints(organisation, services, size.complaints, rng)
    make_findings(organisation, contracts, services, size, rng)
    meeting = make_meetings(organisation, contracts)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    flags = GapFlag.objects.filter(organisation=organisation).count()
    print(
        f"  built {slug}: {size.contracts} contracts × {size.months} months × {size.levels}"
        f" levels, {answers:,} answers, {flags:,} gap flags,"
        f" {size.complaints:,} complaints, {size.findings:,} findings"
        f" in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return tenant_ids(organisation, manager, meeting)


def tenant_ids(organisation, manager, meeting=None) -> dict:
    meeting = (
        meeting
        or Meeting.objects.filter(organisation=organisation, series__tier="tactical").first()
    )
    return {
        "slug": organisation.slug,
        "manager": manager,
        "contract": Contract.objects.filter(organisation=organisation).order_by("pk").first().pk,
        "survey": Survey.objects.filter(organisation=organisation).order_by("-period_start")[0].pk,
        "flag": GapFlag.objects.filter(organisation=organisation)
        .exclude(flag="no_gap")
        .order_by("-period_start", "pk")
        .values_list("pk", flat=True)
        .first()
        or GapFlag.objects.filter(organisation=organisation).order_by("pk")[0].pk,
        "meeting": meeting.pk,
        "service": Service.objects.filter(organisation=organisation).order_by("pk")[0].pk,
        "category": Category.objects.filter(organisation=organisation)[0].pk,
    }


def make_complaints(organisation, services, count, rng) -> None:
    """Complaints over the last two years about every service, with a received event, a status
    event for those handled, and a verdict from a third of the closed ones."""
    category = Category.objects.create(organisation=organisation, name_nl="Overig", name_en="Other")
    now = datetime.now(UTC)
    batch, done = 5_000, 0
    while done < count:
        rows = []
        for n in range(done, min(count, done + batch)):
            received = now - timedelta(minutes=rng.randint(60, 730 * 24 * 60))
            status = rng.choice(STATUSES)
            handled = status in ("resolved", "closed")
            rows.append(
                Complaint(
                    organisation=organisation,
                    reference=f"KL-{n:07d}",
                    token=f"{organisation.slug}-{n}-{secrets.token_hex(8)}",
                    service=rng.choice(services),
                    category=category,
                    description="Unreachable in the evening",
                    occurred_at=received - timedelta(hours=rng.randint(0, 48)),
                    channel=rng.choice(["phone", "email", "portal", "desk"]),
                    impact=rng.choice(["low", "medium", "high"]),
                    status=status,
                    received_at=received,
                    acknowledge_due=(received + timedelta(days=5)).date(),
                    resolve_due=(received + timedelta(days=20)).date(),
                    acknowledged_at=received + timedelta(days=1) if status != "received" else None,
                    resolved_at=received + timedelta(days=rng.randint(2, 30)) if handled else None,
                    closed_at=received + timedelta(days=31) if status == "closed" else None,
                    acknowledged_on_time=True if status != "received" else None,
                    resolved_on_time=rng.random() < 0.8 if handled else None,
                )
            )
        created = Complaint.objects.bulk_create(rows, batch_size=batch)
        events, verdicts = [], []
        for complaint in created:
            events.append(
                ComplaintEvent(
                    organisation=organisation,
                    complaint=complaint,
                    kind="received",
                    at=complaint.received_at,
                    party="complainant",
                    to_status="received",
                )
            )
            if complaint.status != "received":
                events.append(
                    ComplaintEvent(
                        organisation=organisation,
                        complaint=complaint,
                        kind="status",
                        at=complaint.acknowledged_at or complaint.received_at,
                        party="client",
                        from_status="received",
                        to_status=complaint.status,
                    )
                )
            if complaint.status == "closed" and rng.random() < 0.35:
                verdicts.append(
                    Verdict(
                        organisation=organisation,
                        complaint=complaint,
                        resolved_for_me=rng.random() < 0.7,
                        handling_score=rng.randint(1, 5),
                        given_at=complaint.closed_at,
                    )
                )
        ComplaintEvent.objects.bulk_create(events, batch_size=batch)
        Verdict.objects.bulk_create(verdicts, batch_size=batch)
        done += len(rows)


def make_findings(organisation, contracts, services, size: Size, rng) -> None:
    """Open findings over reported audits; each about one, two or three services of its
    contract, so there are many distinct sets of affected services."""
    by_contract: dict[int, list] = {}
    for service in services:
        by_contract.setdefault(service.contract_id, []).append(service)
    audits = reported_audits(organisation, contracts, size.audits)
    rows, chosen = [], []
    for n in range(size.findings):
        audit = audits[n % len(audits)]
        pool = by_contract[audit.contract_id]
        chosen.append(rng.sample(pool, rng.randint(1, min(3, len(pool)))))
        rows.append(open_finding(organisation, audit, n, rng))
    findings_store(rows, chosen)


def make_meetings(organisation, contracts):
    """One operational, tactical and strategic meeting next month, agendas generated."""
    access = system_access(organisation)
    tactical = None
    starts = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0)
    for n, tier in enumerate(("operational", "tactical", "strategic")):
        series = meeting_services.series_create(
            access=access,
            tier=tier,
            title=f"{tier.title()} meeting",
            contract=None if tier == "strategic" else contracts[0],
        )
        meeting = meeting_services.meeting_schedule(
            series=series, starts_at=starts + timedelta(days=20 + n)
        )
        meeting_services.agenda_generate(meeting=meeting)
        tactical = meeting if tier == "tactical" else tactical
    return tactical


# --- what is measured ------------------------------------------------------------------------


def pages(t: dict) -> dict[str, str]:
    """Scenario → URL, for one tenant."""
    o, api = f"/o/{t['slug']}", f"/api/v1/o/{t['slug']}"
    return {
        "audit findings board": f"{o}/audits/findings/",
        "complaint analysis": f"{o}/complaints/analysis/",
        "complaint list": f"{o}/complaints/",
        "API complaints (50)": f"{api}/complaints/",
        "KTO results": f"{o}/kto/{t['survey']}/results/",
        "organisation home": f"{o}/",
        "gap matrix": f"{o}/gaps/",
        "contract page": f"{o}/contracts/{t['contract']}/",
        "meeting page": f"{o}/meetings/{t['meeting']}/",
        "gap flag page": f"{o}/gaps/flags/{t['flag']}/",
        "contract list": f"{o}/contracts/",
        "API gap flags (50)": f"{api}/gap-flags/",
        "API contracts (50)": f"{api}/contracts/",
    }


def target(name: str) -> float:
    """The issue's targets: an API list of 50 ≤ 8× the bare view, an HTML page ≤ 20×."""
    return 8.0 if name.startswith("API") else 20.0


def query_counts(t: dict) -> dict[str, int]:
    """Queries of each page, in process, counted as they execute."""
    client = Client()
    client.force_login(t["manager"])
    counts = {}
    for name, url in pages(t).items():

        def get(name=name, url=url):
            response = client.get(url)
            assert response.status_code == 200, (name, url, response.status_code)

        counts[name] = queries(get)
    return counts


# --- the server ------------------------------------------------------------------------------


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host = f"{db['HOST']}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{host}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, secret: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.system_settings",
        "DATABASE_URL": database_url(),
        "REGIE_DEBUG": "false",
        "REGIE_SECRET_KEY": secret,
        "REGIE_HTTPS": "false",
        "REGIE_ALLOWED_HOSTS": "127.0.0.1",
        "REGIE_LOG_LEVEL": "WARNING",
        "REGIE_DATA_DIR": os.environ.get("REGIE_DATA_DIR", str(ROOT / "data")),
        "PYTHONPATH": str(ROOT),
    }
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "governance.wsgi",
            "--workers=2",
            "--worker-class=sync",
            f"--bind=127.0.0.1:{port}",
            f"--chdir={ROOT}",
            f"--timeout={PAGE_TIMEOUT + 30}",
            "--preload",
            "--log-level=warning",
        ],
        env=env,
    )
    deadline = time.monotonic() + 180  # a loaded machine takes its time to import Django
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/bench/bare/", timeout=60).ok:
                return server
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.5)
    stop_server(server)
    sys.exit("gunicorn did not start")


def stop_server(server: subprocess.Popen) -> None:
    """Quick shutdown (SIGQUIT), then the workers' master is killed if it lingers."""
    server.send_signal(signal.SIGQUIT)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=15)


def session_for(base: str, manager) -> requests.Session:
    """A logged-in session: the cookie of a session stored in the database the server reads."""
    client = Client()
    client.force_login(manager)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    session.get(f"{base}/bench/form/")  # the CSRF cookie
    return session


PAGE_TIMEOUT = 120  # seconds; a slower page is recorded as timed out, not waited for


def timed_get(session, url) -> tuple[float, int]:
    start = time.perf_counter()
    try:
        response = session.get(url, timeout=PAGE_TIMEOUT, allow_redirects=False)
    except requests.Timeout:
        return float("inf"), 0
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(response.content)


def complaint_poster(base: str, t: dict):
    """Two callables posting one form each: the public complaint form and the bare form."""
    public, bare = requests.Session(), requests.Session()
    form_page = public.get(f"{base}/k/{t['slug']}/").text
    started = re.search(r'name="started" value="([^"]+)"', form_page).group(1)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page).group(1)
    bare_token = bare.get(f"{base}/bench/form/").text
    day = date.today() - timedelta(days=1)
    complaint = {
        "csrfmiddlewaretoken": csrf,
        "started": started,
        "service": t["service"],
        "category": t["category"],
        "description": "The service desk did not answer the phone in the evening.",
        "occurred_date": day.isoformat(),
        "occurred_time": "20:15",
        "channel": "phone",
        "impact": "medium",
    }

    def post_complaint():
        response = public.post(
            f"{base}/k/{t['slug']}/",
            data=complaint,
            headers={"Referer": f"{base}/k/{t['slug']}/"},
            allow_redirects=False,
            timeout=60,
        )
        assert response.status_code == 302, response.text[:2000]

    def post_bare():
        response = bare.post(
            f"{base}/bench/form/",
            data=urlencode({"csrfmiddlewaretoken": bare_token, "text": "hello"}),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"{base}/bench/form/",
            },
            allow_redirects=False,
            timeout=60,
        )
        assert response.status_code == 302, response.status_code

    return post_complaint, post_bare


def measure(base: str, t: dict, rounds: int, posts: int) -> dict:
    """Interleaved rounds: each page once against the median of five bare GETs of the same
    round; `posts` complaint POSTs against as many bare form POSTs, alternating."""
    session = session_for(base, t["manager"])
    urls = {name: base + url for name, url in pages(t).items()}
    slow = set()
    for name, url in urls.items():  # warm both workers' code paths and caches once
        if timed_get(session, url)[0] == float("inf"):
            slow.add(name)  # timed out: measured once per round below, not warmed again
        else:
            timed_get(session, url)
    ratios = {name: [] for name in urls}
    seconds = {name: [] for name in urls}
    sizes = {}
    post_complaint, post_bare = complaint_poster(base, t)
    post_ratios = []
    for _ in range(rounds):
        for name, url in urls.items():
            if name in slow and ratios[name]:
                continue  # once is enough to know it times out
            bare = statistics.median(timed_get(session, f"{base}/bench/bare/")[0] for _ in range(5))
            elapsed, size = timed_get(session, url)
            sizes[name] = max(size, sizes.get(name, 0))
            ratios[name].append(elapsed / bare)
            seconds[name].append(elapsed)
        complaint_time = bare_time = 0.0
        for _ in range(posts):
            start = time.perf_counter()
            post_bare()
            bare_time += time.perf_counter() - start
            start = time.perf_counter()
            post_complaint()
            complaint_time += time.perf_counter() - start
        post_ratios.append(bare_time / complaint_time)
    return {"ratios": ratios, "seconds": seconds, "sizes": sizes, "post": post_ratios}


# --- the run ---------------------------------------------------------------------------------


def print_table(result: dict, small: dict, large: dict, rounds: int) -> None:
    print(f"\nWhole-system benchmark ({connection.vendor}), {rounds} interleaved rounds")
    print(
        f"  {'scenario':24} {'median':>8} {'range':>17} {'target':>7} {'p50 s':>7}"
        f" {'queries':>11} {'HTML KB':>8}"
    )
    for name, ratios in result["ratios"].items():
        target_ = target(name)
        median = statistics.median(ratios)
        p50 = statistics.median(result["seconds"][name])
        mark = "" if median <= target_ else "  over target"
        print(
            f"  {name:24} {median:7.1f}× {min(ratios):7.1f}–{max(ratios):7.1f}×"
            f" {'≤' + format(target_, '.0f') + '×':>7} {p50:7.3f}"
            f" {small[name]:>5}/{large[name]:<5} {result['sizes'][name] / 1024:8.1f}{mark}"
        )
    post = result["post"]
    print(
        f"  {'public complaint POST':24} {100 * statistics.median(post):6.0f} %"
        f"  {100 * min(post):5.0f}–{100 * max(post):3.0f} % of the bare CSRF form POST's"
        " throughput (target ≥ 50 %)"
    )
    print("  queries: small tenant / large tenant")


def differing(a: dict, b: dict) -> list[str]:
    return [f"{name}: {a[name]} vs {b[name]}" for name in a if a[name] != b[name]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="two small tenants, no timing")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--posts", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep and reuse the database")
    args = parser.parse_args()
    if not args.small and connection.vendor != "postgresql":
        sys.exit("The large tenant needs PostgreSQL: set DATABASE_URL (or use --small).")
    setup_test_environment()
    # The server and this process sign sessions with one key: the manager's session is made here.
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    scratch = tempfile.TemporaryDirectory()
    test_settings = settings.DATABASES["default"].setdefault("TEST", {})
    if connection.vendor == "sqlite":
        test_settings["NAME"] = str(Path(scratch.name) / "system.sqlite3")
    else:
        suffix = "_system_small" if args.small else "_system"
        test_settings["NAME"] = settings.DATABASES["default"]["NAME"] + suffix
    keep = args.keep and not args.small
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep)
    rng = random.Random(18)
    server = None
    try:
        with scopes_disabled():
            names = ("small", "small-2") if args.small else ("small", "big")
            sizes = (SMALL, SMALL_2) if args.small else (SMALL, LARGE)
            tenants = []
            for slug, size in zip(names, sizes, strict=True):
                organisation = Organisation.objects.filter(slug=slug).first()
                if organisation is None:
                    tenants.append(build_tenant(slug, size, rng))
                else:
                    manager = get_user_model().objects.get(username=f"manager-{slug}")
                    tenants.append(tenant_ids(organisation, manager))
            if connection.vendor == "postgresql":
                # A production database is kept vacuumed by autovacuum; a freshly loaded or kept
                # one may not be (autovacuum can be off), and then every count and index-only
                # scan reads the whole table instead of its visibility map.
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")
            counts = [query_counts(t) for t in tenants]
        for name in counts[0]:
            print(f"  queries {name:24} {counts[0][name]:>5} / {counts[1][name]}", flush=True)
        print("  queries counted; serving with gunicorn", flush=True)
        port = free_port()
        server = start_server(port, settings.SECRET_KEY)
        rounds = 1 if args.small else args.rounds
        posts = 2 if args.small else args.posts
        result = measure(f"http://127.0.0.1:{port}", tenants[1], rounds, posts)
    finally:
        if server is not None:
            stop_server(server)
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=keep)
        scratch.cleanup()
    print_table(result, counts[0], counts[1], rounds)
    if problems := differing(counts[0], counts[1]):
        print("Queries differ between the tenants:\n  " + "\n  ".join(problems))
        if args.small:
            sys.exit(1)
    if args.small:
        print(f"small mode: {len(counts[0])} pages, the same queries at both sizes")
    else:
        print(f"measured {date.today():%Y-%m-%d}")


if __name__ == "__main__":
    main()
