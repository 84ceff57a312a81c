"""Who is calling: account and region from the access key and the credential scope.

Any credentials are accepted. A key cloudlet issued (STS, IAM) acts in the account it was issued
for; otherwise a 12-digit access key id is itself the account id; anything else is the configured
default account. The region comes from the credential scope, else the configured default; global
services (IAM) keep their state under the region "".
"""

from __future__ import annotations

from cloudlet.config import Config
from cloudlet.gateway.routing import Signature
from cloudlet.platform.credentials import Credentials


def resolve_account(access_key_id: str, config: Config, credentials: Credentials) -> str:
    if not access_key_id:
        return config.default_account
    if len(access_key_id) == 12 and access_key_id.isdigit():
        return access_key_id
    principal = credentials.lookup(access_key_id)
    return principal.account if principal else config.default_account


def resolve_region(signature: Signature, config: Config) -> str:
    return signature.region or config.default_region
