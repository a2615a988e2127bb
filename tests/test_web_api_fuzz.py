"""The JSON API driven by its own OpenAPI schema (schemathesis, in process, on the tiny model).

Whatever a client sends that the schema allows — or nearly allows: schemathesis also sends
malformed bodies — the answer is never a 5xx, and every error is JSON with an ``error``
string (issue #12, item 8). ``AUDARMA_FUZZ_EXAMPLES`` sets the examples per operation
(default 25: a few hundred in all, inside the CI budget).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from service.web import create_app
from tests.strategies import articles
from tests.webhelpers import make_settings

EXAMPLES = int(os.environ.get("AUDARMA_FUZZ_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def fuzz_app(tiny_nllb_dir: Path):
    # The real engine path (tokenizer included); a small size limit keeps each example quick
    # and sends many bodies over it.
    settings = make_settings(
        model=str(tiny_nllb_dir), device="cpu", beam=1, max_chars=600, queue_size=64
    )
    return create_app(settings)


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


def _operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_no_5xx_and_every_error_is_json(api_schema, mode: str) -> None:
    """Every operation of the schema, with valid (positive) and invalid (negative) requests.

    (Schemathesis' own pytest plugin needs an older pytest, so each operation's Hypothesis
    strategy is driven here directly.)
    """
    operations = _operations(api_schema)
    assert {op.path for op in operations} >= {
        "/api/v1/health", "/api/v1/translate", "/api/v1/summarize", "/api/v1/score"
    }  # fmt: skip
    for operation in operations:
        if mode == "negative" and operation.method.upper() != "POST":
            continue  # nothing to make invalid in a GET without parameters
        strategy = operation.as_strategy(generation_mode=GenerationMode(mode))

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case) -> None:
            response = case.call()
            assert response.status_code < 500, (response.status_code, response.text[:300])
            if response.status_code >= 400:
                body = response.json()
                assert isinstance(body, dict) and isinstance(body.get("error"), str), body
                assert body["error"].strip() and "\n" not in body["error"]
            else:
                case.validate_response(response, checks=[response_schema_conformance])

        check()


@pytest.fixture(scope="module")
def fuzz_client(fuzz_app):
    with TestClient(fuzz_app) as client:
        yield client


@given(text=articles, path=st.sampled_from(["/api/v1/translate", "/api/v1/summarize"]))
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_hostile_article_text_over_http(fuzz_client: TestClient, text: str, path: str) -> None:
    """The article strategies of test_text_fuzz, as JSON escapes (``\\ud800`` included)."""
    field = "targets" if path.endswith("translate") else "languages"
    body = json.dumps({"text": text, field: ["en"]}, ensure_ascii=True)
    response = fuzz_client.post(
        path, content=body.encode(), headers={"content-type": "application/json"}
    )
    assert response.status_code in (200, 400, 413), (response.status_code, response.text[:300])
    data = response.json()
    assert ("error" in data) == (response.status_code != 200)
