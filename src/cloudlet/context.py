"""What a provider knows about the request it serves."""

from __future__ import annotations

from dataclasses import dataclass

from cloudlet.http import HttpRequest


@dataclass(slots=True)
class RequestContext:
    """The caller's identity and the request being served."""

    account: str
    """12-digit account id: the access key id when it is 12 digits, else the configured default."""
    region: str
    """From the SigV4 credential scope, else the configured default."""
    service: str
    """botocore service name (`logs`, `sts`, `lambda`, ...)."""
    operation: str
    """botocore operation name (`GetCallerIdentity`, ...)."""
    request_id: str
    access_key_id: str = ""
    request: HttpRequest | None = None
    """The raw request; None when one service calls another through the internal client."""
