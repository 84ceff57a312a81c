"""STS's domain: temporary credentials and the principals they act as.

`Session` is one set of temporary credentials (`ASIA…` key, secret, session token, expiry). It is
registered in `platform.credentials`, which is how the gateway learns that a request signed with the
key acts in the role's account: that table is the only state STS has.

What AWS checks and cloudlet does too: the shape of the role ARN and session name, the duration
bounds (900 s up to the role's `MaxSessionDuration`, one hour for role chaining and for the root
user's `GetSessionToken`). What cloudlet does not check: trust policies, and whether the role exists
(an ARN of a role that IAM does not know is accepted, with a stable `AROA…` id derived from the ARN,
so tests can assume roles in accounts they never set up).
"""

from __future__ import annotations

import base64
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cloudlet.errors import ServiceError
from cloudlet.platform.credentials import Credentials, Principal
from cloudlet.services.iam.identity import new_access_key_id, new_secret_access_key

ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role(/(?:[\x21-\x7e]*/)?)([\w+=,.@-]{1,64})$")
"""`arn:aws:iam::<account>:role[/path/]<name>`."""
SESSION_NAME = re.compile(r"^[\w+=,.@-]*$")

CHAINED_ROLE_MAX_SECONDS = 3600
"""Role chaining (assuming a role with assumed-role credentials) caps sessions at one hour."""


def validation_error(message: str) -> ServiceError:
    """STS's unmodeled `ValidationError` (HTTP 400)."""
    return ServiceError(message, code="ValidationError", status_code=400)


def constraint_error(value: object, member: str, constraint: str) -> ServiceError:
    return validation_error(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: Member must {constraint}"
    )


@dataclass(frozen=True)
class RoleRef:
    """A role named by its ARN."""

    arn: str
    account: str
    path: str
    name: str

    @classmethod
    def parse(cls, arn: str) -> RoleRef:
        match = ROLE_ARN.match(arn)
        if match is None:
            raise validation_error("Request ARN is invalid")
        return cls(arn, match.group(1), match.group(2), match.group(3))


def check_session_name(name: str) -> None:
    if not 2 <= len(name) <= 64:
        bound = "greater than or equal to 2" if len(name) < 2 else "less than or equal to 64"
        raise constraint_error(name, "roleSessionName", f"have length {bound}")
    if not SESSION_NAME.match(name):
        raise constraint_error(
            name, "roleSessionName", r"satisfy regular expression pattern: [\w+=,.@-]*"
        )


def check_duration(seconds: int, minimum: int, maximum: int) -> None:
    if seconds < minimum:
        raise constraint_error(
            seconds, "durationSeconds", f"have value greater than or equal to {minimum}"
        )
    if seconds > maximum:
        raise constraint_error(
            seconds, "durationSeconds", f"have value less than or equal to {maximum}"
        )


def is_assumed_role(principal: Principal) -> bool:
    return ":assumed-role/" in principal.arn


def is_session_key(access_key_id: str) -> bool:
    """Temporary credentials (STS's `ASIA…` keys)."""
    return access_key_id.startswith("ASIA")


@dataclass(frozen=True)
class Session:
    """One set of temporary credentials."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: float
    """Epoch seconds."""
    principal: Principal

    def credentials(self) -> dict[str, Any]:
        """The `Credentials` member of AssumeRole / GetSessionToken."""
        return {
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "SessionToken": self.session_token,
            "Expiration": datetime.fromtimestamp(self.expiration, UTC),
        }


def issue_session(credentials: Credentials, principal: Principal, duration: int) -> Session:
    """New temporary credentials acting as `principal`, registered with the gateway's table."""
    session = Session(
        access_key_id=new_access_key_id("ASIA"),
        secret_access_key=new_secret_access_key(),
        session_token=_session_token(),
        expiration=float(int(time.time()) + duration),
        principal=principal,
    )
    credentials.register(session.access_key_id, principal, session.expiration)
    return session


def _session_token() -> str:
    """Opaque, and about as long as AWS's (several hundred base64 characters)."""
    return "IQoJb3JpZ2luX2VjE" + base64.b64encode(secrets.token_bytes(300)).decode()


def packed_policy_size(policy: str | None, tags: list[dict[str, str]]) -> int:
    """`PackedPolicySize`: percentage of the packed session policy and tag allowance used."""
    size = len(policy or "") + sum(len(t.get("Key", "")) + len(t.get("Value", "")) for t in tags)
    return min(100, (size * 100) // 2048)
