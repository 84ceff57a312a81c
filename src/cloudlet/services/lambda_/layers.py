"""Layers: published versions of zip content, attached to functions and merged into their /opt.

A layer version is a document (kind "layer", id `<name>:<8-digit version>`) pointing at a stored
package; attaching layers to a function records their ARNs (`Layers`) and package digests
(`_layers`), and environments get the merged directory (`CodeStore.opt_dir`) as their /opt:
`python/` and `python/lib/python3.X/site-packages` on sys.path, `nodejs/node_modules` on NODE_PATH,
`bin/` on PATH, `lib/` on LD_LIBRARY_PATH, and `bootstrap` for provided runtimes.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from cloudlet.platform.store import Documents, Store
from cloudlet.services.lambda_.code import CodeStore
from cloudlet.services.lambda_.models import invalid, layer_arn, not_found, timestamp, validation

_LAYER_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):layer:"
    r"(?P<name>[a-zA-Z0-9-_]+):(?P<version>[0-9]+)$"
)


class Layers:
    """Layer versions of every account and region."""

    def __init__(self, store: Store, code: CodeStore) -> None:
        self.documents = Documents(store, "lambda")
        self.code = code

    def publish(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        name = request["LayerName"]
        content = request.get("Content") or {}
        archive = content.get("ZipFile")
        if archive is None:
            raise invalid("Please provide a source for the layer content (ZipFile).")
        if isinstance(archive, str):
            archive = base64.b64decode(archive)
        package = self.code.add(archive)
        existing = self.documents.list(account, region, "layer", prefix=f"{name}:")
        version = int(existing[-1][0].rsplit(":", 1)[1]) + 1 if existing else 1
        body = {
            "Content": {"Location": self.code.archive(package.digest).as_uri(),
                        "CodeSha256": package.sha256, "CodeSize": package.size},
            "LayerArn": layer_arn(region, account, name),
            "LayerVersionArn": layer_arn(region, account, name, version),
            "Description": request.get("Description", ""),
            "CreatedDate": timestamp(),
            "Version": version,
            "CompatibleRuntimes": request.get("CompatibleRuntimes") or [],
            "CompatibleArchitectures": request.get("CompatibleArchitectures") or [],
            "_digest": package.digest,
        }  # fmt: skip
        if request.get("LicenseInfo"):
            body["LicenseInfo"] = request["LicenseInfo"]
        self.documents.put(account, region, "layer", f"{name}:{version:08d}", body)
        return public(body)

    def get(self, account: str, region: str, name: str, version: int) -> dict[str, Any]:
        body = self.documents.get(account, region, "layer", f"{name}:{version:08d}")
        if body is None:
            raise not_found("Layer version", layer_arn(region, account, name, version))
        return body

    def by_arn(self, account: str, region: str, arn: str) -> dict[str, Any]:
        match = _LAYER_ARN.match(arn)
        if match is None:
            raise validation(
                f"1 validation error detected: Value '{arn}' at 'arn' failed to satisfy"
                " constraint: Member must satisfy regular expression pattern:"
                " arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+"
            )
        if match["account"] != account or match["region"] != region:
            raise invalid(f"Layer version {arn} does not exist.")
        return self.get(account, region, match["name"], int(match["version"]))

    def versions(self, account: str, region: str, name: str) -> list[dict[str, Any]]:
        found = self.documents.list(account, region, "layer", prefix=f"{name}:")
        return [public(body) for _, body in reversed(found)]

    def latest(self, account: str, region: str) -> list[dict[str, Any]]:
        latest: dict[str, dict[str, Any]] = {}
        for key, body in self.documents.list(account, region, "layer"):
            latest[key.rsplit(":", 1)[0]] = body
        return [
            {
                "LayerName": name,
                "LayerArn": body["LayerArn"],
                "LatestMatchingVersion": public(body),
            }
            for name, body in sorted(latest.items())
        ]

    def delete(self, account: str, region: str, name: str, version: int) -> None:
        self.documents.delete(account, region, "layer", f"{name}:{version:08d}")

    def attach(self, account: str, region: str, config: dict[str, Any], arns: list[str]) -> None:
        """Set a function configuration's `Layers` (and the digests its environments need)."""
        if len(arns) > 5:
            raise invalid("Cannot reference more than 5 layers.")
        layers, internal = [], []
        for arn in arns:
            try:
                body = self.by_arn(account, region, arn)
            except Exception as exc:
                raise invalid(f"Layer version {arn} does not exist.") from exc
            layers.append({"Arn": arn, "CodeSize": body["Content"]["CodeSize"]})
            internal.append({"_digest": body["_digest"]})
        config["Layers"] = layers
        config["_layers"] = internal


def public(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if not key.startswith("_")}
