"""botocore service models: loading, protocol variants, and the lookups every request needs.

One botocore `Loader` is shared and created on first use; nothing loads at import time.
`service_model(name)` is the canonical model of a service (cached for the life of the process, so
shape objects are stable and the per-shape plans other modules cache stay valid).

`protocol_model(service, protocol)` is the model to read and write one protocol with. It is the
service itself unless the service left that protocol behind and AWS still answers it: SQS's current
model is JSON-only, and its query variant is rebuilt by merging `overlays.SQS_QUERY` over it.

The lookups (`operation_for`, `error_shape`, ...) are dictionaries built once per model.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from botocore.loaders import Loader, create_loader
from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

from cloudlet.protocol.overlays import SQS_QUERY

_OVERLAYS: dict[tuple[str, str], dict[str, Any]] = {("sqs", "query"): SQS_QUERY}


@functools.cache
def _loader() -> Loader:
    return create_loader()


@functools.cache
def service_model(name: str) -> ServiceModel:
    """The botocore model of service `name` (botocore's data name: `sqs`, `cloudwatch`, ...)."""
    description = _loader().load_service_model(name, "service-2")
    return ServiceModel(description, service_name=name)


def protocols_of(service: ServiceModel) -> list[str]:
    """The protocols a service answers, most preferred first."""
    return _protocols(service)


@functools.cache
def _protocols(service: ServiceModel) -> list[str]:
    metadata = service.metadata
    protocols = list(metadata.get("protocols") or [metadata["protocol"]])
    if "awsQueryCompatible" in metadata and "query" not in protocols:
        # Migrated off query (SQS): old SDKs still send query and AWS still answers it.
        protocols.append("query")
    return protocols


def protocol_model(service: ServiceModel, protocol: str) -> ServiceModel:
    """The model that describes `service` on the wire in `protocol`."""
    return _protocol_model(service, protocol)


@functools.cache
def _protocol_model(service: ServiceModel, protocol: str) -> ServiceModel:
    overlay = _OVERLAYS.get((service.service_name, protocol))
    if overlay is None or protocol in (service.metadata.get("protocols") or ()):
        return service
    description = copy.deepcopy(_loader().load_service_model(service.service_name, "service-2"))
    _merge(description, overlay)
    description["metadata"]["protocol"] = protocol
    description["metadata"]["protocols"] = [protocol]
    return ServiceModel(description, service_name=service.service_name)


def _merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def operation_for(service: ServiceModel, name: str) -> OperationModel | None:
    """The operation called `name`, or None."""
    return _operations(service).get(name)


@functools.cache
def _operations(service: ServiceModel) -> dict[str, OperationModel]:
    return {name: service.operation_model(name) for name in service.operation_names}


def error_shape(service: ServiceModel | None, code: str) -> StructureShape | None:
    """The modeled error `code` names: by shape name (`NoSuchEntityException`) or wire code."""
    if service is None:
        return None
    return _error_shapes(service).get(code)


@functools.cache
def _error_shapes(service: ServiceModel) -> dict[str, StructureShape]:
    shapes: dict[str, StructureShape] = {}
    for shape in service.error_shapes:
        shapes.setdefault(shape.error_code, shape)
    for shape in service.error_shapes:
        shapes[shape.name] = shape  # a shape name wins over another shape's wire code
    return shapes


def query_error_code(service: ServiceModel, shape: Shape) -> str:
    """The query protocol's code for a modeled error (the `x-amzn-query-error` code)."""
    variant = _protocol_model(service, "query")
    if variant is not service:
        shape = variant.shape_for(shape.name)
    return str(shape.error_code)


def is_query_compatible(service: ServiceModel) -> bool:
    """True for services that moved off query and still report query error codes (SQS, ...)."""
    return "awsQueryCompatible" in service.metadata
