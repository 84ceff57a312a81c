"""The event source mapping operations (Create/Get/List/Update/DeleteEventSourceMapping).

A mixin of `LambdaProvider`, like `settings_api.py`: each method validates with AWS's errors and
messages, writes the mapping through `EventSources` (event_sources.py, which also runs the
pollers) and answers with the `EventSourceMappingConfiguration` shape. Sources: DynamoDB streams.

Defaults are AWS's for stream sources: BatchSize 100 (at most 10,000),
MaximumBatchingWindowInSeconds 0, ParallelizationFactor 1, MaximumRecordAgeInSeconds and
MaximumRetryAttempts -1 (until the record expires), BisectBatchOnFunctionError false,
TumblingWindowInSeconds 0 (stored; tumbling windows are not run), DestinationConfig
`{"OnFailure": {}}`. AWS accepts only SQS queues, SNS topics and S3 buckets as a stream mapping's
on-failure destination; cloudlet also accepts a Lambda function (invoked asynchronously with the
failure record) while it serves no SQS or SNS.
"""

from __future__ import annotations

import time
import uuid as uuids
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.lambda_.event_filters import MAX_FILTERS, compile_criteria
from cloudlet.services.lambda_.event_sources import TRANSITIONAL, Mapping
from cloudlet.services.lambda_.models import error, function_arn, invalid, parse_function_name

if TYPE_CHECKING:
    from cloudlet.context import RequestContext
    from cloudlet.platform.runtime import Platform
    from cloudlet.services.lambda_.event_sources import EventSources
    from cloudlet.services.lambda_.functions import FunctionStore

Request = dict[str, Any]
Response = dict[str, Any]

DEFAULTS: dict[str, Any] = {
    "BatchSize": 100,
    "MaximumBatchingWindowInSeconds": 0,
    "ParallelizationFactor": 1,
    "MaximumRecordAgeInSeconds": -1,
    "BisectBatchOnFunctionError": False,
    "MaximumRetryAttempts": -1,
    "TumblingWindowInSeconds": 0,
    "FunctionResponseTypes": [],
}
SETTINGS = (*DEFAULTS, "FilterCriteria", "DestinationConfig")
"""Members Create and Update share."""
MAX_BATCH = 10_000
DESTINATION_SERVICES = ("sqs", "sns", "s3", "lambda")
PAGE_LIMIT = 100
"""ListEventSourceMappings answers at most 100 mappings per call, whatever MaxItems says."""


def not_found() -> ServiceError:
    return error("ResourceNotFoundException", "The resource you requested does not exist.")


class EventSourcesApi:
    """Event source mapping operations (see the module docstring)."""

    platform: Platform
    functions: FunctionStore
    event_sources: EventSources

    async def create_event_source_mapping(self, ctx: RequestContext, request: Request) -> Response:
        arn = request.get("EventSourceArn")
        if not arn:
            raise invalid("Unrecognized event source.")
        if arn.split(":")[2:3] != ["dynamodb"] or "/stream/" not in arn:
            raise invalid(
                f"Unrecognized event source: {arn} (cloudlet serves event source mappings from"
                " DynamoDB streams)"
            )
        position = request.get("StartingPosition")
        if not position:
            raise invalid(
                "1 validation error detected: Value null at 'startingPosition' failed to"
                " satisfy constraint: Member must not be null."
            )
        if request.get("StartingPositionTimestamp") is not None and position != "AT_TIMESTAMP":
            raise invalid("Timestamp only valid with StartingPosition AT_TIMESTAMP")
        if position not in ("TRIM_HORIZON", "LATEST"):
            raise invalid(f"Unsupported starting position for arn type: {arn}")
        name, qualifier = self._esm_target(ctx, request["FunctionName"])
        shard = await self._esm_shard(ctx, arn)
        target = f"{name}:{qualifier}" if qualifier else name
        target_arn = function_arn(ctx.region, ctx.account, name, qualifier)
        for other in self.event_sources.listing(ctx.account, ctx.region):
            if other.config["EventSourceArn"] == arn and other.config["FunctionArn"] == target_arn:
                raise error(
                    "ResourceConflictException",
                    f'The event source arn (" {arn} ") and function (" {target} ") provided'
                    " mapping already exists. Please update or delete the existing mapping with"
                    f" UUID {other.uuid}",
                )
        config: dict[str, Any] = {
            "StartingPosition": position,
            "EventSourceArn": arn,
            "FunctionArn": target_arn,
            "State": "Creating",
            "StateTransitionReason": "User action",
            "DestinationConfig": {"OnFailure": {}},
            **DEFAULTS,
        }
        _apply_settings(config, request)
        mapping_uuid = str(uuids.uuid4())
        config.update(
            UUID=mapping_uuid,
            EventSourceMappingArn=(
                f"arn:aws:lambda:{ctx.region}:{ctx.account}:event-source-mapping:{mapping_uuid}"
            ),
            LastModified=time.time(),
            _function=name,
            _qualifier=qualifier,
            _enabled=request.get("Enabled", True) is not False,
            _shard=shard,
        )
        for key in ("MetricsConfig", "KMSKeyArn"):
            if request.get(key):
                config[key] = request[key]
        mapping = Mapping(mapping_uuid, ctx.account, ctx.region, config)
        mapping.position = 0 if position == "TRIM_HORIZON" else _latest(self.platform, arn)
        self.event_sources.insert(mapping)
        self.event_sources.settle_soon(mapping_uuid)
        return _public(mapping)

    def get_event_source_mapping(self, ctx: RequestContext, request: Request) -> Response:
        return _public(self._esm(ctx, request["UUID"]))

    def list_event_source_mappings(self, ctx: RequestContext, request: Request) -> Response:
        mappings = self.event_sources.listing(ctx.account, ctx.region)
        if request.get("EventSourceArn"):
            mappings = [
                m for m in mappings if m.config["EventSourceArn"] == request["EventSourceArn"]
            ]
        if request.get("FunctionName"):
            name, qualifier = parse_function_name(request["FunctionName"], ctx.account, ctx.region)
            mappings = [
                m
                for m in mappings
                if m.config["_function"] == name
                and (qualifier is None or m.config["_qualifier"] == qualifier)
            ]
        marker = str(request.get("Marker") or "0")
        if not marker.isdigit():
            raise invalid(f"Invalid marker: {marker}")
        start, size = int(marker), min(int(request.get("MaxItems") or PAGE_LIMIT), PAGE_LIMIT)
        response: Response = {
            "EventSourceMappings": [_public(m) for m in mappings[start : start + size]]
        }
        if start + size < len(mappings):
            response["NextMarker"] = str(start + size)
        return response

    def update_event_source_mapping(self, ctx: RequestContext, request: Request) -> Response:
        mapping = self._esm(ctx, request["UUID"])
        config = mapping.config
        if config["State"] in TRANSITIONAL:
            raise error(
                "ResourceInUseException",
                "Cannot update the event source mapping because it is in use.",
            )
        if request.get("FunctionName"):
            name, qualifier = self._esm_target(ctx, request["FunctionName"])
            config.update(
                _function=name,
                _qualifier=qualifier,
                FunctionArn=function_arn(ctx.region, ctx.account, name, qualifier),
            )
        _apply_settings(config, request)
        was_enabled = config["State"] == "Enabled"
        if request.get("Enabled") is not None:
            config["_enabled"] = bool(request["Enabled"])
        if config["_enabled"] != was_enabled:
            config["State"] = "Enabling" if config["_enabled"] else "Disabling"
        else:
            config["State"] = "Updating"
        config["StateTransitionReason"] = "User action"
        config["LastModified"] = time.time()
        self.event_sources.save(mapping)
        self.event_sources.settle_soon(mapping.uuid)
        return _public(mapping)

    def delete_event_source_mapping(self, ctx: RequestContext, request: Request) -> Response:
        mapping = self._esm(ctx, request["UUID"])
        mapping.config["State"] = "Deleting"
        mapping.config["StateTransitionReason"] = "User action"
        self.event_sources.save(mapping)
        self.event_sources.settle_soon(mapping.uuid)
        return _public(mapping)

    # helpers

    def _esm(self, ctx: RequestContext, mapping_uuid: str) -> Mapping:
        mapping = self.event_sources.find(ctx.account, ctx.region, mapping_uuid)
        if mapping is None:
            raise not_found()
        return mapping

    def _esm_target(self, ctx: RequestContext, function_name: str) -> tuple[str, str | None]:
        """(name, qualifier) of an existing function, version or alias."""
        name, qualifier = parse_function_name(function_name, ctx.account, ctx.region)
        record = self.functions.find(ctx.account, ctx.region, name)
        if record is None or (
            qualifier not in (None, "$LATEST")
            and qualifier not in record["versions"]
            and qualifier not in record["aliases"]
        ):
            raise invalid("Function does not exist")
        return name, qualifier

    async def _esm_shard(self, ctx: RequestContext, arn: str) -> str:
        """The stream's shard id (AWS's error when there is no such stream)."""
        try:
            described = await self.platform.services.call(
                "dynamodbstreams",
                "DescribeStream",
                {"StreamArn": arn},
                account=ctx.account,
                region=ctx.region,
            )
        except ServiceError as exc:
            if exc.code in ("ResourceNotFoundException", "ValidationException"):
                raise invalid(f"Stream not found: {arn}") from exc
            raise
        shard: str = described["StreamDescription"]["Shards"][0]["ShardId"]
        return shard


def _apply_settings(config: dict[str, Any], request: Request) -> None:
    """Validate the members Create and Update share and store them in `config`."""
    for key in DEFAULTS:
        if request.get(key) is not None:
            config[key] = request[key]
    if not 1 <= config["BatchSize"] <= MAX_BATCH:
        raise invalid(f"BatchSize must be between 1 and {MAX_BATCH}.")
    age = config["MaximumRecordAgeInSeconds"]
    if age != -1 and not 60 <= age <= 604_800:
        raise invalid(
            "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800"
            " (inclusive)"
        )
    if "FilterCriteria" in request:
        criteria = request["FilterCriteria"] or {}
        if len(criteria.get("Filters") or []) > MAX_FILTERS:
            raise invalid(
                f"The number of filters exceeds the limit of {MAX_FILTERS} per event source"
                " mapping."
            )
        compile_criteria(criteria)
        if criteria.get("Filters"):
            config["FilterCriteria"] = {"Filters": list(criteria["Filters"])}
        else:
            config.pop("FilterCriteria", None)  # an empty FilterCriteria removes the filters
    if "DestinationConfig" in request:
        destinations = request["DestinationConfig"] or {}
        if (destinations.get("OnSuccess") or {}).get("Destination"):
            raise invalid(
                "Unsupported DestinationConfig parameter for given event source mapping type."
            )
        target = (destinations.get("OnFailure") or {}).get("Destination")
        if target and (
            len(target.split(":")) < 6 or target.split(":")[2] not in DESTINATION_SERVICES
        ):
            raise invalid(
                f"The provided destination config DestinationConfig(onSuccess=null,"
                f" onFailure=OnFailure(destination={target})) is invalid."
            )
        config["DestinationConfig"] = {"OnFailure": {"Destination": target} if target else {}}


def _latest(platform: Platform, arn: str) -> int:
    from cloudlet.services.dynamodb import streams

    sid = streams.stream_id(platform.store, arn)
    return streams.last_sequence(platform.store, sid) if sid is not None else 0


def _public(mapping: Mapping) -> Response:
    """The EventSourceMappingConfiguration AWS answers with."""
    response = {key: value for key, value in mapping.config.items() if not key.startswith("_")}
    response["LastModified"] = datetime.fromtimestamp(mapping.config["LastModified"], UTC)
    response["LastProcessingResult"] = mapping.last_result
    return response
