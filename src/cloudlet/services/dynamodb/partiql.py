"""PartiQL for DynamoDB: SELECT, INSERT, UPDATE and DELETE, run through the same data path.

Statements are translated, not interpreted separately: literals (`'text'`, numbers, `true`,
`null`, `[...]`, `{...}`, `<<...>>` sets) and `?` parameters become `:p<n>` placeholders, quoted
identifiers `"name"` become `#n<n>`, and the WHERE clause is then an ordinary condition
expression. SELECT runs as a Scan with that filter; INSERT is a PutItem that must not overwrite
(`DuplicateItemException`); UPDATE and DELETE act on the one item their WHERE names by key.
"""

from __future__ import annotations

import re
from base64 import b64decode, b64encode
from typing import Any

from cloudlet.errors import ServiceError
from cloudlet.services.dynamodb import query
from cloudlet.services.dynamodb.database import Database
from cloudlet.services.dynamodb.errors import validation
from cloudlet.services.dynamodb.models import Table
from cloudlet.services.dynamodb.storage import dumps, loads
from cloudlet.services.dynamodb.transactions import Transactions

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<quoted>\"(?:[^\"]|\"\")*\")|(?P<number>-?\d+(?:\.\d+)?"
    r"(?:[eE][-+]?\d+)?)|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<op><<|>>|<>|<=|>=|!=|[=<>(),.\[\]{}:?*])"
    r"|(?P<other>\S))"
)


class _Statement:
    """One statement's tokens, turned into expression text with placeholders."""

    def __init__(self, text: str, parameters: list[Any]) -> None:
        self.tokens = [
            (m.lastgroup or "", m.group(m.lastgroup or 0)) for m in _TOKEN.finditer(text)
        ]
        self.position = 0
        self.parameters = list(parameters)
        self.values: dict[str, Any] = {}
        self.names: dict[str, str] = {}

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.position] if self.position < len(self.tokens) else ("", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.position += 1
        return token

    def keyword(self, word: str) -> bool:
        kind, text = self.peek()
        if kind == "word" and text.upper() == word:
            self.position += 1
            return True
        return False

    def expect(self, text: str) -> None:
        found = self.take()[1]
        if found.upper() != text:
            raise _syntax(found)

    def identifier(self) -> str:
        kind, text = self.take()
        if kind == "quoted":
            return text[1:-1].replace('""', '"')
        if kind == "word":
            return text
        raise _syntax(text)

    def value(self) -> dict[str, Any]:
        kind, text = self.take()
        if text == "?":
            if not self.parameters:
                raise validation("Number of parameters in request and statement don't match.")
            return dict(self.parameters.pop(0))
        if kind == "string":
            return {"S": text[1:-1].replace("''", "'")}
        if kind == "number":
            return {"N": text}
        if kind == "word" and text.lower() in ("true", "false"):
            return {"BOOL": text.lower() == "true"}
        if kind == "word" and text.lower() == "null":
            return {"NULL": True}
        if text == "[":
            return {"L": self._sequence("]")}
        if text == "<<":
            members = self._sequence(">>")
            kinds = {next(iter(m)) for m in members}
            if len(kinds) != 1 or not kinds <= {"S", "N", "B"}:
                raise validation("Unsupported set element type")
            kind_name = kinds.pop()
            return {kind_name + "S": [m[kind_name] for m in members]}
        if text == "{":
            fields: dict[str, Any] = {}
            while self.peek()[1] != "}":
                key_kind, key = self.take()
                if key_kind != "string":
                    raise _syntax(key)
                self.expect(":")
                fields[key[1:-1]] = self.value()
                if self.peek()[1] == ",":
                    self.take()
            self.take()
            return {"M": fields}
        raise _syntax(text)

    def _sequence(self, end: str) -> list[Any]:
        members = []
        while self.peek()[1] != end:
            members.append(self.value())
            if self.peek()[1] == ",":
                self.take()
        self.take()
        return members

    def placeholder(self, value: dict[str, Any]) -> str:
        name = f":p{len(self.values)}"
        self.values[name] = value
        return name

    def name(self, text: str) -> str:
        name = f"#n{len(self.names)}"
        self.names[name] = text
        return name

    def condition_text(self, stop: tuple[str, ...] = ()) -> str:
        """The rest of the statement (up to a stop keyword) as a condition expression."""
        parts: list[str] = []
        while self.position < len(self.tokens):
            kind, text = self.peek()
            if kind == "word" and text.upper() in stop:
                break
            if kind == "quoted" or (kind == "word" and text.upper() not in _KEYWORDS):
                self.take()
                parts.append(self.name(text[1:-1] if kind == "quoted" else text))
            elif (
                kind in ("string", "number")
                or text in ("?", "[", "{", "<<")
                or (kind == "word" and text.lower() in ("true", "false", "null"))
            ):
                parts.append(self.placeholder(self.value()))
            else:
                self.take()
                parts.append("<>" if text == "!=" else text)
        return " ".join(parts)


_KEYWORDS = {"AND", "OR", "NOT", "BETWEEN", "IN", "TRUE", "FALSE", "NULL", "MISSING"}
_FUNCTIONS = ("ATTRIBUTE_EXISTS", "ATTRIBUTE_NOT_EXISTS", "BEGINS_WITH", "CONTAINS", "SIZE")
_KEYWORDS |= set(_FUNCTIONS)


def _syntax(token: str) -> ServiceError:
    return validation(
        f"Statement wasn't well formed, can't be processed: unexpected token {token!r}"
    )


def _where(statement: _Statement) -> str | None:
    if not statement.keyword("WHERE"):
        return None
    return statement.condition_text()


def _key_from_where(
    db: Database,
    table_name: str,
    account: str,
    region: str,
    statement: _Statement,
    where: str | None,
) -> dict[str, Any]:
    table = db.catalog.get(account, region, table_name)
    key: dict[str, Any] = {}
    for part in (where or "").split(" AND "):
        match = re.fullmatch(r"\s*(#n\d+)\s*=\s*(:p\d+)\s*", part)
        if match and statement.names.get(match.group(1)) in table.key_names:
            key[statement.names[match.group(1)]] = statement.values[match.group(2)]
    if set(key) != set(table.key_names):
        raise validation("Where clause does not contain a mandatory equality on all key attributes")
    return key


def _request(statement: _Statement, **members: Any) -> dict[str, Any]:
    request = {k: v for k, v in members.items() if v}
    used = " ".join(str(v) for v in members.values() if isinstance(v, str))
    names = {k: v for k, v in statement.names.items() if k in used}
    values = {k: v for k, v in statement.values.items() if k in used}
    if names:
        request["ExpressionAttributeNames"] = names
    if values:
        request["ExpressionAttributeValues"] = values
    return request


def _check_index(table: Table, name: str, consistent: bool) -> None:
    """A SELECT from `"table"."index"`, in ExecuteStatement's own words (index first)."""
    index = table.indexes.get(name)
    if index is None:
        raise validation("The table does not have the specified index")
    if consistent and not index.local:
        raise validation("Strongly consistent read is not supported on Global Secondary Indexes")


def _run(
    db: Database,
    account: str,
    region: str,
    text: str,
    parameters: list[Any],
    limit: int | None = None,
    token: dict[str, Any] | None = None,
    consistent: bool = False,
) -> dict[str, Any]:
    statement = _Statement(text, parameters)
    if statement.keyword("SELECT"):
        projection: list[str] = []
        if statement.peek()[1] == "*":
            statement.take()
        else:
            while True:
                projection.append(statement.name(statement.identifier()))
                if statement.peek()[1] != ",":
                    break
                statement.take()
        if not statement.keyword("FROM"):
            raise _syntax(statement.peek()[1])
        table_name = statement.identifier()
        index = None
        if statement.peek()[1] == ".":
            statement.take()
            index = statement.identifier()
        if index is not None:
            _check_index(db.catalog.get(account, region, table_name), index, consistent)
        where = _where(statement)
        request = _request(
            statement,
            TableName=table_name,
            IndexName=index,
            FilterExpression=where,
            ProjectionExpression=", ".join(projection) or None,
        )
        if limit:
            request["Limit"] = limit
        if token:
            request["ExclusiveStartKey"] = token
        if consistent:
            request["ConsistentRead"] = True
        result = query.scan(db, account, region, request)
        answer: dict[str, Any] = {"Items": result.get("Items", [])}
        if "LastEvaluatedKey" in result:
            answer["LastEvaluatedKey"] = result["LastEvaluatedKey"]
        return answer
    if statement.keyword("INSERT"):
        statement.expect("INTO")
        table_name = statement.identifier()
        statement.expect("VALUE")
        item = statement.value()
        if "M" not in item:
            raise _syntax("VALUE")
        table = db.catalog.get(account, region, table_name)
        try:
            db.write_one(
                "Put",
                account,
                region,
                {
                    "TableName": table_name,
                    "Item": item["M"],
                    "ConditionExpression": "attribute_not_exists(#k)",
                    "ExpressionAttributeNames": {"#k": table.hash.name},
                },
            )
        except ServiceError as error:
            if error.code == "ConditionalCheckFailedException":
                raise ServiceError(
                    "Duplicate primary key exists in table", code="DuplicateItemException"
                ) from error
            raise
        return {}
    if statement.keyword("UPDATE"):
        table_name = statement.identifier()
        sets: list[str] = []
        removes: list[str] = []
        mode = ""
        while True:
            if statement.keyword("SET"):
                mode = "SET"
            elif statement.keyword("REMOVE"):
                mode = "REMOVE"
            elif mode and statement.peek()[1] == ",":
                statement.take()
            else:
                break
            target = statement.name(statement.identifier())
            if mode == "SET":
                statement.expect("=")
                sets.append(f"{target} = {statement.placeholder(statement.value())}")
            else:
                removes.append(target)
        where = _where(statement)
        key = _key_from_where(db, table_name, account, region, statement, where)
        update = " ".join(
            part
            for part in (
                "SET " + ", ".join(sets) if sets else "",
                "REMOVE " + ", ".join(removes) if removes else "",
            )
            if part
        )
        request = _request(
            statement, TableName=table_name, UpdateExpression=update, ConditionExpression=where
        )
        request["Key"] = key
        db.write_one("Update", account, region, request)
        return {}
    if statement.keyword("DELETE"):
        statement.expect("FROM")
        table_name = statement.identifier()
        where = _where(statement)
        key = _key_from_where(db, table_name, account, region, statement, where)
        request = _request(statement, TableName=table_name, ConditionExpression=where)
        request["Key"] = key
        db.write_one("Delete", account, region, request)
        return {}
    raise _syntax(statement.peek()[1])


def execute(db: Database, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
    """ExecuteStatement."""
    token = request.get("NextToken")
    start = None
    if token:
        try:
            start = loads(b64decode(token.encode(), validate=True).decode())
        except (ValueError, AttributeError) as exc:
            raise validation("Invalid NextToken") from exc
        if not isinstance(start, dict):
            raise validation("Invalid NextToken")
    result = _run(
        db,
        account,
        region,
        request["Statement"],
        request.get("Parameters") or [],
        request.get("Limit"),
        start,
        bool(request.get("ConsistentRead")),
    )
    answer: dict[str, Any] = {}
    if "Items" in result:
        answer["Items"] = result["Items"]
    if "LastEvaluatedKey" in result:
        answer["NextToken"] = b64encode(dumps(result["LastEvaluatedKey"]).encode()).decode()
        answer["LastEvaluatedKey"] = result["LastEvaluatedKey"]
    return answer


def batch(db: Database, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
    """BatchExecuteStatement: each statement answers on its own."""
    responses: list[dict[str, Any]] = []
    for entry in request["Statements"]:
        try:
            result = _run(
                db,
                account,
                region,
                entry["Statement"],
                entry.get("Parameters") or [],
                consistent=bool(entry.get("ConsistentRead")),
            )
            item = (result.get("Items") or [None])[0]
            responses.append({"Item": item} if item else {})
        except ServiceError as error:
            code = error.code.removesuffix("Exception")
            responses.append({"Error": {"Code": code, "Message": error.message}})
    return {"Responses": responses}


def transaction(
    db: Database, tx: Transactions, account: str, region: str, request: dict[str, Any]
) -> dict[str, Any]:
    """ExecuteTransaction: every statement in one SQLite transaction, all or nothing."""
    responses: list[dict[str, Any]] = []
    statements = request["TransactStatements"]
    try:
        with db.store.atomic():
            for entry in statements:
                result = _run(
                    db, account, region, entry["Statement"], entry.get("Parameters") or []
                )
                item = (result.get("Items") or [None])[0]
                responses.append({"Item": item} if item else {})
    except ServiceError as error:
        if error.code not in ("ConditionalCheckFailedException", "DuplicateItemException"):
            raise
        reasons = [{"Code": "None"}] * len(responses)
        reasons.append({"Code": error.code.removesuffix("Exception"), "Message": error.message})
        reasons += [{"Code": "None"}] * (len(statements) - len(reasons))
        codes = ", ".join(reason["Code"] for reason in reasons)
        raise ServiceError(
            "Transaction cancelled, please refer cancellation reasons for specific reasons "
            f"[{codes}]",
            code="TransactionCanceledException",
            fields={"CancellationReasons": reasons},
        ) from error
    return {"Responses": responses}
