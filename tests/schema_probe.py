"""A schemathesis probe of the published OpenAPI schema, run in-process through the WSGI app.

Every operation of `/api/schema/` is called with generated data (valid and invalid) under one
API token, and each response goes through schemathesis' checks. `probe()` returns the figures
and every failure; it never raises on a failure itself, so a test can report them all at once.
"""

import contextlib
import time
from dataclasses import dataclass, field

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


@dataclass
class Figures:
    operations: int = 0
    cases: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    failures: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)


def load_schema(app):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    # A stale or malformed If-Match is answered 412 before the body is read (RFC 9110 §13.2.2:
    # preconditions are evaluated before the request content is processed), so for invalid
    # data a 412 is a refusal like a 400.
    rejection = schema.config.checks.negative_data_rejection
    rejection.expected_statuses = [*rejection.expected_statuses, "412"]
    return schema


def operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


def probe(
    schema, *, token: str, path_parameters, max_examples: int, seed: int, only=None
) -> Figures:
    """Run every operation (or those `only` accepts) in both generation modes.

    `path_parameters(operation)` gives the fixed path parameters for an operation (the
    organisation slug, and an existing id where the role can see one)."""
    headers = {"Authorization": f"Token {token}"}
    figures = Figures()
    started, cpu_started = time.monotonic(), time.process_time()
    for operation in operations(schema):
        if only is not None and not only(operation):
            continue
        figures.operations += 1
        fixed = path_parameters(operation)
        for mode in MODES:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)
            run = _runner(strategy, f"{operation.label} [{mode.value}]", headers, figures)
            run = settings(
                max_examples=max_examples,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
                report_multiple_bugs=False,
            )(run)
            run._hypothesis_internal_use_seed = seed
            # Unsatisfiable: nothing of this operation can be made invalid (only fixed parts).
            with contextlib.suppress(Unsatisfiable):
                run()
    figures.seconds = time.monotonic() - started
    figures.cpu_seconds = time.process_time() - cpu_started
    return figures


def _runner(strategy, label: str, headers: dict, figures: Figures):
    seen: set[str] = set()

    @given(case=strategy)
    def run(case):
        figures.cases += 1
        response = case.call(headers=headers)
        status = response.status_code
        figures.statuses[status] = figures.statuses.get(status, 0) + 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                key = f"{label} {failure.title}"
                if key in seen:
                    continue
                seen.add(key)
                figures.failures.append(
                    f"{key}: {failure.message}\n    {case.as_curl_command()}\n"
                    f"    -> {status} {response.text[:300]}"
                )

    return run
