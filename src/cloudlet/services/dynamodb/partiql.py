"""PartiQL statements (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction)."""

from __future__ import annotations

from typing import Any

from cloudlet.errors import NotImplementedOperation
from cloudlet.services.dynamodb.database import Database
from cloudlet.services.dynamodb.transactions import Transactions


def execute(db: Database, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
    raise NotImplementedOperation("dynamodb", "ExecuteStatement")


def batch(db: Database, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
    raise NotImplementedOperation("dynamodb", "BatchExecuteStatement")


def transaction(
    db: Database, tx: Transactions, account: str, region: str, request: dict[str, Any]
) -> dict[str, Any]:
    raise NotImplementedOperation("dynamodb", "ExecuteTransaction")
