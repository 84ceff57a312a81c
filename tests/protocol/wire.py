"""botocore on the other end of the wire: requests as boto3 sends them, responses as it reads them.

`client_request` runs botocore's own serializer (no validation) and request preparation, so host
prefixes, URI templates, query strings and bodies are exactly what a client sends. `client_parse`
runs botocore's response parser as the endpoint does, including the second parse of a modeled
error's fields. `CASES` lists every (service, protocol, operation) the round-trip tests cover.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import create_request_object, prepare_request_dict
from botocore.errorfactory import ClientExceptionsFactory
from botocore.model import OperationModel, ServiceModel
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from urllib3._collections import HTTPHeaderDict

from cloudlet.http import HttpRequest, HttpResponse
from cloudlet.protocol import service_model
from cloudlet.protocol.models import protocol_model, protocols_of

SERVICES = [
    "sts",
    "iam",
    "logs",
    "lambda",
    "dynamodb",
    "dynamodbstreams",
    "stepfunctions",
    "cloudwatch",
    "elasticache",
    "autoscaling",
    "ec2",
    "service-quotas",
    "sqs",
    "events",
    "scheduler",
    "s3",
    "cloudfront",
    "apigatewayv2",
]
ENDPOINT = "https://cloudlet.test:4566"


@dataclass(frozen=True)
class Case:
    """One operation of one service in one protocol."""

    service: str
    protocol: str
    operation: str

    @property
    def id(self) -> str:
        service = self.service
        if len(protocols_of(service_model(service))) > 1:
            service = f"{service}:{self.protocol}"
        return f"{service}-{self.operation}"

    @property
    def model(self) -> ServiceModel:
        """The model the client uses (SQS query clients use the old query model)."""
        return protocol_model(service_model(self.service), self.protocol)

    @property
    def operation_model(self) -> OperationModel:
        return self.model.operation_model(self.operation)


def _cases() -> list[Case]:
    cases = []
    for name in SERVICES:
        model = service_model(name)
        for protocol in protocols_of(model):
            cases.extend(Case(name, protocol, operation) for operation in model.operation_names)
    return cases


CASES = _cases()


def greedy_labels(operation: OperationModel) -> frozenset[str]:
    """Input members bound to greedy URI labels (`{Key+}`)."""
    return frozenset(re.findall(r"\{([^}]+)\+\}", operation.http.get("requestUri", "")))


def client_request(case: Case, params: dict[str, Any]) -> HttpRequest:
    """The request botocore sends for `params`."""
    operation = case.operation_model
    serializer = _serializer(case.protocol)
    request_dict = serializer.serialize_to_request(params, operation)
    request_dict["context"] = {}
    prepare_request_dict(request_dict, endpoint_url=ENDPOINT)
    prepared = create_request_object(request_dict).prepare()
    url = urlsplit(prepared.url)
    headers = {key.lower(): str(value) for key, value in prepared.headers.items()}
    headers["host"] = url.netloc
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    return HttpRequest(prepared.method, url.path, url.query, headers, bytes(body))


def client_parse(case: Case, response: HttpResponse) -> dict[str, Any]:
    """What botocore returns for `response` (ResponseMetadata removed)."""
    operation = case.operation_model
    parser = _parser(case.protocol)
    response_dict = {
        "status_code": response.status,
        "headers": HTTPHeaderDict(response.headers),
        "body": response.body,
        "context": {"operation_name": operation.name},
    }
    parsed: dict[str, Any] = parser.parse(response_dict, operation.output_shape)
    if response.status >= 300:
        code = parsed.get("Error", {}).get("Code")
        error_shape = case.model.shape_for_error_code(code)
        if error_shape is not None:
            parsed.update(parser.parse(response_dict, error_shape))
    parsed.pop("ResponseMetadata", None)
    return parsed


def exception_name(case: Case, parsed: dict[str, Any]) -> str:
    """The name of the exception class boto3 raises for a parsed error response."""
    error = parsed["Error"]
    code = error.get("Code")
    if case.service == "sqs" and error.get("QueryErrorCode"):
        code = error["QueryErrorCode"]  # botocore's after-call.sqs handler does this
    return str(_exceptions(case.model).from_code(code).__name__)


@functools.cache
def _exceptions(model: ServiceModel) -> Any:
    return ClientExceptionsFactory().create_client_exceptions(model)


@functools.cache
def _serializer(protocol: str) -> Any:
    return create_serializer(protocol, include_validation=False)


@functools.cache
def _parser(protocol: str) -> Any:
    return create_parser(protocol)
