"""Identifiers, ARNs and the calling principal: what IAM and STS share.

AWS unique ids are a four-letter prefix naming the kind (`AROA` role, `AIDA` user, `ANPA` managed
policy, `AIPA` instance profile, `AKIA` long-term and `ASIA` temporary access key) followed by 17
upper-case letters and digits. `caller` answers "who is this request from": the principal a key
cloudlet issued was registered with (`platform.credentials`), otherwise the account's root user.
"""

from __future__ import annotations

import hashlib
import secrets
import string
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cloudlet.platform.credentials import Principal

if TYPE_CHECKING:
    from cloudlet.context import RequestContext
    from cloudlet.platform.runtime import Platform

_ID_ALPHABET = string.ascii_uppercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"


def new_id(prefix: str) -> str:
    """A fresh AWS unique id: `prefix` + 17 upper-case letters and digits (21 characters)."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(17))


def new_access_key_id(prefix: str) -> str:
    """`AKIA…` (IAM user) or `ASIA…` (STS) access key id: 20 characters."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))


def new_secret_access_key() -> str:
    """40 characters, as AWS's secret access keys are."""
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))


def stable_id(prefix: str, seed: str) -> str:
    """A deterministic unique id for `seed` (a role that exists only as an ARN)."""
    digest = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
    chars = []
    for _ in range(17):
        digest, index = divmod(digest, len(_ID_ALPHABET))
        chars.append(_ID_ALPHABET[index])
    return prefix + "".join(chars)


def iam_arn(account: str, kind: str, path: str, name: str) -> str:
    """`arn:aws:iam::<account>:<kind><path><name>`; kind is role, user, policy, instance-profile."""
    return f"arn:aws:iam::{account}:{kind}{path}{name}"


def root_principal(account: str) -> Principal:
    return Principal(account, f"arn:aws:iam::{account}:root", account)


def caller(platform: Platform, ctx: RequestContext) -> Principal:
    """The principal the request's access key acts as (root of the account when not issued here)."""
    if ctx.access_key_id:
        principal = platform.credentials.lookup(ctx.access_key_id)
        if principal is not None:
            return principal
    return root_principal(ctx.account)


def now_seconds() -> float:
    """IAM timestamps have whole-second precision."""
    return float(int(time.time()))


def to_datetime(epoch_seconds: float) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, UTC)
