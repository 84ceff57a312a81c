"""Function URLs: an HTTP endpoint per URL config, invoking the function with AWS's event format.

Each URL config gets its own loopback listener (`FunctionUrl` = `http://127.0.0.1:<port>/`), kept
across restarts (the port is stored with the config and listened on again at start). A request
becomes a payload-format-2.0 event (`version`, `rawPath`, `rawQueryString`, `headers`, `cookies`,
`queryStringParameters`, `requestContext.http`, `body` + `isBase64Encoded`), runs like a
synchronous invoke (same concurrency limits), and the result is turned back into HTTP as AWS
does: a `{"statusCode", "headers", "body", "isBase64Encoded", "cookies"}` object is used as is,
anything else is a 200 with the JSON as body. A function error is a 502; a throttle a 429;
`AuthType: AWS_IAM` without a SigV4 Authorization header is a 403.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qsl

from cloudlet.errors import ServiceError
from cloudlet.http import HttpRequest, HttpResponse
from cloudlet.services.lambda_.models import conflict, error, function_arn, iso_timestamp

if TYPE_CHECKING:
    from cloudlet.gateway.app import Gateway
    from cloudlet.gateway.server import HttpServer
    from cloudlet.services.lambda_.provider import LambdaProvider

log = logging.getLogger(__name__)
_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript",
               "application/x-www-form-urlencoded")  # fmt: skip


def _json(status: int, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse(status, {"Content-Type": "application/json"}, json.dumps(body).encode())


class UrlEndpoint:
    """One function URL's listener (HttpServer calls `handle`)."""

    def __init__(
        self, provider: LambdaProvider, account: str, region: str, name: str, qualifier: str
    ) -> None:
        self.provider = provider
        self.account, self.region, self.name, self.qualifier = account, region, name, qualifier
        self.server: HttpServer | None = None

    async def listen(self, port: int) -> int:
        from cloudlet.gateway.server import HttpServer

        self.server = HttpServer(cast("Gateway", self), "127.0.0.1", port)
        await self.server.start()
        return self.server.port

    async def close(self) -> None:
        if self.server is not None:
            await self.server.stop(grace=0)
            self.server = None

    def error_response(self, request: HttpRequest, error: ServiceError, *args: Any) -> HttpResponse:
        return _json(413, {"Message": "Request must be smaller than 6291456 bytes"})

    async def handle(self, request: HttpRequest) -> HttpResponse:
        from cloudlet.services.lambda_ import invoke

        record = self.provider.functions.find(self.account, self.region, self.name)
        url = record["urls"].get(self.qualifier) if record else None
        if record is None or url is None:
            return _json(404, {"Message": None})
        if url["AuthType"] == "AWS_IAM" and "AWS4-HMAC-SHA256" not in request.headers.get(
            "authorization", ""
        ):
            return _json(403, {"Message": "Forbidden"})
        event = self.event(request, url)
        qualifier = None if self.qualifier == "$LATEST" else self.qualifier
        try:
            result, _ = await invoke.run(
                self.provider,
                self.account,
                self.region,
                record,
                qualifier,
                json.dumps(event).encode(),
            )
        except ServiceError as failure:
            if failure.code == "TooManyRequestsException":
                return _json(429, {"Message": "Rate Exceeded."})
            return _json(502, {"Message": "Internal Server Error"})
        if result.outcome.error_type is not None:
            return HttpResponse(
                502, {"Content-Type": "application/json"}, b'{"Message":"Internal Server Error"}'
            )
        return _cors(response_from(result.outcome.payload), url.get("Cors"), request)

    def event(self, request: HttpRequest, url: dict[str, Any]) -> dict[str, Any]:
        headers = {k: v for k, v in request.headers.items() if k != "cookie"}
        query: dict[str, list[str]] = {}
        for key, value in parse_qsl(request.query_string, keep_blank_values=True):
            query.setdefault(key, []).append(value)
        now = datetime.now(UTC)
        url_id = url["_id"]
        body: str | None = None
        encoded = False
        if request.body:
            content_type = request.content_type
            try:
                text = request.body.decode()
            except UnicodeDecodeError:
                text = None
            if text is not None and (not content_type or content_type.startswith(_TEXT_TYPES)):
                body = text
            else:
                body, encoded = base64.b64encode(request.body).decode(), True
        event: dict[str, Any] = {
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": request.path,
            "rawQueryString": request.query_string,
            "headers": headers,
            "requestContext": {
                "accountId": "anonymous" if url["AuthType"] == "NONE" else self.account,
                "apiId": url_id,
                "domainName": f"{url_id}.lambda-url.{self.region}.on.aws",
                "domainPrefix": url_id,
                "http": {
                    "method": request.method,
                    "path": request.path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": "127.0.0.1",
                    "userAgent": request.headers.get("user-agent", ""),
                },
                "requestId": str(uuid.uuid4()),
                "routeKey": "$default",
                "stage": "$default",
                "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "timeEpoch": int(now.timestamp() * 1000),
            },
            "isBase64Encoded": encoded,
        }
        if "cookie" in request.headers:
            event["cookies"] = [c.strip() for c in request.headers["cookie"].split(";")]
        if query:
            event["queryStringParameters"] = {k: ",".join(v) for k, v in query.items()}
        if body is not None:
            event["body"] = body
        return event


def response_from(payload: bytes) -> HttpResponse:
    """AWS's interpretation of a function URL's result."""
    try:
        result = json.loads(payload)
    except ValueError:
        return HttpResponse(200, {"Content-Type": "application/json"}, payload)
    if not isinstance(result, dict) or "statusCode" not in result:
        return HttpResponse(200, {"Content-Type": "application/json"}, payload)
    headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
    body = result.get("body", "")
    if not isinstance(body, str):
        body = json.dumps(body)
    data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    headers.setdefault("Content-Type", "application/json")
    for cookie in result.get("cookies") or []:
        headers["Set-Cookie"] = cookie  # one header line each is not expressible here; last wins
    return HttpResponse(int(result["statusCode"]), headers, data)


def _cors(
    response: HttpResponse, cors: dict[str, Any] | None, request: HttpRequest
) -> HttpResponse:
    if not cors:
        return response
    origins = cors.get("AllowOrigins") or []
    origin = request.headers.get("origin")
    if origin and ("*" in origins or origin in origins):
        response.headers["Access-Control-Allow-Origin"] = "*" if "*" in origins else origin
        if cors.get("AllowCredentials"):
            response.headers["Access-Control-Allow-Credentials"] = "true"
        if cors.get("ExposeHeaders"):
            response.headers["Access-Control-Expose-Headers"] = ",".join(cors["ExposeHeaders"])
    return response


class Urls:
    """Function URL configs and their listeners."""

    def __init__(self, provider: LambdaProvider) -> None:
        self.provider = provider
        self._endpoints: dict[tuple[str, str, str, str], UrlEndpoint] = {}

    async def start(self) -> None:
        """Listen again for every URL config that exists."""
        rows = self.provider.platform.store.query(
            "SELECT account, region, body FROM documents"
            " WHERE service = 'lambda' AND kind = 'function'"
        )
        for row in rows:
            record = json.loads(row["body"])
            for qualifier, url in record.get("urls", {}).items():
                try:
                    await self._listen(
                        row["account"],
                        row["region"],
                        record["latest"]["FunctionName"],
                        qualifier,
                        url["_port"],
                    )
                except OSError:
                    log.warning(
                        "could not listen again on port %s for a function URL", url["_port"]
                    )

    async def stop(self) -> None:
        endpoints, self._endpoints = list(self._endpoints.values()), {}
        for endpoint in endpoints:
            await endpoint.close()

    async def _listen(self, account: str, region: str, name: str, qualifier: str, port: int) -> int:
        endpoint = UrlEndpoint(self.provider, account, region, name, qualifier)
        port = await endpoint.listen(port)
        self._endpoints[(account, region, name, qualifier)] = endpoint
        return port

    async def create(
        self,
        account: str,
        region: str,
        record: dict[str, Any],
        qualifier: str | None,
        request: dict[str, Any],
    ) -> dict[str, Any]:
        name = record["latest"]["FunctionName"]
        qualifier = _check_qualifier(record, qualifier, account, region)
        if qualifier in record["urls"]:
            raise conflict(
                "Failed to create function url config for [functionArn = "
                f"{function_arn(region, account, name, _arn_qualifier(qualifier))}]. Error message:"
                "  FunctionUrlConfig exists for this Lambda function"
            )
        port = await self._listen(account, region, name, qualifier, 0)
        now = iso_timestamp()
        url = {
            "FunctionUrl": f"http://127.0.0.1:{port}/",
            "AuthType": request["AuthType"],
            "InvokeMode": request.get("InvokeMode") or "BUFFERED",
            "CreationTime": now,
            "LastModifiedTime": now,
            "_id": secrets.token_hex(16),
            "_port": port,
        }
        if request.get("Cors"):
            url["Cors"] = request["Cors"]
        record["urls"][qualifier] = url
        self.provider.functions.save(account, region, record)
        result = self.public(account, region, record, qualifier)
        result.pop("LastModifiedTime", None)
        return result

    def public(
        self, account: str, region: str, record: dict[str, Any], qualifier: str
    ) -> dict[str, Any]:
        url = record["urls"].get(qualifier)
        name = record["latest"]["FunctionName"]
        if url is None:
            raise error("ResourceNotFoundException", "The resource you requested does not exist.")
        arn = function_arn(region, account, name, _arn_qualifier(qualifier))
        return {"FunctionArn": arn, **{k: v for k, v in url.items() if not k.startswith("_")}}

    def update(
        self,
        account: str,
        region: str,
        record: dict[str, Any],
        qualifier: str | None,
        request: dict[str, Any],
    ) -> dict[str, Any]:
        qualifier = _check_qualifier(record, qualifier, account, region)
        self.public(account, region, record, qualifier)
        url = record["urls"][qualifier]
        for key in ("AuthType", "Cors", "InvokeMode"):
            if key in request:
                url[key] = request[key]
        url["LastModifiedTime"] = iso_timestamp()
        self.provider.functions.save(account, region, record)
        return self.public(account, region, record, qualifier)

    async def delete(
        self, account: str, region: str, record: dict[str, Any], qualifier: str | None
    ) -> None:
        qualifier = _check_qualifier(record, qualifier, account, region)
        self.public(account, region, record, qualifier)
        del record["urls"][qualifier]
        self.provider.functions.save(account, region, record)
        endpoint = self._endpoints.pop(
            (account, region, record["latest"]["FunctionName"], qualifier), None
        )
        if endpoint is not None:
            await endpoint.close()

    async def function_deleted(self, account: str, region: str, name: str) -> None:
        for key in [k for k in self._endpoints if k[:3] == (account, region, name)]:
            await self._endpoints.pop(key).close()


def _arn_qualifier(qualifier: str) -> str | None:
    return None if qualifier == "$LATEST" else qualifier


def _check_qualifier(
    record: dict[str, Any], qualifier: str | None, account: str, region: str
) -> str:
    if qualifier in (None, "$LATEST"):
        return "$LATEST"
    assert qualifier is not None
    if qualifier in record["aliases"]:
        return qualifier
    if qualifier.isdigit():
        raise error(
            "ValidationException",
            "1 validation error detected: Value '"
            + qualifier
            + "' at 'qualifier' failed to satisfy constraint: Member must satisfy regular"
            " expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)",
        )
    name = record["latest"]["FunctionName"]
    raise error(
        "ResourceNotFoundException",
        f"Function not found: {function_arn(region, account, name, qualifier)}",
    )
