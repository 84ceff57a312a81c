"""Calling cloudlet's services from a Task, as AWS's SDK integrations do.

`arn:aws:states:::aws-sdk:<service>:<apiAction>` calls any operation cloudlet serves through the
internal client. Parameters are PascalCase whatever the API's own casing; they are mapped onto
the operation's input shape (integers from JSON numbers, objects into string members as JSON,
strings into blobs). The response comes back with PascalCase member names, blobs as base64 and
timestamps as ISO 8601. Errors are named `<Service>.<Exception>` with the SDK's service name
(`DynamoDb.ConditionalCheckFailedException`, `Lambda.ResourceNotFoundException`), and their
cause reads like the Java SDK's message.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from cloudlet.errors import ServiceError
from cloudlet.services.stepfunctions.asl.errors import StatesError

SERVICE_NAMES = {
    "sfn": "stepfunctions",
    "cloudwatchlogs": "logs",
    "servicequotas": "service-quotas",
    "eventbridge": "events",
    "apigateway": "apigateway",
    "cloudwatch": "cloudwatch",
}
"""aws-sdk service name (the SDK's) → botocore's, where they differ."""

ERROR_PREFIXES = {
    "dynamodb": "DynamoDb",
    "stepfunctions": "Sfn",
    "logs": "CloudWatchLogs",
    "service-quotas": "ServiceQuotas",
    "lambda": "Lambda",
    "iam": "Iam",
    "sts": "Sts",
    "sqs": "Sqs",
    "sns": "Sns",
    "s3": "S3",
    "ec2": "Ec2",
    "events": "EventBridge",
    "cloudwatch": "CloudWatch",
    "elasticache": "ElastiCache",
    "autoscaling": "AutoScaling",
    "apigateway": "ApiGateway",
}


def botocore_name(sdk_service: str) -> str:
    return SERVICE_NAMES.get(sdk_service.lower(), sdk_service.lower())


def operation_name(action: str) -> str:
    return action[:1].upper() + action[1:]


def error_name(prefix: str, code: str) -> str:
    return f"{prefix}.{code if code.endswith('Exception') else code + 'Exception'}"


def cause_of(error: ServiceError, prefix: str, request_id: str) -> str:
    status = error.status_code or 400
    return f"{error.message} (Service: {prefix}, Status Code: {status}, Request ID: {request_id})"


def to_api(value: Any, shape: Any) -> Any:
    """JSON from the state machine → the operation's input types and member names."""
    if shape is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = {name.lower(): name for name in shape.members}
        out = {}
        for key, inner in value.items():
            name = members.get(key.lower(), key)
            out[name] = to_api(inner, shape.members.get(name))
        return out
    if kind == "list" and isinstance(value, list):
        return [to_api(item, shape.member) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: to_api(inner, shape.value) for key, inner in value.items()}
    if kind in ("integer", "long") and isinstance(value, float) and value.is_integer():
        return int(value)
    if kind in ("float", "double") and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind == "string" and isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    if kind == "blob" and isinstance(value, str):
        return value.encode()
    return value


def from_api(value: Any, pascal: bool = True) -> Any:
    """A response → JSON for the state machine (PascalCase members, base64 blobs)."""
    if isinstance(value, dict):
        return {
            (key[:1].upper() + key[1:] if pascal else key): from_api(inner, pascal)
            for key, inner in value.items()
        }
    if isinstance(value, list):
        return [from_api(item, pascal) for item in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, datetime):
        moment = value.astimezone(UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return value


def plain(value: Any) -> Any:
    """A response with its own member names kept, made JSON (blobs base64)."""
    return from_api(value, pascal=False)


async def call(
    platform: Any,
    service: str,
    action: str,
    parameters: Any,
    account: str,
    region: str,
    prefix: str | None = None,
) -> Any:
    """Run `service.action` for the state machine; failures become `StatesError`."""
    from cloudlet.protocol import service_model
    from cloudlet.services.registry import SERVICES

    name = botocore_name(service)
    prefix = prefix or ERROR_PREFIXES.get(name, name[:1].upper() + name[1:])
    if name not in SERVICES:
        raise StatesError(
            error_name(prefix, "ServiceNotAvailable"),
            f"The service {service} is not served by cloudlet.",
        )
    model = service_model(name)
    operation = operation_name(action)
    if operation not in model.operation_names:
        raise StatesError(
            "States.Runtime",
            f"The resource provided arn:aws:states:::aws-sdk:{service}:{action} is not recognized.",
        )
    input_shape = model.operation_model(operation).input_shape
    params = to_api(parameters if parameters is not None else {}, input_shape)
    try:
        return await platform.services.call(name, operation, params, account=account, region=region)
    except ServiceError as error:
        raise StatesError(error_name(prefix, error.code), cause_of(error, prefix, _rid())) from None


def _rid() -> str:
    import uuid

    return str(uuid.uuid4())
