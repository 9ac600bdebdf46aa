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


def _run(operation, mode: GenerationMode, counter: Counter, **fixed) -> None:
    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
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
        _run(operation, GenerationMode.POSITIVE, counter)
        if operation.query or operation.path_parameters or list(operation.body):
            _run(operation, GenerationMode.NEGATIVE, counter)
        if operation.path_parameters:
            # Random slugs only meet 404s: fuzz the rest on an entity that exists.
            slug = "sama" if "vendors" in operation.path else "facebook"
            _run(operation, GenerationMode.POSITIVE, counter, path_parameters={"slug": slug})
    assert set(counter) == labels, "an operation was never called"
    assert sum(counter.values()) >= MINIMUM_CASES, counter


def test_every_listed_entity_matches_the_schema(make_app):
    """Generated values rarely hit a listed host or slug: every real one, checked the same way."""
    app = make_app()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    index = app.test_client().get("/api/v1/index").get_json()
    vendors = [v["slug"] for v in app.test_client().get("/api/v1/vendors").get_json()["items"]]
    cases = []
    for operation in (result.ok() for result in schema.get_all_operations()):
        if operation.path == "/api/v1/lookup":
            cases += [operation.Case(query={"host": f"www.{host}"}) for host in index["hosts"]]
            cases.append(operation.Case(query={"url": "https://m.facebook.com/some/page?x=1"}))
        elif operation.path == "/api/v1/platforms/{slug}":
            cases += [operation.Case(path_parameters={"slug": slug}, query={"lang": lang})
                      for slug in index["platforms"] for lang in ("en", "fr")]
        elif operation.path == "/api/v1/vendors/{slug}":
            cases += [operation.Case(path_parameters={"slug": slug}, query={"lang": "fr"})
                      for slug in vendors]
        elif operation.path == "/api/v1/platforms":
            cases += [operation.Case(query={"page": page, "per_page": 5}) for page in (1, 2, 3)]
        elif operation.path == "/api/v1/platforms/{slug}/changes.atom":
            cases += [operation.Case(path_parameters={"slug": slug})
                      for slug in list(index["platforms"])[:5]]
        elif operation.method.upper() == "GET":
            cases.append(operation.Case())
    statuses = Counter()
    for case in cases:
        statuses[case.call_and_validate(checks=CHECKS).status_code] += 1
    assert statuses == {200: len(cases)}
