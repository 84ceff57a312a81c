"""Key pairs: created (RSA or ed25519 key material returned once), imported, described, deleted."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from cloudlet.context import RequestContext
from cloudlet.errors import ServiceError
from cloudlet.services.ec2 import keys
from cloudlet.services.ec2.filters import invalid, matches, new_id, tag_values, tags_of
from cloudlet.services.ec2.operations.base import Ec2Base, Request, Response, dry_run


def _describe(key: dict[str, Any], public: bool = False) -> dict[str, Any]:
    out = {k: v for k, v in key.items() if not k.startswith("_") and k != "PublicKey"}
    out["CreateTime"] = datetime.fromtimestamp(key["_created"], UTC)
    if public:
        out["PublicKey"] = key.get("PublicKey", "")
    return out


def _values(key: dict[str, Any]) -> Any:
    def values(name: str) -> list[str] | None:
        plain = {
            "key-pair-id": [key["KeyPairId"]],
            "key-name": [key["KeyName"]],
            "fingerprint": [key["KeyFingerprint"]],
            "key-type": [key["KeyType"]],
        }
        return plain.get(name, tag_values(key["Tags"], name))

    return values


class KeyPairOperations(Ec2Base):
    def _key(self, account: str, region: str, name: str) -> dict[str, Any] | None:
        return self.store.get(account, region, "key", name)

    def _new_key(self, ctx: RequestContext, name: str) -> None:
        if not name or len(name) > 255:
            raise invalid("Invalid key pair name")
        if self._key(ctx.account, ctx.region, name) is not None:
            raise ServiceError(
                f"The keypair '{name}' already exists.", code="InvalidKeyPair.Duplicate"
            )

    def create_key_pair(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        name = request["KeyName"]
        self._new_key(ctx, name)
        kind = request.get("KeyType") or "rsa"
        if request.get("KeyFormat") == "ppk":
            raise invalid("The ppk key format is not supported by cloudlet; use pem.")
        material, fingerprint = keys.ed25519_key() if kind == "ed25519" else keys.rsa_key()
        key = {
            "KeyPairId": new_id("key"),
            "KeyName": name,
            "KeyFingerprint": fingerprint,
            "KeyType": kind,
            "Tags": tags_of(request, "key-pair"),
            "_created": time.time(),
        }
        self.store.put(ctx.account, ctx.region, "key", name, key)
        return {
            "KeyName": name,
            "KeyFingerprint": fingerprint,
            "KeyMaterial": material,
            "KeyPairId": key["KeyPairId"],
            "Tags": key["Tags"],
        }

    def import_key_pair(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        name = request["KeyName"]
        self._new_key(ctx, name)
        material = request["PublicKeyMaterial"]
        if isinstance(material, str):
            material = material.encode()
        try:
            kind, fingerprint, public = keys.imported_key(material)
        except ValueError as exc:
            raise ServiceError(
                "Key is not in valid OpenSSH public key format", code="InvalidKey.Format"
            ) from exc
        key = {
            "KeyPairId": new_id("key"),
            "KeyName": name,
            "KeyFingerprint": fingerprint,
            "KeyType": kind,
            "PublicKey": public,
            "Tags": tags_of(request, "key-pair"),
            "_created": time.time(),
        }
        self.store.put(ctx.account, ctx.region, "key", name, key)
        return {
            "KeyName": name,
            "KeyFingerprint": fingerprint,
            "KeyPairId": key["KeyPairId"],
            "Tags": key["Tags"],
        }

    def describe_key_pairs(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        found = self.store.all(ctx.account, ctx.region, "key")
        names = request.get("KeyNames") or []
        ids = request.get("KeyPairIds") or []
        for name in names:
            if name not in {k["KeyName"] for k in found}:
                raise ServiceError(
                    f"The key pair '{name}' does not exist", code="InvalidKeyPair.NotFound"
                )
        for key_id in ids:
            if key_id not in {k["KeyPairId"] for k in found}:
                raise ServiceError(
                    f"The key pair '{key_id}' does not exist", code="InvalidKeyPair.NotFound"
                )
        if names or ids:
            found = [k for k in found if k["KeyName"] in names or k["KeyPairId"] in ids]
        found = [k for k in found if matches(request.get("Filters"), _values(k))]
        public = bool(request.get("IncludePublicKey"))
        return {"KeyPairs": [_describe(k, public) for k in found]}

    def delete_key_pair(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        name = request.get("KeyName")
        key = None
        if request.get("KeyPairId"):
            for candidate in self.store.all(ctx.account, ctx.region, "key"):
                if candidate["KeyPairId"] == request["KeyPairId"]:
                    key = candidate
        elif name:
            key = self._key(ctx.account, ctx.region, name)
        else:
            raise ServiceError(
                "The request must contain the parameter KeyName or KeyPairId",
                code="MissingParameter",
            )
        if key is None:  # AWS answers success for a key that does not exist
            return {"Return": True}
        self.store.delete(ctx.account, ctx.region, "key", key["KeyName"])
        return {"Return": True, "KeyPairId": key["KeyPairId"]}
