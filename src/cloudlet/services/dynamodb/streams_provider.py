"""The DynamoDB Streams provider: ListStreams, DescribeStream, GetShardIterator, GetRecords.

Each stream has one shard, `shardId-00000000000000000001-<stream id>`. A shard iterator is an
opaque string carrying the stream id and the position after which records are read; it expires
after 15 minutes, as AWS's do. Records come from `streams.read_records`, the same seam a Lambda
event source mapping will read from.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from cloudlet.context import RequestContext
from cloudlet.errors import ServiceError
from cloudlet.services.base import Provider
from cloudlet.services.dynamodb import streams
from cloudlet.services.dynamodb.errors import not_found, validation
from cloudlet.services.dynamodb.provider import shared_database

ITERATOR_SECONDS = 15 * 60
MAX_RECORDS = 1000


def shard_id(sid: int) -> str:
    return f"shardId-00000000000000000001-{sid:08d}"


class DynamoDBStreamsProvider(Provider):
    service = "dynamodbstreams"

    def __init__(self, platform: Any) -> None:
        super().__init__(platform)
        self.db = shared_database(platform.store)

    def _stream(self, arn: str) -> tuple[int, dict[str, Any], str]:
        row = self.db.store.query_one(
            "SELECT sid, body, table_name FROM dynamodb_streams WHERE arn = ?", (arn,)
        )
        if row is None:
            raise not_found(f"Requested resource not found: Stream: {arn} not found")
        return row[0], json.loads(row[1]), row[2]

    def list_streams(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        sql = (
            "SELECT sid, arn, table_name, body FROM dynamodb_streams WHERE account = ? AND "
            "region = ?"
        )
        params: list[Any] = [ctx.account, ctx.region]
        if request.get("TableName"):
            sql += " AND table_name = ?"
            params.append(request["TableName"])
        if request.get("ExclusiveStartStreamArn"):
            sql += " AND arn > ?"
            params.append(request["ExclusiveStartStreamArn"])
        limit = request.get("Limit") or 100
        rows = self.db.store.query(sql + " ORDER BY arn LIMIT ?", (*params, limit + 1))
        result: dict[str, Any] = {
            "Streams": [
                {
                    "StreamArn": row[1],
                    "TableName": row[2],
                    "StreamLabel": json.loads(row[3])["label"],
                }
                for row in rows[:limit]
            ]
        }
        if len(rows) > limit:
            result["LastEvaluatedStreamArn"] = rows[limit - 1][1]
        return result

    def describe_stream(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        arn = request["StreamArn"]
        sid, body, table_name = self._stream(arn)
        first = self.db.store.query_one(
            "SELECT MIN(seq), MAX(seq) FROM dynamodb_stream_records WHERE sid = ?", (sid,)
        )
        sequence_range: dict[str, str] = {
            "StartingSequenceNumber": str(
                streams.SEQUENCE_BASE + (first[0] if first and first[0] else 1)
            )
        }
        if body["status"] == "DISABLED" and first and first[1]:
            sequence_range["EndingSequenceNumber"] = str(streams.SEQUENCE_BASE + first[1])
        return {
            "StreamDescription": {
                "StreamArn": arn,
                "StreamLabel": body["label"],
                "StreamStatus": body["status"],
                "StreamViewType": body["view"],
                "CreationRequestDateTime": body["created"],
                "TableName": table_name,
                "KeySchema": body["key_schema"],
                "Shards": [{"ShardId": shard_id(sid), "SequenceNumberRange": sequence_range}],
            }
        }

    def get_shard_iterator(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        sid, _, _ = self._stream(request["StreamArn"])
        if request["ShardId"] != shard_id(sid):
            raise not_found(f"Requested resource not found: Shard: {request['ShardId']} not found")
        kind = request["ShardIteratorType"]
        number = request.get("SequenceNumber")
        if kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
            if not number or not number.isdigit():
                raise validation("Sequence number is required for the shard iterator type " + kind)
            seq = int(number) - streams.SEQUENCE_BASE
            after = seq - 1 if kind == "AT_SEQUENCE_NUMBER" else seq
        elif kind == "LATEST":
            row = self.db.store.query_one(
                "SELECT MAX(seq) FROM dynamodb_stream_records WHERE sid = ?", (sid,)
            )
            after = row[0] if row and row[0] is not None else 0
        else:
            after = 0
        return {"ShardIterator": _iterator(sid, after)}

    def get_records(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        sid, after, issued = _read_iterator(request["ShardIterator"])
        if time.time() - issued > ITERATOR_SECONDS:
            raise ServiceError(
                "Iterator expired. The iterator was created over 15 minutes ago.",
                code="ExpiredIteratorException",
            )
        limit = min(request.get("Limit") or MAX_RECORDS, MAX_RECORDS)
        records = streams.read_records(self.db.store, sid, after, limit)
        last = records[-1][0] if records else after
        row = self.db.store.query_one("SELECT body FROM dynamodb_streams WHERE sid = ?", (sid,))
        result: dict[str, Any] = {
            "Records": [streams.to_wire(seq, body, ctx.region) for seq, body in records]
        }
        disabled = row is not None and json.loads(row[0])["status"] == "DISABLED"
        if not (disabled and not records):
            result["NextShardIterator"] = _iterator(sid, last)
        return result


def _iterator(sid: int, after: int) -> str:
    raw = json.dumps([sid, after, time.time()]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _read_iterator(text: str) -> tuple[int, int, float]:
    try:
        sid, after, issued = json.loads(base64.urlsafe_b64decode(text.encode()))
        return int(sid), int(after), float(issued)
    except (ValueError, TypeError) as exc:
        raise validation("Invalid ShardIterator") from exc
