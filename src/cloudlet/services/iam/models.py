"""IAM's domain objects and how each looks in AWS's responses.

Roles and users share one base, `Identity`: both carry tags, inline policies (name → document, as
submitted) and attached managed policies (ARNs, in attach order). A managed policy keeps all its
versions inline. Objects persist as JSON documents (`store.IamStore`); `describe` methods return
the output shapes, where policy documents are URL-encoded as AWS sends them (botocore decodes them
back into dicts for boto3 users).

Timestamps are epoch seconds (IAM's are whole seconds); names compare case-insensitively, as IAM's
do, so the store keys on the lower-cased name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import quote

from cloudlet.services.iam.identity import to_datetime

Tag = dict[str, str]


def encode_document(document: str) -> str:
    """Policy documents travel URL-encoded in IAM responses."""
    return quote(document, safe="")


@dataclass
class Identity:
    """What roles and users have in common."""

    KIND: ClassVar[str] = ""
    ENTITY: ClassVar[str] = ""
    """How AWS's messages name the kind ("role", "user")."""

    name: str
    id: str
    path: str
    arn: str
    create_date: float
    permissions_boundary: str | None = None
    tags: list[Tag] = field(default_factory=list)
    inline_policies: dict[str, str] = field(default_factory=dict)
    """Inline policy name → document, as submitted."""
    attached: list[str] = field(default_factory=list)
    """ARNs of attached managed policies, in attach order."""

    @property
    def key(self) -> str:
        return self.name.lower()

    def boundary(self) -> dict[str, Any]:
        if not self.permissions_boundary:
            return {}
        return {
            "PermissionsBoundary": {
                "PermissionsBoundaryType": "Policy",
                "PermissionsBoundaryArn": self.permissions_boundary,
            }
        }


@dataclass
class Role(Identity):
    KIND: ClassVar[str] = "role"
    ENTITY: ClassVar[str] = "role"

    assume_role_policy: str = ""
    description: str | None = None
    max_session_duration: int = 3600
    last_used: dict[str, Any] | None = None
    """{"date": epoch seconds, "region": str} of the last AssumeRole."""

    def describe(self, *, full: bool = True, created: bool = False) -> dict[str, Any]:
        """The `Role` shape. ListRoles (`full=False`) leaves out tags, boundary and last use;
        CreateRole (`created`) leaves out MaxSessionDuration and RoleLastUsed, as AWS does."""
        out: dict[str, Any] = {
            "Path": self.path,
            "RoleName": self.name,
            "RoleId": self.id,
            "Arn": self.arn,
            "CreateDate": to_datetime(self.create_date),
            "AssumeRolePolicyDocument": encode_document(self.assume_role_policy),
        }
        if not created:
            out["MaxSessionDuration"] = self.max_session_duration
        if self.description is not None:
            out["Description"] = self.description
        if created:
            out.update(self.boundary())
            if self.tags:
                out["Tags"] = list(self.tags)
        elif full:
            out.update(self.boundary())
            if self.tags:
                out["Tags"] = list(self.tags)
            last_used: dict[str, Any] = {}
            if self.last_used:
                last_used = {
                    "LastUsedDate": to_datetime(self.last_used["date"]),
                    "Region": self.last_used["region"],
                }
            out["RoleLastUsed"] = last_used
        return out


@dataclass
class User(Identity):
    KIND: ClassVar[str] = "user"
    ENTITY: ClassVar[str] = "user"

    def describe(self, *, full: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "Path": self.path,
            "UserName": self.name,
            "UserId": self.id,
            "Arn": self.arn,
            "CreateDate": to_datetime(self.create_date),
        }
        if full:
            out.update(self.boundary())
            if self.tags:
                out["Tags"] = list(self.tags)
        return out


@dataclass
class PolicyVersion:
    version_id: str
    document: str
    create_date: float

    def describe(self, default_version: str, *, document: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "VersionId": self.version_id,
            "IsDefaultVersion": self.version_id == default_version,
            "CreateDate": to_datetime(self.create_date),
        }
        if document:
            out["Document"] = encode_document(self.document)
        return out


@dataclass
class ManagedPolicy:
    """A customer managed policy (AWS managed ones are built from `aws_policies`)."""

    KIND: ClassVar[str] = "policy"

    name: str
    id: str
    path: str
    arn: str
    create_date: float
    update_date: float
    versions: list[PolicyVersion]
    default_version: str = "v1"
    next_version: int = 2
    """Version ids are never reused: v1, v2, ... even after deletes."""
    description: str | None = None
    tags: list[Tag] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.name.lower()

    def version(self, version_id: str) -> PolicyVersion | None:
        return next((v for v in self.versions if v.version_id == version_id), None)

    def describe(self, attachments: int, *, full: bool = True) -> dict[str, Any]:
        """The `Policy` shape; ListPolicies leaves out description and tags, as AWS does."""
        out: dict[str, Any] = {
            "PolicyName": self.name,
            "PolicyId": self.id,
            "Arn": self.arn,
            "Path": self.path,
            "DefaultVersionId": self.default_version,
            "AttachmentCount": attachments,
            "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True,
            "CreateDate": to_datetime(self.create_date),
            "UpdateDate": to_datetime(self.update_date),
        }
        if full:
            if self.description is not None:
                out["Description"] = self.description
            if self.tags:
                out["Tags"] = list(self.tags)
        return out

    @classmethod
    def from_doc(cls, body: dict[str, Any]) -> ManagedPolicy:
        versions = [PolicyVersion(**v) for v in body.pop("versions")]
        return cls(versions=versions, **body)


@dataclass
class AccessKey:
    KIND: ClassVar[str] = "access-key"

    id: str
    user_name: str
    status: str
    create_date: float

    @property
    def key(self) -> str:
        return self.id

    def describe(self) -> dict[str, Any]:
        """`AccessKeyMetadata`; CreateAccessKey adds the secret, which is never stored."""
        return {
            "UserName": self.user_name,
            "AccessKeyId": self.id,
            "Status": self.status,
            "CreateDate": to_datetime(self.create_date),
        }


@dataclass
class InstanceProfile:
    KIND: ClassVar[str] = "instance-profile"

    name: str
    id: str
    path: str
    arn: str
    create_date: float
    roles: list[str] = field(default_factory=list)
    """Role names (AWS allows one)."""
    tags: list[Tag] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.name.lower()

    def describe(self, roles: list[Role], *, full: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "Path": self.path,
            "InstanceProfileName": self.name,
            "InstanceProfileId": self.id,
            "Arn": self.arn,
            "CreateDate": to_datetime(self.create_date),
            "Roles": [role.describe(full=False) for role in roles],
        }
        if full and self.tags:
            out["Tags"] = list(self.tags)
        return out


def merge_tags(current: list[Tag], new: list[Tag]) -> list[Tag]:
    """TagX: new keys are added, existing keys get the new value (keys compare exactly)."""
    merged = {t["Key"]: t.get("Value", "") for t in current}
    for tag in new:
        merged[tag["Key"]] = tag.get("Value", "")
    return [{"Key": k, "Value": v} for k, v in merged.items()]


def remove_tags(current: list[Tag], keys: list[str]) -> list[Tag]:
    drop = set(keys)
    return [t for t in current if t["Key"] not in drop]
