"""`manage.py simulation_selftest`: the simulation against Erlang C, M/M/1 and Jackson."""

from django.core.management.base import BaseCommand, CommandError

from simulations.selftest import run_selftest


class Command(BaseCommand):
    help = (
        "Simulate the published queueing examples (REFERENCE.md §3) with fixed seeds and fail "
        "when an exact value falls outside the simulation's own 95 % confidence interval."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=20261128, help="base seed")

    def handle(self, *args, seed: int, **options):
        checks = run_selftest(seed=seed)
        for check in checks:
            mark = "ok  " if check.passed else "FAIL"
            if check.low is None:
                line = (
                    f"{mark} {check.name}: z = {check.simulated:+.2f} (|z| ≤ {check.tolerance:g})"
                )
            else:
                line = (
                    f"{mark} {check.name}: exact {check.exact:.4f}, "
                    f"simulated {check.simulated:.4f} "
                    f"[{check.low:.4f}, {check.high:.4f}], {check.relative_error:+.1%} "
                    f"(≤ ±{check.tolerance:.0%})"
                )
            self.stdout.write(line)
        failed = [c.name for c in checks if not c.passed]
        if failed:
            raise CommandError(f"Self-test failed: {', '.join(failed)}")
        self.stdout.write(self.style.SUCCESS(f"All {len(checks)} checks passed."))
