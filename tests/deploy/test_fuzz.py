"""Fuzzing the public API from its own OpenAPI document (schemathesis): over a thousand generated
requests, valid and invalid, across every operation; no 5xx, and every answer matches what the
document promises (status, content type, body schema)."""

from __future__ import annotations

from collections import Counter

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES_PER_MODE = 110
MINIMUM_CASES = 1000


def _run(operation, mode: GenerationMode, counter: Counter) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES_PER_MODE, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def fuzz(case):
        counter[operation.label] += 1
        case.call_and_validate(checks=CHECKS)

    fuzz()


def test_every_operation_survives_generated_requests(make_app):
    # Suggestions are rate-limited per client: the fuzzer is one client sending hundreds.
    app = make_app(RATELIMIT_ENABLED=False)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = {operation.label for operation in operations}
    assert {"GET /api/v1/index", "GET /api/v1/lookup", "GET /api/v1/platforms/{slug}",
            "POST /api/v1/suggestions"} <= labels

    counter: Counter = Counter()
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _run(operation, mode, counter)
    assert set(counter) == labels, "an operation was never called"
    assert sum(counter.values()) >= MINIMUM_CASES, counter
