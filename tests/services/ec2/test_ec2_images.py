"""Images: the built-ins, bundles registered from a directory, images captured from an instance."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from ec2_support import TEMPLATES, http_get, user_data, wait_for

Error = Callable[[Any], tuple[str, str, int]]


def test_built_in_images(ec2: Any) -> None:
    found = {i["Name"]: i for i in ec2.describe_images(Owners=["amazon"])["Images"]}
    assert set(found) == {"cloudlet-base", "cloudlet-web-app"}
    web = found["cloudlet-web-app"]
    assert web["OwnerId"] == "137112412989"
    assert web["ImageOwnerAlias"] == "amazon"
    assert web["State"] == "available"
    assert web["Public"] is True
    assert web["RootDeviceName"] == "/dev/xvda"
    assert web["ImageId"].startswith("ami-")


def test_built_in_image_ids_are_per_region(aws_client: Callable[..., Any], account: str) -> None:
    def ids(region: str) -> set[str]:
        ec2 = aws_client("ec2", account=account, region_name=region)
        return {i["ImageId"] for i in ec2.describe_images(Owners=["amazon"])["Images"]}

    assert ids("us-east-1").isdisjoint(ids("eu-west-1"))


def test_image_filters(ec2: Any) -> None:
    found = ec2.describe_images(Filters=[{"Name": "name", "Values": ["cloudlet-web-*"]}])
    assert [i["Name"] for i in found["Images"]] == ["cloudlet-web-app"]
    assert ec2.describe_images(Owners=["self"])["Images"] == []


def test_register_an_app_bundle_and_run_it(
    ec2: Any, name: Callable[[str], str], run: Callable[..., dict[str, Any]]
) -> None:
    image_name = name("static")
    image_id = ec2.register_image(
        Name=image_name, ImageLocation=str(TEMPLATES / "static_site"), Description="site"
    )["ImageId"]
    (image,) = ec2.describe_images(ImageIds=[image_id])["Images"]
    assert image["Name"] == image_name
    assert image["Description"] == "site"
    assert image["Public"] is False
    (mine,) = ec2.describe_images(Owners=["self"])["Images"]
    assert mine["ImageId"] == image_id
    instance = run(image_id)
    status, body = wait_for(
        lambda: _get(instance["PrivateIpAddress"], 8080, "/index.html"), timeout=30
    )
    assert status == 200
    assert b"static site bundle" in body


def test_create_image_captures_the_app_directory(
    ec2: Any, name: Callable[[str], str], run: Callable[..., dict[str, Any]]
) -> None:
    first = run("cloudlet-base", UserData=user_data("hello.sh"))
    ip = first["PrivateIpAddress"]
    del ip
    wait_for(lambda: "hello from user data" in _console(ec2, first["InstanceId"]))
    image_id = ec2.create_image(
        InstanceId=first["InstanceId"], Name=name("captured"), NoReboot=True
    )["ImageId"]
    (image,) = ec2.describe_images(ImageIds=[image_id])["Images"]
    assert image["SourceInstanceId"] == first["InstanceId"]
    # the copy boots without user data, yet has the file the first instance's user data made
    second = run(image_id, UserData="#!/bin/sh\ncat made-at-boot.txt\n")
    wait_for(lambda: "made by user data" in _console(ec2, second["InstanceId"]))


def test_deregister(ec2: Any, name: Callable[[str], str], aws_error: Error) -> None:
    image_id = ec2.register_image(Name=name("gone"))["ImageId"]
    ec2.deregister_image(ImageId=image_id)
    with pytest.raises(ClientError) as raised:
        ec2.describe_images(ImageIds=[image_id])
    assert aws_error(raised.value) == (
        "InvalidAMIID.NotFound",
        f"The image id '[{image_id}]' does not exist",
        400,
    )


@pytest.mark.parametrize(
    ("image_id", "expected"),
    [
        (
            "ami-0123456789abcdef0",
            ("InvalidAMIID.NotFound", "The image id '[ami-0123456789abcdef0]' does not exist"),
        ),
        ("ami-xyz", ("InvalidAMIID.Malformed", 'Invalid id: "ami-xyz" (expecting "ami-...")')),
    ],
)
def test_unknown_images(
    ec2: Any, image_id: str, expected: tuple[str, str], aws_error: Error
) -> None:
    with pytest.raises(ClientError) as raised:
        ec2.describe_images(ImageIds=[image_id])
    assert aws_error(raised.value) == (*expected, 400)


def test_image_names_are_unique(ec2: Any, name: Callable[[str], str], aws_error: Error) -> None:
    image_name = name("same")
    image_id = ec2.register_image(Name=image_name)["ImageId"]
    with pytest.raises(ClientError) as raised:
        ec2.register_image(Name=image_name)
    assert aws_error(raised.value) == (
        "InvalidAMIName.Duplicate",
        f"AMI name {image_name} is already in use by AMI {image_id}",
        400,
    )


def test_built_in_images_cannot_be_deregistered(
    ec2: Any, images: dict[str, str], aws_error: Error
) -> None:
    with pytest.raises(ClientError) as raised:
        ec2.deregister_image(ImageId=images["cloudlet-base"])
    assert aws_error(raised.value) == (
        "AuthFailure",
        f"Not authorized for image:{images['cloudlet-base']}",
        400,
    )


def test_register_from_a_missing_directory(ec2: Any, tmp_path: Path, aws_error: Error) -> None:
    with pytest.raises(ClientError) as raised:
        ec2.register_image(Name="nowhere", ImageLocation=str(tmp_path / "absent"))
    code, message, status = aws_error(raised.value)
    assert (code, status) == ("InvalidParameterValue", 400)
    assert "from a local directory" in message


def _get(host: str, port: int, path: str) -> tuple[int, bytes] | None:
    try:
        return http_get(host, port, path)
    except OSError:
        return None


def _console(ec2: Any, instance_id: str) -> str:
    return str(ec2.get_console_output(InstanceId=instance_id).get("Output") or "")
