"""The instance metadata service (IMDS) of one instance, on its own loopback address.

Each running instance gets a listener at `http://<private ip>:<port>/`, handed to its processes as
`AWS_EC2_METADATA_SERVICE_ENDPOINT` (the variable every AWS SDK and the CLI read), so SDK code
finds its instance id, region and role credentials exactly as on EC2:

    PUT /latest/api/token                      IMDSv2 session token (X-aws-ec2-metadata-token-ttl-
                                               seconds: 1-21600)
    GET /latest/meta-data/...                  instance-id, ami-id, instance-type, local-ipv4,
                                               placement/*, security-groups, iam/*, ...
    GET /latest/user-data                      the raw user data (404 without)
    GET /latest/dynamic/instance-identity/document

With `HttpTokens: required` a GET without a valid token answers 401, as IMDSv2 does; with
`HttpEndpoint: disabled` nothing answers (403). Role credentials come from the instance profile's
role: temporary keys cloudlet registers as `assumed-role/<role>/<instance id>` in the account,
renewed before they expire.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import secrets
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cloudlet.platform.credentials import Principal

TOKEN_TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds"
TOKEN_HEADER = "x-aws-ec2-metadata-token"
CREDENTIAL_SECONDS = 6 * 3600
"""How long role credentials are valid (AWS: about six hours, renewed well before)."""

MetadataSource = Callable[[], dict[str, Any]]
"""Answers the instance's current document (it changes with tags, stop/start, ...)."""


def _stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class MetadataService:
    """One instance's IMDS: the listener, its tokens and its role credentials."""

    def __init__(
        self,
        source: MetadataSource,
        account: str,
        region: str,
        role: Callable[[], tuple[str, str] | None],
        register: Callable[[str, Principal, float], None],
    ) -> None:
        self.source = source
        self.account = account
        self.region = region
        self.role = role
        """(role name, role id) of the instance profile's role, looked up when asked; or None."""
        self.register = register
        self.server: asyncio.Server | None = None
        self.endpoint = ""
        self._tokens: dict[str, float] = {}
        self._credentials: dict[str, Any] | None = None

    async def start(self, host: str) -> str:
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(lambda: _Http(self), host, 0)
        port = self.server.sockets[0].getsockname()[1]
        self.endpoint = f"http://{host}:{port}/"
        return self.endpoint

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None

    # requests

    def handle(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, str, str]:
        """(status, content type, body) for one request."""
        instance = self.source()
        options = instance.get("MetadataOptions") or {}
        if options.get("HttpEndpoint") == "disabled":
            return 403, "text/plain", "Forbidden"
        path = re.sub("/+", "/", path.split("?", 1)[0])  # `$ENDPOINT/latest/...` has two
        if path == "/latest/api/token":
            if method != "PUT":
                return 405, "text/plain", "Method Not Allowed"
            return self._token(headers)
        if method not in ("GET", "HEAD"):
            return 405, "text/plain", "Method Not Allowed"
        token = headers.get(TOKEN_HEADER)
        if token is not None and self._tokens.get(token, 0) < time.time():
            return 401, "text/plain", "Unauthorized"
        if token is None and options.get("HttpTokens") == "required":
            return 401, "text/plain", "Unauthorized"
        if path in ("/", "/latest", "/latest/"):
            return 200, "text/plain", "dynamic\nmeta-data\nuser-data"
        if path == "/latest/user-data":
            data = base64.b64decode(instance.get("_user_data") or "")
            if not data:
                return 404, "text/plain", "Not Found"
            return 200, "application/octet-stream", data.decode("utf-8", "surrogateescape")
        if path.rstrip("/") == "/latest/dynamic/instance-identity/document":
            return 200, "text/plain", json.dumps(self._identity(instance), indent=2)
        if path.startswith("/latest/meta-data"):
            return self._meta(instance, path[len("/latest/meta-data") :].strip("/"))
        return 404, "text/plain", "Not Found"

    def _token(self, headers: dict[str, str]) -> tuple[int, str, str]:
        try:
            ttl = int(headers.get(TOKEN_TTL_HEADER, ""))
        except ValueError:
            return 400, "text/plain", "Bad Request"
        if not 1 <= ttl <= 21600:
            return 400, "text/plain", "Bad Request"
        token = secrets.token_urlsafe(40)
        now = time.time()
        self._tokens = {t: end for t, end in self._tokens.items() if end > now}
        self._tokens[token] = now + ttl
        return 200, "text/plain", token

    def _identity(self, instance: dict[str, Any]) -> dict[str, Any]:
        return {
            "accountId": self.account,
            "architecture": instance.get("Architecture", "x86_64"),
            "availabilityZone": instance["Placement"]["AvailabilityZone"],
            "billingProducts": None,
            "devpayProductCodes": None,
            "marketplaceProductCodes": None,
            "imageId": instance["ImageId"],
            "instanceId": instance["InstanceId"],
            "instanceType": instance["InstanceType"],
            "kernelId": None,
            "pendingTime": _stamp(instance["_launch"]),
            "privateIp": instance["PrivateIpAddress"],
            "ramdiskId": None,
            "region": self.region,
            "version": "2017-09-30",
        }

    def _meta(self, instance: dict[str, Any], key: str) -> tuple[int, str, str]:
        tree = self._tree(instance)
        node: Any = tree
        for part in [p for p in key.split("/") if p]:
            if not isinstance(node, dict) or part not in node:
                return 404, "text/plain", "Not Found"
            node = node[part]
        if callable(node):
            node = node()
            if node is None:
                return 404, "text/plain", "Not Found"
        if isinstance(node, dict):
            names = [f"{k}/" if isinstance(v, dict) else k for k, v in node.items()]
            return 200, "text/plain", "\n".join(names)
        return 200, "text/plain", str(node)

    def _tree(self, instance: dict[str, Any]) -> dict[str, Any]:
        zone = instance["Placement"]["AvailabilityZone"]
        ip = instance["PrivateIpAddress"]
        host = instance["PrivateDnsName"]
        mac = instance["_mac"]
        tree: dict[str, Any] = {
            "ami-id": instance["ImageId"],
            "ami-launch-index": str(instance.get("AmiLaunchIndex", 0)),
            "ami-manifest-path": "(unknown)",
            "hostname": host,
            "instance-action": "none",
            "instance-id": instance["InstanceId"],
            "instance-life-cycle": "on-demand",
            "instance-type": instance["InstanceType"],
            "local-hostname": host,
            "local-ipv4": ip,
            "mac": mac,
            "placement": {
                "availability-zone": zone,
                "availability-zone-id": instance["_zone_id"],
                "region": self.region,
            },
            "reservation-id": instance["_reservation"],
            "security-groups": "\n".join(g["GroupName"] for g in instance["SecurityGroups"]),
            "network": {
                "interfaces": {
                    "macs": {
                        mac: {
                            "local-ipv4s": ip,
                            "subnet-id": instance["SubnetId"],
                            "vpc-id": instance["VpcId"],
                        }
                    }
                }
            },
        }
        if instance.get("KeyName") and instance.get("_public_key"):
            tree["public-keys"] = {"0": {"openssh-key": instance["_public_key"]}}
        options = instance.get("MetadataOptions") or {}
        if options.get("InstanceMetadataTags") == "enabled":
            tree["tags"] = {"instance": {t["Key"]: t["Value"] for t in instance["Tags"]}}
        if instance.get("IamInstanceProfile"):
            role = self.role()
            if role is not None:
                name = role[0]
                tree["iam"] = {
                    "info": lambda: json.dumps(
                        {
                            "Code": "Success",
                            "LastUpdated": _stamp(time.time()),
                            "InstanceProfileArn": instance["IamInstanceProfile"]["Arn"],
                            "InstanceProfileId": instance["IamInstanceProfile"]["Id"],
                        },
                        indent=2,
                    ),
                    "security-credentials": {name: lambda: self._role_credentials(instance)},
                }
        return tree

    def _role_credentials(self, instance: dict[str, Any]) -> str | None:
        role = self.role()
        if role is None:
            return None
        now = time.time()
        current = self._credentials
        if current is None or current["role"] != role[0] or current["expires"] - now < 900:
            key_id = "ASIA" + secrets.token_hex(8).upper()
            expires = now + CREDENTIAL_SECONDS
            name, role_id = role
            principal = Principal(
                self.account,
                f"arn:aws:sts::{self.account}:assumed-role/{name}/{instance['InstanceId']}",
                f"{role_id}:{instance['InstanceId']}",
            )
            self.register(key_id, principal, expires)
            current = self._credentials = {
                "role": name,
                "expires": expires,
                "issued": now,
                "AccessKeyId": key_id,
                "SecretAccessKey": secrets.token_urlsafe(30),
                "Token": secrets.token_urlsafe(96),
            }
        return json.dumps(
            {
                "Code": "Success",
                "LastUpdated": _stamp(current["issued"]),
                "Type": "AWS-HMAC",
                "AccessKeyId": current["AccessKeyId"],
                "SecretAccessKey": current["SecretAccessKey"],
                "Token": current["Token"],
                "Expiration": _stamp(current["expires"]),
            },
            indent=2,
        )


_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
}


class _Http(asyncio.Protocol):
    """A minimal HTTP/1.1 server: small requests, keep-alive, one write per response."""

    def __init__(self, service: MetadataService) -> None:
        self.service = service
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's are not subclasses
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > 65536:
            self._write(400, "text/plain", "Bad Request", True)
            return
        while self.transport is not None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = self.buffer[:end].decode("latin-1").split("\r\n")
            headers: dict[str, str] = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length") or 0)
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            parts = lines[0].split(" ")
            if len(parts) != 3:
                self._write(400, "text/plain", "Bad Request", True)
                return
            method, path, version = parts
            status, kind, body = self.service.handle(method, path, headers)
            close = headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
            self._write(status, kind, body if method != "HEAD" else "", close)

    def _write(self, status: int, kind: str, body: str, close: bool) -> None:
        assert self.transport is not None
        payload = body.encode("utf-8", "surrogateescape")
        head = (
            f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}\r\nContent-Type: {kind}\r\n"
            f"Content-Length: {len(payload)}\r\nServer: EC2ws\r\n"
            f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n"
        )
        self.transport.write(head.encode() + payload)
        if close:
            self.transport.close()
            self.transport = None
