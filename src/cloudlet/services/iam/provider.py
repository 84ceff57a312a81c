"""IAM's operations: unpack the request, call the domain (`roles`, `users`, `policies`,
`instance_profiles`), shape the answer. IAM is global: state is per account, `ctx.region` is "".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudlet.context import RequestContext
from cloudlet.services.base import Provider
from cloudlet.services.iam.exceptions import validation_error
from cloudlet.services.iam.identity import caller, to_datetime
from cloudlet.services.iam.instance_profiles import InstanceProfiles
from cloudlet.services.iam.models import Tag, encode_document
from cloudlet.services.iam.policies import Policies
from cloudlet.services.iam.roles import Roles
from cloudlet.services.iam.store import IamStore, page
from cloudlet.services.iam.users import Users

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform

Request = dict[str, Any]
Response = dict[str, Any]

ROOT_CREATE_DATE = 1577836800.0
"""GetUser's CreateDate for the root user (2020-01-01): cloudlet's accounts have no birth date."""


def _by_name(item: Any) -> str:
    return str(item.key)


def _tag_page(tags: list[Tag], request: Request) -> Response:
    items, more = page(sorted(tags, key=lambda t: t["Key"]), request, lambda t: t["Key"])
    return {"Tags": items, **more}


class IamProvider(Provider):
    service = "iam"

    def __init__(self, platform: Platform) -> None:
        super().__init__(platform)
        self.store = IamStore(platform.store)
        self.policies = Policies(self.store)
        self.roles = Roles(self.store, self.policies)
        self.users = Users(self.store, self.policies, platform.credentials)
        self.profiles = InstanceProfiles(self.store, self.roles)

    def _caller_user(self, ctx: RequestContext, request: Request) -> str:
        """`UserName`, or the calling user's name when it is left out."""
        if request.get("UserName"):
            return str(request["UserName"])
        principal = caller(self.platform, ctx)
        if ":user/" not in principal.arn:
            raise validation_error("Must specify userName when calling with non-User credentials")
        return principal.arn.rsplit("/", 1)[1]

    # roles

    def create_role(self, ctx: RequestContext, request: Request) -> Response:
        return {"Role": self.roles.create(ctx.account, request).describe(created=True)}

    def get_role(self, ctx: RequestContext, request: Request) -> Response:
        return {"Role": self.roles.get(ctx.account, request["RoleName"]).describe()}

    def list_roles(self, ctx: RequestContext, request: Request) -> Response:
        roles = self.roles.filtered(ctx.account, request.get("PathPrefix"))
        items, more = page(roles, request, _by_name)
        return {"Roles": [r.describe(full=False) for r in items], **more}

    def delete_role(self, ctx: RequestContext, request: Request) -> Response:
        self.roles.delete(ctx.account, request["RoleName"])
        return {}

    def update_role(self, ctx: RequestContext, request: Request) -> Response:
        self.roles.update(ctx.account, request["RoleName"], request)
        return {}

    def update_role_description(self, ctx: RequestContext, request: Request) -> Response:
        role = self.roles.update(ctx.account, request["RoleName"], request)
        return {"Role": role.describe()}

    def update_assume_role_policy(self, ctx: RequestContext, request: Request) -> Response:
        self.roles.update_trust(ctx.account, request["RoleName"], request["PolicyDocument"])
        return {}

    def put_role_permissions_boundary(self, ctx: RequestContext, request: Request) -> Response:
        self.roles.set_boundary(ctx.account, request["RoleName"], request["PermissionsBoundary"])
        return {}

    def delete_role_permissions_boundary(self, ctx: RequestContext, request: Request) -> Response:
        self.roles.set_boundary(ctx.account, request["RoleName"], None)
        return {}

    def tag_role(self, ctx: RequestContext, request: Request) -> Response:
        self.roles.tag(ctx.account, request["RoleName"], request["Tags"])
        return {}

    def untag_role(self, ctx: RequestContext, request: Request) -> Response:
        self.roles.untag(ctx.account, request["RoleName"], request["TagKeys"])
        return {}

    def list_role_tags(self, ctx: RequestContext, request: Request) -> Response:
        return _tag_page(self.roles.get(ctx.account, request["RoleName"]).tags, request)

    def put_role_policy(self, ctx: RequestContext, request: Request) -> Response:
        self.roles.put_policy(
            ctx.account, request["RoleName"], request["PolicyName"], request["PolicyDocument"]
        )
        return {}

    def get_role_policy(self, ctx: RequestContext, request: Request) -> Response:
        role, document = self.roles.get_policy(
            ctx.account, request["RoleName"], request["PolicyName"]
        )
        return {
            "RoleName": role.name,
            "PolicyName": request["PolicyName"],
            "PolicyDocument": encode_document(document),
        }

    def list_role_policies(self, ctx: RequestContext, request: Request) -> Response:
        names = self.roles.policy_names(ctx.account, request["RoleName"])
        items, more = page(names, request, str.lower)
        return {"PolicyNames": items, **more}

    def delete_role_policy(self, ctx: RequestContext, request: Request) -> Response:
        self.roles.delete_policy(ctx.account, request["RoleName"], request["PolicyName"])
        return {}

    def attach_role_policy(self, ctx: RequestContext, request: Request) -> Response:
        self.roles.attach(ctx.account, request["RoleName"], request["PolicyArn"])
        return {}

    def detach_role_policy(self, ctx: RequestContext, request: Request) -> Response:
        self.roles.detach(ctx.account, request["RoleName"], request["PolicyArn"])
        return {}

    def list_attached_role_policies(self, ctx: RequestContext, request: Request) -> Response:
        attached = self.roles.attached(ctx.account, request["RoleName"], request.get("PathPrefix"))
        items, more = page(attached, request, lambda p: p["PolicyName"].lower())
        return {"AttachedPolicies": items, **more}

    # users

    def create_user(self, ctx: RequestContext, request: Request) -> Response:
        return {"User": self.users.create(ctx.account, request).describe()}

    def get_user(self, ctx: RequestContext, request: Request) -> Response:
        if not request.get("UserName"):
            principal = caller(self.platform, ctx)
            if principal.arn.endswith(":root"):
                return {
                    "User": {
                        "UserId": principal.user_id,
                        "Arn": principal.arn,
                        "CreateDate": to_datetime(ROOT_CREATE_DATE),
                    }
                }
        user = self.users.get(ctx.account, self._caller_user(ctx, request))
        return {"User": user.describe()}

    def list_users(self, ctx: RequestContext, request: Request) -> Response:
        users = self.users.filtered(ctx.account, request.get("PathPrefix"))
        items, more = page(users, request, _by_name)
        return {"Users": [u.describe(full=False) for u in items], **more}

    def delete_user(self, ctx: RequestContext, request: Request) -> Response:
        self.users.delete(ctx.account, request["UserName"])
        return {}

    def update_user(self, ctx: RequestContext, request: Request) -> Response:
        self.users.update(
            ctx.account, request["UserName"], request.get("NewUserName"), request.get("NewPath")
        )
        return {}

    def tag_user(self, ctx: RequestContext, request: Request) -> Response:
        self.users.tag(ctx.account, request["UserName"], request["Tags"])
        return {}

    def untag_user(self, ctx: RequestContext, request: Request) -> Response:
        self.users.untag(ctx.account, request["UserName"], request["TagKeys"])
        return {}

    def list_user_tags(self, ctx: RequestContext, request: Request) -> Response:
        return _tag_page(self.users.get(ctx.account, request["UserName"]).tags, request)

    def put_user_policy(self, ctx: RequestContext, request: Request) -> Response:
        self.users.put_policy(
            ctx.account, request["UserName"], request["PolicyName"], request["PolicyDocument"]
        )
        return {}

    def get_user_policy(self, ctx: RequestContext, request: Request) -> Response:
        user, document = self.users.get_policy(
            ctx.account, request["UserName"], request["PolicyName"]
        )
        return {
            "UserName": user.name,
            "PolicyName": request["PolicyName"],
            "PolicyDocument": encode_document(document),
        }

    def list_user_policies(self, ctx: RequestContext, request: Request) -> Response:
        names = self.users.policy_names(ctx.account, request["UserName"])
        items, more = page(names, request, str.lower)
        return {"PolicyNames": items, **more}

    def delete_user_policy(self, ctx: RequestContext, request: Request) -> Response:
        self.users.delete_policy(ctx.account, request["UserName"], request["PolicyName"])
        return {}

    def attach_user_policy(self, ctx: RequestContext, request: Request) -> Response:
        self.users.attach(ctx.account, request["UserName"], request["PolicyArn"])
        return {}

    def detach_user_policy(self, ctx: RequestContext, request: Request) -> Response:
        self.users.detach(ctx.account, request["UserName"], request["PolicyArn"])
        return {}

    def list_attached_user_policies(self, ctx: RequestContext, request: Request) -> Response:
        attached = self.users.attached(ctx.account, request["UserName"], request.get("PathPrefix"))
        items, more = page(attached, request, lambda p: p["PolicyName"].lower())
        return {"AttachedPolicies": items, **more}

    # access keys

    def create_access_key(self, ctx: RequestContext, request: Request) -> Response:
        key, secret = self.users.create_key(ctx.account, self._caller_user(ctx, request))
        return {"AccessKey": {**key.describe(), "SecretAccessKey": secret}}

    def list_access_keys(self, ctx: RequestContext, request: Request) -> Response:
        user = self.users.get(ctx.account, self._caller_user(ctx, request))
        items, more = page(self.users.keys(ctx.account, user.name), request, lambda k: k.id)
        return {"AccessKeyMetadata": [k.describe() for k in items], **more}

    def delete_access_key(self, ctx: RequestContext, request: Request) -> Response:
        self.users.delete_key(ctx.account, request.get("UserName"), request["AccessKeyId"])
        return {}

    def update_access_key(self, ctx: RequestContext, request: Request) -> Response:
        self.users.update_key(
            ctx.account, request.get("UserName"), request["AccessKeyId"], request["Status"]
        )
        return {}

    def get_access_key_last_used(self, ctx: RequestContext, request: Request) -> Response:
        key = self.users.key(ctx.account, None, request["AccessKeyId"])
        return {
            "UserName": key.user_name,
            "AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"},
        }

    # managed policies

    def create_policy(self, ctx: RequestContext, request: Request) -> Response:
        return {"Policy": self.policies.create(ctx.account, request).describe(0)}

    def get_policy(self, ctx: RequestContext, request: Request) -> Response:
        policy = self.policies.get(ctx.account, request["PolicyArn"])
        count = self.store.attachment_counts(ctx.account).get(policy.arn, 0)
        return {"Policy": policy.describe(count)}

    def list_policies(self, ctx: RequestContext, request: Request) -> Response:
        listed = self.policies.listed(ctx.account, request)
        items, more = page(listed, request, lambda pc: f"{pc[0].name.lower()} {pc[0].arn}")
        return {"Policies": [p.describe(count, full=False) for p, count in items], **more}

    def delete_policy(self, ctx: RequestContext, request: Request) -> Response:
        self.policies.delete(ctx.account, request["PolicyArn"])
        return {}

    def create_policy_version(self, ctx: RequestContext, request: Request) -> Response:
        version = self.policies.create_version(
            ctx.account,
            request["PolicyArn"],
            request["PolicyDocument"],
            bool(request.get("SetAsDefault")),
        )
        default = version.version_id if request.get("SetAsDefault") else ""
        return {"PolicyVersion": version.describe(default, document=False)}

    def get_policy_version(self, ctx: RequestContext, request: Request) -> Response:
        policy, version = self.policies.version(
            ctx.account, request["PolicyArn"], request["VersionId"]
        )
        return {"PolicyVersion": version.describe(policy.default_version, document=True)}

    def list_policy_versions(self, ctx: RequestContext, request: Request) -> Response:
        policy = self.policies.get(ctx.account, request["PolicyArn"])
        newest_first = sorted(policy.versions, key=lambda v: -int(v.version_id[1:]))
        items, more = page(newest_first, request, lambda v: f"{10**9 - int(v.version_id[1:]):010d}")
        return {
            "Versions": [v.describe(policy.default_version, document=False) for v in items],
            **more,
        }

    def delete_policy_version(self, ctx: RequestContext, request: Request) -> Response:
        self.policies.delete_version(ctx.account, request["PolicyArn"], request["VersionId"])
        return {}

    def set_default_policy_version(self, ctx: RequestContext, request: Request) -> Response:
        self.policies.set_default(ctx.account, request["PolicyArn"], request["VersionId"])
        return {}

    def tag_policy(self, ctx: RequestContext, request: Request) -> Response:
        self.policies.tag(ctx.account, request["PolicyArn"], request["Tags"], None)
        return {}

    def untag_policy(self, ctx: RequestContext, request: Request) -> Response:
        self.policies.tag(ctx.account, request["PolicyArn"], None, request["TagKeys"])
        return {}

    def list_policy_tags(self, ctx: RequestContext, request: Request) -> Response:
        return _tag_page(self.policies.get(ctx.account, request["PolicyArn"]).tags, request)

    def list_entities_for_policy(self, ctx: RequestContext, request: Request) -> Response:
        roles, users = self.policies.entities(ctx.account, request["PolicyArn"])
        return {
            "PolicyRoles": [{"RoleName": r.name, "RoleId": r.id} for r in roles],
            "PolicyUsers": [{"UserName": u.name, "UserId": u.id} for u in users],
            "PolicyGroups": [],
            "IsTruncated": False,
        }

    # instance profiles

    def create_instance_profile(self, ctx: RequestContext, request: Request) -> Response:
        profile = self.profiles.create(ctx.account, request)
        return {"InstanceProfile": self.profiles.describe(ctx.account, profile)}

    def get_instance_profile(self, ctx: RequestContext, request: Request) -> Response:
        profile = self.profiles.get(ctx.account, request["InstanceProfileName"])
        return {"InstanceProfile": self.profiles.describe(ctx.account, profile)}

    def list_instance_profiles(self, ctx: RequestContext, request: Request) -> Response:
        profiles = self.profiles.listed(ctx.account, request.get("PathPrefix"))
        items, more = page(profiles, request, _by_name)
        described = [self.profiles.describe(ctx.account, p, full=False) for p in items]
        return {"InstanceProfiles": described, **more}

    def list_instance_profiles_for_role(self, ctx: RequestContext, request: Request) -> Response:
        role = self.roles.get(ctx.account, request["RoleName"])
        items, more = page(self.roles.instance_profiles(ctx.account, role.name), request, _by_name)
        described = [self.profiles.describe(ctx.account, p, full=False) for p in items]
        return {"InstanceProfiles": described, **more}

    def delete_instance_profile(self, ctx: RequestContext, request: Request) -> Response:
        self.profiles.delete(ctx.account, request["InstanceProfileName"])
        return {}

    def add_role_to_instance_profile(self, ctx: RequestContext, request: Request) -> Response:
        self.profiles.add_role(ctx.account, request["InstanceProfileName"], request["RoleName"])
        return {}

    def remove_role_from_instance_profile(self, ctx: RequestContext, request: Request) -> Response:
        self.profiles.remove_role(ctx.account, request["InstanceProfileName"], request["RoleName"])
        return {}

    def tag_instance_profile(self, ctx: RequestContext, request: Request) -> Response:
        self.profiles.tag(ctx.account, request["InstanceProfileName"], request["Tags"], None)
        return {}

    def untag_instance_profile(self, ctx: RequestContext, request: Request) -> Response:
        self.profiles.tag(ctx.account, request["InstanceProfileName"], None, request["TagKeys"])
        return {}

    def list_instance_profile_tags(self, ctx: RequestContext, request: Request) -> Response:
        profile = self.profiles.get(ctx.account, request["InstanceProfileName"])
        return _tag_page(profile.tags, request)

    # account

    def list_account_aliases(self, ctx: RequestContext, request: Request) -> Response:
        return {"AccountAliases": [], "IsTruncated": False}
