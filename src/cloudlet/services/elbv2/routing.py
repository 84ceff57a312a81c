"""A listener's rules compiled into one routing function.

Rules are tried by priority, the default rule last; a rule applies when every condition matches,
and a condition when any of its values does:

    path-pattern         the path (no query), `*` and `?` wildcards, case-sensitive
    host-header          the Host header without its port, wildcards, case-insensitive
    http-request-method  exact method names
    http-header          the named header, wildcards, case-insensitive
    query-string         key/value pairs of the query, wildcards
    source-ip            the client's address in one of the CIDR blocks

The first forward, fixed-response or redirect action is what happens. Forward actions with
several weighted target groups send each group its share in turn.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cloudlet.services.elbv2.proxy import Decision, Request
from cloudlet.services.elbv2.targets import Group

Matcher = Callable[[Request, str], bool]


@lru_cache(maxsize=1024)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    text = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(text, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def _any(patterns: list[str], value: str | None, ignore_case: bool) -> bool:
    if value is None:
        return False
    return any(_wildcard(p, ignore_case).fullmatch(value) for p in patterns)


def _condition(condition: dict[str, Any]) -> Matcher:
    field = condition.get("Field", "")
    values = list(condition.get("Values") or [])
    if field == "path-pattern":
        patterns = (condition.get("PathPatternConfig") or {}).get("Values") or values
        return lambda r, _: _any(patterns, urlsplit(r.url).path or "/", False)
    if field == "host-header":
        hosts = (condition.get("HostHeaderConfig") or {}).get("Values") or values
        return lambda r, _: _any(hosts, (r.header(b"host") or "").rsplit(":", 1)[0], True)
    if field == "http-request-method":
        methods = set((condition.get("HttpRequestMethodConfig") or {}).get("Values") or [])
        return lambda r, _: r.method in methods
    if field == "http-header":
        config = condition.get("HttpHeaderConfig") or {}
        name = config.get("HttpHeaderName", "").lower().encode()
        expected = config.get("Values") or []
        return lambda r, _: _any(expected, r.header(name), True)
    if field == "query-string":
        pairs = (condition.get("QueryStringConfig") or {}).get("Values") or []

        def query(r: Request, _: str) -> bool:
            found = parse_qsl(urlsplit(r.url).query, keep_blank_values=True)
            return any(
                (p.get("Key") is None or _any([p["Key"]], k, True)) and _any([p["Value"]], v, True)
                for p in pairs
                for k, v in found
            )

        return query
    if field == "source-ip":
        blocks = [
            ipaddress.ip_network(c, strict=False)
            for c in (condition.get("SourceIpConfig") or {}).get("Values") or []
        ]
        return lambda _, peer: (
            bool(peer) and any(ipaddress.ip_address(peer) in block for block in blocks)
        )
    return lambda r, _: False


def _redirect(config: dict[str, Any], request: Request, port: int) -> Decision:
    url = urlsplit(request.url)
    host = (request.header(b"host") or "").rsplit(":", 1)[0]
    values = {
        "#{protocol}": "http",
        "#{host}": host,
        "#{port}": str(port),
        "#{path}": url.path.lstrip("/"),
        "#{query}": url.query,
    }

    def fill(text: str) -> str:
        for key, value in values.items():
            text = text.replace(key, value)
        return text

    protocol = fill(config.get("Protocol", "#{protocol}")).lower()
    target_port = fill(config.get("Port", "#{port}"))
    target_host = fill(config.get("Host", "#{host}"))
    path = fill(config.get("Path", "/#{path}"))
    query = fill(config.get("Query", "#{query}"))
    default = {"http": "80", "https": "443"}.get(protocol)
    netloc = target_host if target_port == default else f"{target_host}:{target_port}"
    location = f"{protocol}://{netloc}{path}" + (f"?{query}" if query else "")
    status = 301 if config.get("StatusCode") == "HTTP_301" else 302
    return ("redirect", (status, location))


def compile_rules(
    rules: list[dict[str, Any]], groups: Callable[[str], Group | None], port: int
) -> Callable[[Request, str], Decision | None]:
    """The routing function of a listener's rules (default rule included)."""
    compiled = []
    ordered = sorted(
        rules,
        key=lambda r: (1, 0) if r.get("IsDefault") else (0, int(r.get("Priority") or 0)),
    )
    for rule in ordered:
        matchers = [_condition(c) for c in rule.get("Conditions") or []]
        actions = sorted(
            rule.get("Actions") or [],
            key=lambda a: a.get("Order", 0),
        )
        action = next(
            (a for a in actions if a["Type"] in ("forward", "fixed-response", "redirect")), None
        )
        if action is not None:
            compiled.append((matchers, _decide(action, groups, port)))

    def route(request: Request, peer: str) -> Decision | None:
        for matchers, decide in compiled:
            if all(m(request, peer) for m in matchers):
                return decide(request)
        return None

    return route


def _decide(
    action: dict[str, Any], groups: Callable[[str], Group | None], port: int
) -> Callable[[Request], Decision | None]:
    kind = action["Type"]
    if kind == "fixed-response":
        config = action.get("FixedResponseConfig") or {}
        answer = (
            int(config.get("StatusCode", "200")),
            config.get("ContentType") or "text/plain",
            config.get("MessageBody") or "",
        )
        return lambda _: ("fixed", answer)
    if kind == "redirect":
        config = action.get("RedirectConfig") or {}
        return lambda request: _redirect(config, request, port)
    weighted = [
        (t["TargetGroupArn"], int(t.get("Weight", 1)))
        for t in (action.get("ForwardConfig") or {}).get("TargetGroups") or []
    ]
    if not weighted and action.get("TargetGroupArn"):
        weighted = [(action["TargetGroupArn"], 1)]
    turns = [arn for arn, weight in weighted for _ in range(max(0, weight))] or [
        arn for arn, _ in weighted
    ]
    state = {"turn": 0}

    def forward(_: Request) -> Decision | None:
        if not turns:
            return None
        state["turn"] = (state["turn"] + 1) % len(turns)
        group = groups(turns[state["turn"]])
        return ("forward", group) if group is not None else None

    return forward
