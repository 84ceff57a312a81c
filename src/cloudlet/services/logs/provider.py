"""CloudWatch Logs' operations (JSON 1.1): validate, call `store.LogStore` / `events`, shape.

Besides the API's own checks this enforces the name patterns the model declares (the protocol
layer checks lengths and types only), with AWS's InvalidParameterException messages. Events past a
group's retention are never read, and are deleted when retention is set, at start-up and hourly.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import TYPE_CHECKING, Any

from cloudlet.context import RequestContext
from cloudlet.errors import ServiceError
from cloudlet.services.base import Provider
from cloudlet.services.logs import events
from cloudlet.services.logs.filter_pattern import compile_pattern
from cloudlet.services.logs.models import (
    MAX_TAGS,
    RETENTION_DAYS,
    LogGroup,
    decode_token,
    encode_token,
    group_not_found,
    invalid_parameter,
    parse_group_arn,
    sequence_token,
)
from cloudlet.services.logs.store import LogStore, now_ms

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform

Request = dict[str, Any]
Response = dict[str, Any]

GROUP_NAME = re.compile(r"^[\.\-_/#A-Za-z0-9]+$")
STREAM_NAME = re.compile(r"^[^:*]*$")
SWEEP_SECONDS = 3600.0
"""How often expired events are deleted (an internal period, not an AWS one: not scaled)."""


def _check(value: str | None, pattern: re.Pattern[str], member: str) -> None:
    if value is not None and not pattern.match(value):
        raise invalid_parameter(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
            f"constraint: Member must satisfy regular expression pattern: "
            f"{pattern.pattern[1:-1]}"
        )


class LogsProvider(Provider):
    service = "logs"

    def __init__(self, platform: Platform) -> None:
        super().__init__(platform)
        self.logs = LogStore(platform.store)
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.logs.expire_all()
        self._sweeper = asyncio.create_task(self._sweep())

    async def shutdown(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            self.logs.expire_all()

    def _group(self, ctx: RequestContext, request: Request) -> LogGroup:
        """The group named by `logGroupName` or `logGroupIdentifier` (a name or an ARN)."""
        name, identifier = request.get("logGroupName"), request.get("logGroupIdentifier")
        if name and identifier:
            raise invalid_parameter(
                "LogGroup name and LogGroup ARN are mutually exclusive parameters."
            )
        if identifier and identifier.startswith("arn:"):
            parsed = parse_group_arn(identifier)
            if parsed is None or parsed[:2] != (ctx.region, ctx.account):
                raise group_not_found()
            name = parsed[2]
        elif identifier:
            name = identifier
        if not name:
            raise invalid_parameter("Either logGroupName or logGroupIdentifier is required.")
        _check(name, GROUP_NAME, "logGroupName")
        return self.logs.group(ctx.account, ctx.region, name)

    def _group_by_arn(self, ctx: RequestContext, arn: str) -> LogGroup:
        parsed = parse_group_arn(arn)
        if parsed is None or parsed[:2] != (ctx.region, ctx.account):
            raise ServiceError(
                "The specified resource does not exist.", code="ResourceNotFoundException"
            )
        return self.logs.group(ctx.account, ctx.region, parsed[2])

    # groups

    def create_log_group(self, ctx: RequestContext, request: Request) -> Response:
        _check(request["logGroupName"], GROUP_NAME, "logGroupName")
        self.logs.create_group(
            ctx.account,
            ctx.region,
            request["logGroupName"],
            kms_key_id=request.get("kmsKeyId"),
            tags=request.get("tags"),
            log_group_class=request.get("logGroupClass"),
        )
        return {}

    def delete_log_group(self, ctx: RequestContext, request: Request) -> Response:
        self.logs.delete_group(self._group(ctx, request))
        return {}

    def describe_log_groups(self, ctx: RequestContext, request: Request) -> Response:
        prefix, pattern = request.get("logGroupNamePrefix"), request.get("logGroupNamePattern")
        if prefix and pattern:
            raise invalid_parameter(
                "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters."
            )
        names = None
        if request.get("logGroupIdentifiers"):
            names = [(parse_group_arn(i) or ("", "", i))[2] for i in request["logGroupIdentifiers"]]
        limit = request.get("limit") or 50
        after = decode_token(request["nextToken"]) if request.get("nextToken") else None
        groups = self.logs.groups(
            ctx.account,
            ctx.region,
            prefix=prefix,
            pattern=pattern,
            log_group_class=request.get("logGroupClass"),
            names=names,
            after=after,
            limit=limit + 1,
        )
        response: Response = {"logGroups": [g.describe() for g in groups[:limit]]}
        if len(groups) > limit:
            response["nextToken"] = encode_token(groups[limit - 1].name)
        return response

    def list_log_groups(self, ctx: RequestContext, request: Request) -> Response:
        limit = request.get("limit") or 50
        after = decode_token(request["nextToken"]) if request.get("nextToken") else None
        groups = self.logs.groups(
            ctx.account,
            ctx.region,
            pattern=request.get("logGroupNamePattern"),
            log_group_class=request.get("logGroupClass"),
            after=after,
            limit=limit + 1,
        )
        response: Response = {
            "logGroups": [
                {"logGroupName": g.name, "logGroupArn": g.arn, "logGroupClass": g.log_group_class}
                for g in groups[:limit]
            ]
        }
        if len(groups) > limit:
            response["nextToken"] = encode_token(groups[limit - 1].name)
        return response

    def put_retention_policy(self, ctx: RequestContext, request: Request) -> Response:
        days = request["retentionInDays"]
        if days not in RETENTION_DAYS:
            raise invalid_parameter(
                f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to "
                f"satisfy constraint: Member must satisfy enum value set: "
                f"[{', '.join(str(d) for d in RETENTION_DAYS)}]"
            )
        self.logs.set_retention(self._group(ctx, request), days)
        return {}

    def delete_retention_policy(self, ctx: RequestContext, request: Request) -> Response:
        self.logs.set_retention(self._group(ctx, request), None)
        return {}

    # tags

    def _tag(self, group: LogGroup, tags: dict[str, str]) -> None:
        merged = {**group.tags, **tags}
        if len(merged) > MAX_TAGS:
            raise ServiceError(
                f"A resource can only have {MAX_TAGS} tags.",
                code="TooManyTagsException",
                fields={"resourceName": group.arn},
            )
        self.logs.set_tags(group, merged)

    def _untag(self, group: LogGroup, keys: list[str]) -> None:
        self.logs.set_tags(group, {k: v for k, v in group.tags.items() if k not in set(keys)})

    def tag_resource(self, ctx: RequestContext, request: Request) -> Response:
        self._tag(self._group_by_arn(ctx, request["resourceArn"]), request["tags"])
        return {}

    def untag_resource(self, ctx: RequestContext, request: Request) -> Response:
        self._untag(self._group_by_arn(ctx, request["resourceArn"]), request["tagKeys"])
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, request: Request) -> Response:
        return {"tags": self._group_by_arn(ctx, request["resourceArn"]).tags}

    def tag_log_group(self, ctx: RequestContext, request: Request) -> Response:
        self._tag(self._group(ctx, request), request["tags"])
        return {}

    def untag_log_group(self, ctx: RequestContext, request: Request) -> Response:
        self._untag(self._group(ctx, request), request["tags"])
        return {}

    def list_tags_log_group(self, ctx: RequestContext, request: Request) -> Response:
        return {"tags": self._group(ctx, request).tags}

    # streams

    def create_log_stream(self, ctx: RequestContext, request: Request) -> Response:
        _check(request["logStreamName"], STREAM_NAME, "logStreamName")
        self.logs.create_stream(self._group(ctx, request), request["logStreamName"])
        return {}

    def delete_log_stream(self, ctx: RequestContext, request: Request) -> Response:
        group = self._group(ctx, request)
        self.logs.delete_stream(self.logs.stream(group, request["logStreamName"]))
        return {}

    def describe_log_streams(self, ctx: RequestContext, request: Request) -> Response:
        group = self._group(ctx, request)
        prefix = request.get("logStreamNamePrefix")
        by_last_event = request.get("orderBy") == "LastEventTime"
        if prefix and by_last_event:
            raise invalid_parameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
        limit = request.get("limit") or 50
        after = decode_token(request["nextToken"]) if request.get("nextToken") else None
        if after is not None and not isinstance(after, list):
            raise invalid_parameter("The specified nextToken is invalid.")
        streams = self.logs.streams(
            group,
            prefix=prefix,
            by_last_event=by_last_event,
            descending=bool(request.get("descending")),
            after=after,
            limit=limit + 1,
        )
        response: Response = {"logStreams": [s.describe() for s in streams[:limit]]}
        if len(streams) > limit:
            last = streams[limit - 1]
            key: list[Any] = [last.name]
            if by_last_event:
                key = [last.last_event_timestamp if last.last_event_timestamp is not None else -1]
                key.append(last.name)
            response["nextToken"] = encode_token(key)
        return response

    # events

    def put_log_events(self, ctx: RequestContext, request: Request) -> Response:
        group = self._group(ctx, request)
        stream = self.logs.stream(group, request["logStreamName"])
        batch = events.check_batch(request["logEvents"])
        now = now_ms()
        accepted, rejected = events.split_rejected(batch, group, now)
        self.logs.append(stream, accepted, now)
        response: Response = {"nextSequenceToken": sequence_token(now)}
        if rejected:
            response["rejectedLogEventsInfo"] = rejected
        return response

    def get_log_events(self, ctx: RequestContext, request: Request) -> Response:
        group = self._group(ctx, request)
        stream = self.logs.stream(group, request["logStreamName"])
        return events.read_stream(self.platform.store, stream, request, now_ms())

    def filter_log_events(self, ctx: RequestContext, request: Request) -> Response:
        group = self._group(ctx, request)
        names, prefix = request.get("logStreamNames"), request.get("logStreamNamePrefix")
        if names and prefix:
            raise invalid_parameter(
                "logStreamNames and logStreamNamePrefix are mutually exclusive parameters."
            )
        matcher = compile_pattern(request.get("filterPattern"))
        stream_ids: list[int] | None = None
        if names:
            found = (self.logs.find_stream(group, n) for n in names)
            stream_ids = [s.id for s in found if s is not None]
        elif prefix:
            stream_ids = [s.id for s in self.logs.streams(group, prefix=prefix, limit=-1)]
        return events.filter_group(
            self.platform.store, group, stream_ids, matcher, request, now_ms()
        )
