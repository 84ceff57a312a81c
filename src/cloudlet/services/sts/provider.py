"""STS's operations. Roles are looked up in IAM's store, in the role's account, when they exist
(their id, `MaxSessionDuration` and `RoleLastUsed`); see `models` for what is checked and what is
not.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from cloudlet.context import RequestContext
from cloudlet.errors import ServiceError
from cloudlet.platform.credentials import Principal
from cloudlet.services.base import Provider
from cloudlet.services.iam.identity import caller, stable_id
from cloudlet.services.iam.policies import Policies
from cloudlet.services.iam.roles import Roles
from cloudlet.services.iam.store import IamStore
from cloudlet.services.sts.models import (
    CHAINED_ROLE_MAX_SECONDS,
    RoleRef,
    check_duration,
    check_session_name,
    is_assumed_role,
    is_session_key,
    issue_session,
    packed_policy_size,
    validation_error,
)

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform

Request = dict[str, Any]
Response = dict[str, Any]


def _check_session_policy(policy: str | None) -> None:
    if policy is None:
        return
    try:
        parsed = json.loads(policy)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ServiceError(
            "The policy is not in the valid JSON format.",
            code="MalformedPolicyDocumentException",
        )


def _jwt_claims(token: str) -> dict[str, Any]:
    """The claims of a web identity token; the signature is not verified."""
    parts = token.split(".")
    try:
        if len(parts) != 3:
            raise ValueError(token)
        payload = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload))
        if not isinstance(claims, dict):
            raise ValueError(token)
        return claims
    except (ValueError, binascii.Error):
        raise ServiceError(
            "The ID Token provided is not a valid JWT. (You may see this error if you sent an "
            "Access Token)",
            code="InvalidIdentityTokenException",
        ) from None


class StsProvider(Provider):
    service = "sts"

    def __init__(self, platform: Platform) -> None:
        super().__init__(platform)
        iam = IamStore(platform.store)
        self.roles = Roles(iam, Policies(iam))

    def get_caller_identity(self, ctx: RequestContext, request: Request) -> Response:
        principal = caller(self.platform, ctx)
        return {"UserId": principal.user_id, "Account": principal.account, "Arn": principal.arn}

    def assume_role(self, ctx: RequestContext, request: Request) -> Response:
        principal = caller(self.platform, ctx)
        response = self._assume(ctx, request, chained=is_assumed_role(principal))
        if request.get("SourceIdentity"):
            response["SourceIdentity"] = request["SourceIdentity"]
        return response

    def assume_role_with_web_identity(self, ctx: RequestContext, request: Request) -> Response:
        claims = _jwt_claims(request["WebIdentityToken"])
        response = self._assume(ctx, request, chained=False)
        audience = claims.get("aud", "")
        if isinstance(audience, list):
            audience = audience[0] if audience else ""
        response["SubjectFromWebIdentityToken"] = str(claims.get("sub", ""))
        response["Audience"] = str(audience)
        response["Provider"] = str(request.get("ProviderId") or claims.get("iss", ""))
        return response

    def _assume(self, ctx: RequestContext, request: Request, *, chained: bool) -> Response:
        ref = RoleRef.parse(request["RoleArn"])
        session_name = request["RoleSessionName"]
        check_session_name(session_name)
        duration = request.get("DurationSeconds") or 3600
        check_duration(duration, 900, 43200)
        _check_session_policy(request.get("Policy"))
        if chained and duration > CHAINED_ROLE_MAX_SECONDS:
            raise validation_error(
                "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                "assumed by role chaining."
            )
        role = self.roles.store.get(ref.account, self.roles.cls, ref.name)
        if role is not None and duration > role.max_session_duration:
            raise validation_error(
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
            )
        role_id = role.id if role is not None else stable_id("AROA", ref.arn)
        self.roles.record_use(ref.account, ref.name, ctx.region)
        assumed = Principal(
            account=ref.account,
            arn=f"arn:aws:sts::{ref.account}:assumed-role/{ref.name}/{session_name}",
            user_id=f"{role_id}:{session_name}",
        )
        session = issue_session(self.platform.credentials, assumed, duration)
        response: Response = {
            "Credentials": session.credentials(),
            "AssumedRoleUser": {"AssumedRoleId": assumed.user_id, "Arn": assumed.arn},
        }
        tags = request.get("Tags") or []
        if request.get("Policy") or tags:
            response["PackedPolicySize"] = packed_policy_size(request.get("Policy"), tags)
        return response

    def get_session_token(self, ctx: RequestContext, request: Request) -> Response:
        if is_session_key(ctx.access_key_id):
            raise ServiceError(
                "Cannot call GetSessionToken with session credentials",
                code="AccessDenied",
                status_code=403,
            )
        principal = caller(self.platform, ctx)
        duration = request.get("DurationSeconds") or 43200
        check_duration(duration, 900, 129600)
        if principal.arn.endswith(":root"):
            # AWS: "Sessions for AWS account owners are restricted to a maximum of 3,600
            # seconds"; longer requests are shortened, not refused.
            duration = min(duration, 3600)
        session = issue_session(self.platform.credentials, principal, duration)
        return {"Credentials": session.credentials()}

    def get_federation_token(self, ctx: RequestContext, request: Request) -> Response:
        if is_session_key(ctx.access_key_id):
            raise ServiceError(
                "Cannot call GetFederationToken with session credentials",
                code="AccessDenied",
                status_code=403,
            )
        name = request["Name"]
        duration = request.get("DurationSeconds") or 43200
        check_duration(duration, 900, 129600)
        _check_session_policy(request.get("Policy"))
        principal = caller(self.platform, ctx)
        if principal.arn.endswith(":root"):
            duration = min(duration, 3600)
        federated = Principal(
            account=principal.account,
            arn=f"arn:aws:sts::{principal.account}:federated-user/{name}",
            user_id=f"{principal.account}:{name}",
        )
        session = issue_session(self.platform.credentials, federated, duration)
        response: Response = {
            "Credentials": session.credentials(),
            "FederatedUser": {"FederatedUserId": federated.user_id, "Arn": federated.arn},
        }
        if request.get("Policy") or request.get("Tags"):
            response["PackedPolicySize"] = packed_policy_size(
                request.get("Policy"), request.get("Tags") or []
            )
        return response

    def get_access_key_info(self, ctx: RequestContext, request: Request) -> Response:
        key_id = request["AccessKeyId"]
        principal = self.platform.credentials.lookup(key_id)
        if principal is not None:
            return {"Account": principal.account}
        if len(key_id) == 12 and key_id.isdigit():
            return {"Account": key_id}
        return {"Account": self.platform.config.default_account}
