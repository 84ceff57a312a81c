"""Launch templates: versions, default version, describe filters, delete, launching from one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from ec2_support import wait_state

Error = Callable[[Any], tuple[str, str, int]]


def test_versions_and_default(ec2: Any, name: Callable[[str], str], account: str) -> None:
    template_name = name("lt")
    created = ec2.create_launch_template(
        LaunchTemplateName=template_name,
        VersionDescription="first",
        LaunchTemplateData={"InstanceType": "t2.micro", "ImageId": "ami-0123456789abcdef0"},
        TagSpecifications=[
            {"ResourceType": "launch-template", "Tags": [{"Key": "k", "Value": "v"}]}
        ],
    )["LaunchTemplate"]
    assert created["DefaultVersionNumber"] == 1
    assert created["LatestVersionNumber"] == 1
    assert created["CreatedBy"] == f"arn:aws:iam::{account}:root"
    assert created["Tags"] == [{"Key": "k", "Value": "v"}]
    template_id = created["LaunchTemplateId"]
    second = ec2.create_launch_template_version(
        LaunchTemplateId=template_id,
        SourceVersion="1",
        LaunchTemplateData={"InstanceType": "t3.small"},
    )["LaunchTemplateVersion"]
    assert second["VersionNumber"] == 2
    assert second["DefaultVersion"] is False
    assert second["LaunchTemplateData"] == {
        "InstanceType": "t3.small",
        "ImageId": "ami-0123456789abcdef0",
    }
    versions = ec2.describe_launch_template_versions(LaunchTemplateName=template_name)
    assert [v["VersionNumber"] for v in versions["LaunchTemplateVersions"]] == [2, 1]
    latest = ec2.describe_launch_template_versions(
        LaunchTemplateId=template_id, Versions=["$Latest"]
    )["LaunchTemplateVersions"]
    assert latest[0]["VersionNumber"] == 2
    modified = ec2.modify_launch_template(LaunchTemplateId=template_id, DefaultVersion="2")
    assert modified["LaunchTemplate"]["DefaultVersionNumber"] == 2
    (described,) = ec2.describe_launch_templates(LaunchTemplateNames=[template_name])[
        "LaunchTemplates"
    ]
    assert (described["DefaultVersionNumber"], described["LatestVersionNumber"]) == (2, 2)
    deleted = ec2.delete_launch_template_versions(LaunchTemplateId=template_id, Versions=["1", "2"])
    assert [v["VersionNumber"] for v in deleted["SuccessfullyDeletedLaunchTemplateVersions"]] == [1]
    (failed,) = deleted["UnsuccessfullyDeletedLaunchTemplateVersions"]
    assert failed["ResponseError"]["Code"] == "launchTemplateVersionIsDefault"
    ec2.delete_launch_template(LaunchTemplateId=template_id)
    assert (
        ec2.describe_launch_templates(
            Filters=[{"Name": "launch-template-name", "Values": [template_name]}]
        )["LaunchTemplates"]
        == []
    )


def test_template_errors(ec2: Any, name: Callable[[str], str], aws_error: Error) -> None:
    template_name = name("lt")
    ec2.create_launch_template(
        LaunchTemplateName=template_name, LaunchTemplateData={"InstanceType": "t2.micro"}
    )
    with pytest.raises(ClientError) as raised:
        ec2.create_launch_template(
            LaunchTemplateName=template_name, LaunchTemplateData={"InstanceType": "t2.micro"}
        )
    assert aws_error(raised.value) == (
        "InvalidLaunchTemplateName.AlreadyExistsException",
        "Launch template name already in use.",
        400,
    )
    with pytest.raises(ClientError) as raised:
        ec2.describe_launch_template_versions(LaunchTemplateName="nope-" + template_name)
    assert aws_error(raised.value) == (
        "InvalidLaunchTemplateName.NotFoundException",
        f"The specified launch template, with template name nope-{template_name}, does not exist.",
        400,
    )
    with pytest.raises(ClientError) as raised:
        ec2.describe_launch_templates(LaunchTemplateIds=["lt-0123456789abcdef0"])
    assert aws_error(raised.value) == (
        "InvalidLaunchTemplateId.NotFound",
        "The specified launch template, with template ID lt-0123456789abcdef0, does not exist.",
        400,
    )


def test_run_from_a_template(
    ec2: Any, name: Callable[[str], str], images: dict[str, str], launched: list[str]
) -> None:
    template_id = ec2.create_launch_template(
        LaunchTemplateName=name("lt"),
        LaunchTemplateData={
            "ImageId": images["cloudlet-base"],
            "InstanceType": "t3.nano",
            "TagSpecifications": [
                {"ResourceType": "instance", "Tags": [{"Key": "from", "Value": "template"}]}
            ],
        },
    )["LaunchTemplate"]["LaunchTemplateId"]
    response = ec2.run_instances(
        LaunchTemplate={"LaunchTemplateId": template_id},
        MinCount=1,
        MaxCount=1,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "extra", "Value": "x"}]}],
    )
    (instance,) = response["Instances"]
    launched.append(instance["InstanceId"])
    assert instance["InstanceType"] == "t3.nano"
    assert instance["ImageId"] == images["cloudlet-base"]
    assert {t["Key"]: t["Value"] for t in instance["Tags"]} == {
        "from": "template",
        "extra": "x",
        "aws:ec2launchtemplate:id": template_id,
        "aws:ec2launchtemplate:version": "1",
    }
    wait_state(ec2, instance["InstanceId"], "running")


def test_run_from_an_unknown_template_version(
    ec2: Any, name: Callable[[str], str], images: dict[str, str], aws_error: Error
) -> None:
    template_id = ec2.create_launch_template(
        LaunchTemplateName=name("lt"), LaunchTemplateData={"ImageId": images["cloudlet-base"]}
    )["LaunchTemplate"]["LaunchTemplateId"]
    with pytest.raises(ClientError) as raised:
        ec2.run_instances(
            LaunchTemplate={"LaunchTemplateId": template_id, "Version": "7"},
            MinCount=1,
            MaxCount=1,
        )
    assert aws_error(raised.value) == (
        "InvalidLaunchTemplateId.VersionNotFound",
        f"Could not find launch template version 7 for launch template ID {template_id}.",
        400,
    )
