"""The DynamoDB provider: one thin method per operation over `Database` and its helpers.

Background work (GSI backfill, TTL expiry, purging deleted tables) runs on durable platform-clock
timers (`dynamodb:backfill`, `dynamodb:ttl`, `dynamodb:purge`), so it resumes after a restart.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cloudlet.context import RequestContext
from cloudlet.platform.store import Store
from cloudlet.services.base import Provider
from cloudlet.services.dynamodb import control, maintenance, partiql, query, streams
from cloudlet.services.dynamodb.database import Database
from cloudlet.services.dynamodb.errors import RequestValidationError
from cloudlet.services.dynamodb.transactions import Transactions
from cloudlet.services.dynamodb.types import AttributeValueError

BACKFILL_SECONDS = 1.0
"""AWS seconds between UpdateTable creating a GSI and its backfill starting."""
TTL_SWEEP_SECONDS = 1.0
"""AWS seconds between two sweeps of expired items."""

_DATABASES: dict[int, Database] = {}


@contextmanager
def _in_older_words() -> Iterator[None]:
    """A value AWS cannot take, worded by its older validation layer (BatchWriteItem, Scan and
    the transactions still run it)."""
    try:
        yield
    except AttributeValueError as error:
        raise error.in_older_words() from None


def shared_database(store: Store) -> Database:
    """The one Database over `store` (shared by the DynamoDB and DynamoDB Streams providers)."""
    db = _DATABASES.get(id(store))
    if db is None or db.store is not store:
        db = _DATABASES[id(store)] = Database(store)
    return db


class DynamoDBProvider(Provider):
    service = "dynamodb"

    def __init__(self, platform: Any) -> None:
        super().__init__(platform)
        self.db = shared_database(platform.store)
        self.transactions = Transactions(self.db)
        self._generation = uuid.uuid4().hex
        self._ttl_armed = False

    async def start(self) -> None:
        clock = self.platform.clock
        clock.on("dynamodb:backfill", self._backfill)
        clock.on("dynamodb:ttl", self._sweep)
        clock.on("dynamodb:purge", self._purge)
        if self.db.catalog.all_with_ttl():
            self._arm_ttl()
        if self.db.store.query_one("SELECT 1 FROM dynamodb_purge LIMIT 1"):
            clock.schedule("dynamodb:purge", 0, {})

    async def reset(self) -> None:
        self.db.catalog.clear()
        self.transactions.clear()
        streams.forget_sequences(self.db.store)
        control._count_cache.clear()
        self._generation = uuid.uuid4().hex
        self._ttl_armed = False

    # -- timers ----------------------------------------------------------------------------

    def _arm_ttl(self) -> None:
        if not self._ttl_armed:
            self._ttl_armed = True
            self.platform.clock.schedule(
                "dynamodb:ttl", TTL_SWEEP_SECONDS, {"generation": self._generation}
            )

    async def _sweep(self, payload: dict[str, Any]) -> None:
        if payload.get("generation") != self._generation:
            return  # a chain from before a restart or reset; the current one carries on
        self._ttl_armed = False
        if await maintenance.sweep_ttl(self.db):
            self._arm_ttl()

    async def _backfill(self, payload: dict[str, Any]) -> None:
        await maintenance.backfill(
            self.db, payload["account"], payload["region"], payload["table"], payload["index"]
        )

    async def _purge(self, payload: dict[str, Any]) -> None:
        await maintenance.purge(self.db)

    # -- tables ----------------------------------------------------------------------------

    def create_table(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        described = control.create_table(self.db, ctx.account, ctx.region, request)
        return {"TableDescription": described}

    def describe_table(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        table = self.db.catalog.require(ctx.account, ctx.region, request["TableName"])
        return {"Table": control.describe(self.db, table)}

    def delete_table(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        described = control.delete_table(self.db, ctx.account, ctx.region, request)
        self.platform.clock.schedule("dynamodb:purge", 0, {})
        return {"TableDescription": described}

    def update_table(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        described, backfills = control.update_table(self.db, ctx.account, ctx.region, request)
        for index in backfills:
            self.platform.clock.schedule(
                "dynamodb:backfill",
                BACKFILL_SECONDS,
                {
                    "account": ctx.account,
                    "region": ctx.region,
                    "table": request["TableName"],
                    "index": index,
                },
            )
        if request.get("GlobalSecondaryIndexUpdates"):
            self.platform.clock.schedule("dynamodb:purge", 0, {})
        return {"TableDescription": described}

    def list_tables(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return control.list_tables(self.db, ctx.account, ctx.region, request)

    def update_time_to_live(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        result = control.update_ttl(self.db, ctx.account, ctx.region, request)
        if request["TimeToLiveSpecification"]["Enabled"]:
            self._arm_ttl()
        return result

    def describe_time_to_live(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return control.describe_ttl(self.db, ctx.account, ctx.region, request)

    def tag_resource(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        control.tag(self.db, request)
        return {}

    def untag_resource(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        control.tag(self.db, request, remove=True)
        return {}

    def list_tags_of_resource(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return control.list_tags(self.db, request)

    def describe_continuous_backups(
        self, ctx: RequestContext, request: dict[str, Any]
    ) -> dict[str, Any]:
        table = self.db.catalog.require(ctx.account, ctx.region, request["TableName"])
        return control.continuous_backups(table)

    def update_continuous_backups(
        self, ctx: RequestContext, request: dict[str, Any]
    ) -> dict[str, Any]:
        table = self.db.catalog.require(ctx.account, ctx.region, request["TableName"])
        spec = request["PointInTimeRecoverySpecification"]
        table.description["_pitr"] = bool(spec["PointInTimeRecoveryEnabled"])
        table = self.db.catalog.save(table)
        return control.continuous_backups(table)

    def describe_limits(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return {
            "AccountMaxReadCapacityUnits": 80000,
            "AccountMaxWriteCapacityUnits": 80000,
            "TableMaxReadCapacityUnits": 40000,
            "TableMaxWriteCapacityUnits": 40000,
        }

    def describe_endpoints(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return {
            "Endpoints": [
                {"Address": f"dynamodb.{ctx.region}.amazonaws.com", "CachePeriodInMinutes": 1440}
            ]
        }

    # -- items -----------------------------------------------------------------------------

    def get_item(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return self.db.get_item(ctx.account, ctx.region, request)

    def put_item(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return self._write_one("Put", ctx, request)

    def update_item(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return self._write_one("Update", ctx, request)

    def delete_item(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return self._write_one("Delete", ctx, request)

    def _write_one(self, kind: str, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        """PutItem, UpdateItem or DeleteItem; a fault in the request alone comes inside Coral's
        envelope, as AWS words it for these three."""
        try:
            return self.db.write_one(kind, ctx.account, ctx.region, request)
        except RequestValidationError as error:
            raise error.enveloped() from None

    def batch_get_item(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return self.db.batch_get(ctx.account, ctx.region, request)

    def batch_write_item(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        with _in_older_words():
            return self.db.batch_write(ctx.account, ctx.region, request)

    def query(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return query.query(self.db, ctx.account, ctx.region, request)

    def scan(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        with _in_older_words():
            return query.scan(self.db, ctx.account, ctx.region, request)

    def transact_write_items(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        with _in_older_words():
            return self.transactions.write(ctx.account, ctx.region, request)

    def transact_get_items(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        with _in_older_words():
            return self.transactions.get(ctx.account, ctx.region, request)

    # -- PartiQL ---------------------------------------------------------------------------

    def execute_statement(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return partiql.execute(self.db, ctx.account, ctx.region, request)

    def batch_execute_statement(
        self, ctx: RequestContext, request: dict[str, Any]
    ) -> dict[str, Any]:
        return partiql.batch(self.db, ctx.account, ctx.region, request)

    def execute_transaction(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return partiql.transaction(self.db, self.transactions, ctx.account, ctx.region, request)
