"""Images (AMIs): an image is an app bundle, a directory with an optional `image.json` manifest.

    <data dir>/ec2/images/<image id>/
        image.json     {"boot": "python3 app.py", "port": 80}   (both optional)
        ...            the app's files; an instance gets its own copy as its app directory

`boot` is the image's main process, started at every boot from the app directory (an image
without one idles once its user data is started, like a plain OS); `port` is where it listens
(the instance gets it as `$PORT`). Built-in images, owned by Amazon (`137112412989`) and visible in
every account and region:

    cloudlet-base      a plain Linux-like base that just runs its user data
    cloudlet-web-app   a small web app (bundles/web_app.py): `/`, `/health`, `/burn?ms=N`

`RegisterImage` takes `ImageLocation` as a local directory holding a bundle (copied in); without
one the image is an empty bundle, like the base. `CreateImage` captures an instance's app
directory, files its user data wrote there included (the seed's "OS + app + config → image").
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cloudlet.errors import ServiceError
from cloudlet.services.ec2.filters import invalid, new_id, tag_values
from cloudlet.services.ec2.store import Ec2Store

AMAZON = "137112412989"
"""The account that owns Amazon's public images."""

BUILTIN: dict[str, dict[str, Any]] = {
    "cloudlet-base": {
        "Description": "cloudlet base: a plain Linux-like image that just runs its user data",
        "manifest": {},
        "files": {},
    },
    "cloudlet-web-app": {
        "Description": "cloudlet web app: / answers the instance id, /health, /burn?ms=N burns CPU",
        "manifest": {"boot": "python3 app.py", "port": 80},
        "files": {"app.py": "web_app.py"},
    },
}

_ID = "ami-[0-9a-f]{8,17}"


def builtin_id(region: str, name: str) -> str:
    """The built-in image `name`'s id in `region` (stable, like a public AMI's)."""
    return "ami-" + hashlib.sha256(f"{region}/{name}".encode()).hexdigest()[:17]


def iso(timestamp: float) -> str:
    """EC2's `CreationDate` format: `2024-01-31T12:00:00.000Z`."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _describe(
    image_id: str, name: str, owner: str, location: str, description: str, created: float
) -> dict[str, Any]:
    return {
        "ImageId": image_id,
        "ImageLocation": location,
        "State": "available",
        "OwnerId": owner,
        "CreationDate": iso(created),
        "Public": owner == AMAZON,
        "Architecture": "x86_64",
        "ImageType": "machine",
        "Name": name,
        "Description": description,
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "VirtualizationType": "hvm",
        "Hypervisor": "xen",
        "EnaSupport": True,
        "SriovNetSupport": "simple",
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "BootMode": "uefi-preferred",
        "BlockDeviceMappings": [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "DeleteOnTermination": True,
                    "SnapshotId": "snap-" + hashlib.sha256(image_id.encode()).hexdigest()[:17],
                    "VolumeSize": 8,
                    "VolumeType": "gp3",
                    "Encrypted": False,
                },
            }
        ],
        "Tags": [],
    }


class Images:
    """Built-in and registered images, and their bundles on disk."""

    def __init__(self, store: Ec2Store, data_dir: Path) -> None:
        self.store = store
        self.root = data_dir / "ec2" / "images"

    def builtins(self, region: str) -> list[dict[str, Any]]:
        out = []
        for name, spec in BUILTIN.items():
            image = _describe(
                builtin_id(region, name),
                name,
                AMAZON,
                f"amazon/{name}",
                spec["Description"],
                1_735_689_600.0,  # 2025-01-01
            )
            image["ImageOwnerAlias"] = "amazon"
            out.append(image)
        return out

    def all(self, account: str, region: str) -> list[dict[str, Any]]:
        """Built-ins and every image of `account` in `region`."""
        return self.builtins(region) + self.store.all(account, region, "image")

    def get(self, account: str, region: str, image_id: str) -> dict[str, Any]:
        """The image, or `InvalidAMIID.*` as AWS answers."""
        check_id(image_id)
        for image in self.builtins(region):
            if image["ImageId"] == image_id:
                return image
        found = self.store.get(account, region, "image", image_id)
        if found is None or found["State"] == "deregistered":
            raise ServiceError(
                f"The image id '[{image_id}]' does not exist", code="InvalidAMIID.NotFound"
            )
        return found

    def bundle(self, region: str, image: dict[str, Any]) -> Path:
        """The image's bundle directory (a built-in is written out on first use)."""
        path = self.root / image["ImageId"]
        if image.get("ImageOwnerAlias") == "amazon" and not (path / "image.json").exists():
            spec = BUILTIN[image["Name"]]
            path.mkdir(parents=True, exist_ok=True)
            here = Path(__file__).parent / "bundles"
            for target, source in spec["files"].items():
                shutil.copyfile(here / source, path / target)
            (path / "image.json").write_text(json.dumps(spec["manifest"]))
        return path

    def register(
        self,
        account: str,
        region: str,
        name: str,
        description: str,
        source: Path | None,
        location: str,
        tags: list[dict[str, str]],
        source_instance: str | None = None,
    ) -> dict[str, Any]:
        """A new image of `account` whose bundle is a copy of `source` (empty when None)."""
        self.check_name(account, region, name)
        image_id = new_id("ami")
        target = self.root / image_id
        if source is not None:
            shutil.copytree(source, target, symlinks=True)
        else:
            target.mkdir(parents=True)
        image = _describe(image_id, name, account, location, description, time.time())
        image["Tags"] = tags
        image["Public"] = False
        if source_instance is not None:
            image["SourceInstanceId"] = source_instance
        self.store.put(account, region, "image", image_id, image)
        return image

    def check_name(self, account: str, region: str, name: str) -> None:
        if not 3 <= len(name) <= 128:
            raise invalid(
                f"AMI names must be between 3 and 128 characters long, and may contain letters,"
                f" numbers, '(', ')', '.', '-', '/' and '_' (got {name!r})"
            )
        for image in self.store.all(account, region, "image"):
            if image["Name"] == name:
                raise ServiceError(
                    f"AMI name {name} is already in use by AMI {image['ImageId']}",
                    code="InvalidAMIName.Duplicate",
                )

    def deregister(self, account: str, region: str, image_id: str) -> None:
        image = self.get(account, region, image_id)
        if image["OwnerId"] != account:
            raise ServiceError(f"Not authorized for image:{image_id}", code="AuthFailure")
        self.store.delete(account, region, "image", image_id)
        shutil.rmtree(self.root / image_id, ignore_errors=True)


def manifest(bundle: Path) -> dict[str, Any]:
    """The bundle's `image.json` ({} when absent or unreadable)."""
    try:
        loaded = json.loads((bundle / "image.json").read_text())
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def check_id(image_id: str) -> None:
    import re

    if not re.fullmatch(_ID, image_id):
        raise ServiceError(
            f'Invalid id: "{image_id}" (expecting "ami-...")', code="InvalidAMIID.Malformed"
        )


def image_values(image: dict[str, Any]) -> Any:
    def values(name: str) -> list[str] | None:
        plain = {
            "image-id": [image["ImageId"]],
            "name": [image["Name"]],
            "description": [image.get("Description", "")],
            "owner-id": [image["OwnerId"]],
            "owner-alias": [image.get("ImageOwnerAlias", "")],
            "state": [image["State"]],
            "architecture": [image["Architecture"]],
            "image-type": [image["ImageType"]],
            "is-public": ["true" if image["Public"] else "false"],
            "root-device-type": [image["RootDeviceType"]],
            "virtualization-type": [image["VirtualizationType"]],
            "platform-details": [image["PlatformDetails"]],
            "manifest-location": [image["ImageLocation"]],
            "hypervisor": [image["Hypervisor"]],
        }
        return plain.get(name, tag_values(image["Tags"], name))

    return values
