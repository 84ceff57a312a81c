"""Random and mutated requests: parse_request either parses them or raises a ServiceError.

For a sample of operations across every protocol, hypothesis feeds three kinds of input: random
bytes as the body, byte-level mutations of a valid request body (flips, cuts, insertions), and for
JSON / CBOR bodies, documents whose members hold random values of random types. No other exception
may escape. Runs are derandomized (same examples every time) and keep no example database;
FUZZ_EXAMPLES=2000 runs a deeper search (25 per test by default).
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import replace
from typing import Any

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudlet.errors import ServiceError
from cloudlet.http import HttpRequest
from cloudlet.protocol import parse_request

from .samples import sample
from .wire import Case, client_request, greedy_labels

FUZZED = [
    Case("dynamodb", "json", "PutItem"),
    Case("dynamodb", "json", "TransactWriteItems"),
    Case("stepfunctions", "json", "StartExecution"),
    Case("sqs", "json", "SendMessageBatch"),
    Case("cloudwatch", "smithy-rpc-v2-cbor", "PutMetricData"),
    Case("cloudwatch", "json", "GetMetricData"),
    Case("cloudwatch", "query", "PutMetricAlarm"),
    Case("iam", "query", "CreateRole"),
    Case("sqs", "query", "SendMessageBatch"),
    Case("ec2", "ec2", "RunInstances"),
    Case("lambda", "rest-json", "CreateFunction"),
    Case("apigatewayv2", "rest-json", "CreateApi"),
    Case("s3", "rest-xml", "PutBucketLifecycleConfiguration"),
    Case("s3", "rest-xml", "PutObject"),
    Case("cloudfront", "rest-xml", "CreateDistribution"),
]
FUZZ_SETTINGS = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@functools.cache
def _valid_request(case: Case) -> HttpRequest:
    operation = case.operation_model
    params = sample(operation.input_shape, greedy=greedy_labels(operation)) or {}
    return client_request(case, params)


def _parses_or_rejects(case: Case, request: HttpRequest) -> None:
    try:
        parse_request(case.model, request, case.protocol)
    except ServiceError as error:
        assert error.code


@st.composite
def _mutated(draw: st.DrawFn, body: bytes) -> bytes:
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        position = draw(st.integers(min_value=0, max_value=max(len(body) - 1, 0)))
        action = draw(st.sampled_from(["flip", "cut", "insert", "truncate"]))
        if action == "flip" and body:
            body = (
                body[:position]
                + bytes([body[position] ^ draw(st.integers(1, 255))])
                + body[position + 1 :]
            )
        elif action == "cut":
            body = body[:position] + body[position + draw(st.integers(1, 16)) :]
        elif action == "insert":
            body = body[:position] + draw(st.binary(min_size=1, max_size=8)) + body[position:]
        else:
            body = body[:position]
    return body


@pytest.mark.parametrize("case", FUZZED, ids=lambda case: case.id)
@FUZZ_SETTINGS
@given(body=st.binary(max_size=300))
def test_random_bodies(case: Case, body: bytes) -> None:
    _parses_or_rejects(case, replace(_valid_request(case), body=body))


@pytest.mark.parametrize("case", FUZZED, ids=lambda case: case.id)
@FUZZ_SETTINGS
@given(data=st.data())
def test_mutated_bodies(case: Case, data: st.DataObject) -> None:
    request = _valid_request(case)
    body = data.draw(_mutated(request.body))
    query = data.draw(st.sampled_from([request.query_string, request.query_string + "&x=%ZZ", ""]))
    _parses_or_rejects(case, replace(request, body=body, query_string=query, _query=None))


@pytest.mark.parametrize(
    "case",
    [case for case in FUZZED if case.protocol in ("json", "smithy-rpc-v2-cbor", "rest-json")],
    ids=lambda case: case.id,
)
@FUZZ_SETTINGS
@given(data=st.data())
def test_documents_of_random_types(case: Case, data: st.DataObject) -> None:
    request = _valid_request(case)
    names = list(case.operation_model.input_shape.members)
    document: dict[str, Any] = data.draw(
        st.dictionaries(st.sampled_from(names) | st.text(max_size=6), JSON_VALUES, max_size=6)
    )
    if case.protocol == "smithy-rpc-v2-cbor":
        body = cbor2.dumps(document)
    else:
        body = json.dumps(document).encode()
    _parses_or_rejects(case, replace(request, body=body))
