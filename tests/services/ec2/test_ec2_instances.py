"""Instances through the API: RunInstances, Describe*, state transitions, tags, filters, errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from ec2_support import instance, wait_state

Error = Callable[[Any], tuple[str, str, int]]


def test_run_describe_and_terminate(
    ec2: Any, images: dict[str, str], account: str, launched: list[str]
) -> None:
    response = ec2.run_instances(
        ImageId=images["cloudlet-base"],
        MinCount=2,
        MaxCount=2,
        InstanceType="t3.micro",
        Placement={"AvailabilityZone": "us-east-1b"},
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "pair"}]}
        ],
    )
    assert response["OwnerId"] == account
    assert response["ReservationId"].startswith("r-")
    first, second = response["Instances"]
    launched.extend([first["InstanceId"], second["InstanceId"]])
    assert first["State"] == {"Code": 0, "Name": "pending"}
    assert (first["AmiLaunchIndex"], second["AmiLaunchIndex"]) == (0, 1)
    assert first["Placement"]["AvailabilityZone"] == "us-east-1b"
    assert first["PrivateIpAddress"].startswith("127.")
    assert first["PrivateIpAddress"] != second["PrivateIpAddress"]
    dashed = first["PrivateIpAddress"].replace(".", "-")
    assert first["PrivateDnsName"] == f"ip-{dashed}.ec2.internal"
    assert first["Monitoring"] == {"State": "disabled"}
    assert first["SecurityGroups"][0]["GroupName"] == "default"
    running = wait_state(ec2, first["InstanceId"], "running")
    assert running["State"] == {"Code": 16, "Name": "running"}
    reservations = ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": ["pair"]}])[
        "Reservations"
    ]
    assert len(reservations) == 1
    assert len(reservations[0]["Instances"]) == 2
    changes = ec2.terminate_instances(InstanceIds=[first["InstanceId"]])["TerminatingInstances"]
    assert changes[0]["PreviousState"]["Name"] == "running"
    assert changes[0]["CurrentState"] == {"Code": 32, "Name": "shutting-down"}
    gone = wait_state(ec2, first["InstanceId"], "terminated")
    assert gone["StateReason"]["Code"] == "Client.UserInitiatedShutdown"
    assert gone["StateTransitionReason"].startswith("User initiated (")
    assert "PrivateIpAddress" not in gone


def test_stop_and_start(ec2: Any, run: Callable[..., dict[str, Any]]) -> None:
    started = run("cloudlet-base")
    instance_id = started["InstanceId"]
    stopping = ec2.stop_instances(InstanceIds=[instance_id])["StoppingInstances"][0]
    assert stopping["CurrentState"]["Name"] == "stopping"
    stopped = wait_state(ec2, instance_id, "stopped")
    assert stopped["PrivateIpAddress"] == started["PrivateIpAddress"]
    assert stopped["StateReason"]["Message"] == (
        "Client.UserInitiatedShutdown: User initiated shutdown"
    )
    again = ec2.stop_instances(InstanceIds=[instance_id])["StoppingInstances"][0]
    assert again["PreviousState"]["Name"] == again["CurrentState"]["Name"] == "stopped"
    starting = ec2.start_instances(InstanceIds=[instance_id])["StartingInstances"][0]
    assert starting["PreviousState"]["Name"] == "stopped"
    assert starting["CurrentState"]["Name"] == "pending"
    back = wait_state(ec2, instance_id, "running")
    assert "StateReason" not in back


def test_instance_status(ec2: Any, run: Callable[..., dict[str, Any]]) -> None:
    started = run("cloudlet-base")
    (status,) = ec2.describe_instance_status(InstanceIds=[started["InstanceId"]])[
        "InstanceStatuses"
    ]
    assert status["InstanceState"]["Name"] == "running"
    assert status["InstanceStatus"]["Status"] == "ok"
    assert status["SystemStatus"]["Details"] == [{"Name": "reachability", "Status": "passed"}]
    ec2.stop_instances(InstanceIds=[started["InstanceId"]])
    wait_state(ec2, started["InstanceId"], "stopped")
    assert (
        ec2.describe_instance_status(InstanceIds=[started["InstanceId"]])["InstanceStatuses"] == []
    )
    (status,) = ec2.describe_instance_status(
        InstanceIds=[started["InstanceId"]], IncludeAllInstances=True
    )["InstanceStatuses"]
    assert status["InstanceStatus"]["Status"] == "not-applicable"


def test_filters(ec2: Any, run: Callable[..., dict[str, Any]]) -> None:
    started = run("cloudlet-base", InstanceType="t3.nano")
    instance_id = started["InstanceId"]

    def ids(*filters: dict[str, Any]) -> list[str]:
        reservations = ec2.describe_instances(Filters=list(filters))["Reservations"]
        return [i["InstanceId"] for r in reservations for i in r["Instances"]]

    assert ids({"Name": "instance-type", "Values": ["t3.nano"]}) == [instance_id]
    assert ids({"Name": "instance-state-name", "Values": ["running"]}) == [instance_id]
    assert ids({"Name": "instance-state-code", "Values": ["16"]}) == [instance_id]
    assert ids({"Name": "private-ip-address", "Values": [started["PrivateIpAddress"]]}) == [
        instance_id
    ]
    assert ids({"Name": "instance-type", "Values": ["t3.*"]}) == [instance_id]
    assert ids({"Name": "instance-type", "Values": ["m5.large"]}) == []


def test_tags(ec2: Any, run: Callable[..., dict[str, Any]]) -> None:
    instance_id = run("cloudlet-base", wait=False)["InstanceId"]
    ec2.create_tags(Resources=[instance_id], Tags=[{"Key": "team", "Value": "web"}])
    ec2.create_tags(Resources=[instance_id], Tags=[{"Key": "env", "Value": "dev"}])
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [instance_id]}])["Tags"]
    assert tags == [
        {"ResourceId": instance_id, "ResourceType": "instance", "Key": "env", "Value": "dev"},
        {"ResourceId": instance_id, "ResourceType": "instance", "Key": "team", "Value": "web"},
    ]
    ec2.delete_tags(Resources=[instance_id], Tags=[{"Key": "team", "Value": "other"}])
    assert len(instance(ec2, instance_id)["Tags"]) == 2
    ec2.delete_tags(Resources=[instance_id], Tags=[{"Key": "team"}])
    assert instance(ec2, instance_id)["Tags"] == [{"Key": "env", "Value": "dev"}]


def test_instance_types(ec2: Any) -> None:
    types = ec2.describe_instance_types(InstanceTypes=["t2.micro", "m5.large"])["InstanceTypes"]
    by_name = {t["InstanceType"]: t for t in types}
    assert by_name["t2.micro"]["VCpuInfo"]["DefaultVCpus"] == 1
    assert by_name["t2.micro"]["MemoryInfo"]["SizeInMiB"] == 1024
    assert by_name["t2.micro"]["FreeTierEligible"] is True
    assert by_name["m5.large"]["VCpuInfo"] == {
        "DefaultVCpus": 2,
        "DefaultCores": 1,
        "DefaultThreadsPerCore": 2,
    }
    assert by_name["m5.large"]["MemoryInfo"]["SizeInMiB"] == 8192
    small = ec2.describe_instance_types(
        Filters=[{"Name": "vcpu-info.default-vcpus", "Values": ["1"]}]
    )["InstanceTypes"]
    assert "t2.micro" in {t["InstanceType"] for t in small}


def test_monitoring(ec2: Any, run: Callable[..., dict[str, Any]]) -> None:
    instance_id = run("cloudlet-base", wait=False)["InstanceId"]
    changes = ec2.monitor_instances(InstanceIds=[instance_id])["InstanceMonitorings"]
    assert changes == [{"InstanceId": instance_id, "Monitoring": {"State": "pending"}}]
    assert instance(ec2, instance_id)["Monitoring"] == {"State": "enabled"}
    ec2.unmonitor_instances(InstanceIds=[instance_id])
    assert instance(ec2, instance_id)["Monitoring"] == {"State": "disabled"}


def test_termination_protection(
    ec2: Any, run: Callable[..., dict[str, Any]], aws_error: Error
) -> None:
    instance_id = run("cloudlet-base", DisableApiTermination=True)["InstanceId"]
    with pytest.raises(ClientError) as raised:
        ec2.terminate_instances(InstanceIds=[instance_id])
    assert aws_error(raised.value) == (
        "OperationNotPermitted",
        f"The instance '{instance_id}' may not be terminated. Modify its 'disableApiTermination'"
        " instance attribute and try again.",
        400,
    )
    ec2.modify_instance_attribute(InstanceId=instance_id, DisableApiTermination={"Value": False})
    attribute = ec2.describe_instance_attribute(
        InstanceId=instance_id, Attribute="disableApiTermination"
    )
    assert attribute["DisableApiTermination"] == {"Value": False}
    ec2.terminate_instances(InstanceIds=[instance_id])
    wait_state(ec2, instance_id, "terminated")


def test_instance_type_changes_only_when_stopped(
    ec2: Any, run: Callable[..., dict[str, Any]], aws_error: Error
) -> None:
    instance_id = run("cloudlet-base")["InstanceId"]
    with pytest.raises(ClientError) as raised:
        ec2.modify_instance_attribute(InstanceId=instance_id, InstanceType={"Value": "t3.large"})
    assert aws_error(raised.value) == (
        "IncorrectInstanceState",
        f"The instance '{instance_id}' is not in the 'stopped' state.",
        400,
    )
    ec2.stop_instances(InstanceIds=[instance_id])
    wait_state(ec2, instance_id, "stopped")
    ec2.modify_instance_attribute(InstanceId=instance_id, InstanceType={"Value": "t3.large"})
    assert instance(ec2, instance_id)["InstanceType"] == "t3.large"


def test_terminated_instances_cannot_start(
    ec2: Any, run: Callable[..., dict[str, Any]], aws_error: Error
) -> None:
    instance_id = run("cloudlet-base")["InstanceId"]
    ec2.terminate_instances(InstanceIds=[instance_id])
    wait_state(ec2, instance_id, "terminated")
    with pytest.raises(ClientError) as raised:
        ec2.start_instances(InstanceIds=[instance_id])
    assert aws_error(raised.value) == (
        "IncorrectInstanceState",
        f"The instance '{instance_id}' is not in a state from which it can be started.",
        400,
    )
    again = ec2.terminate_instances(InstanceIds=[instance_id])["TerminatingInstances"][0]
    assert again["CurrentState"]["Name"] == "terminated"


def test_client_token_is_idempotent(
    ec2: Any, images: dict[str, str], launched: list[str], name: Callable[[str], str]
) -> None:
    token = name("token")
    first = ec2.run_instances(
        ImageId=images["cloudlet-base"], MinCount=1, MaxCount=1, ClientToken=token
    )
    launched.append(first["Instances"][0]["InstanceId"])
    second = ec2.run_instances(
        ImageId=images["cloudlet-base"], MinCount=1, MaxCount=1, ClientToken=token
    )
    assert second["Instances"][0]["InstanceId"] == first["Instances"][0]["InstanceId"]
    assert second["ReservationId"] == first["ReservationId"]
    token = name("pair")
    pair = ec2.run_instances(
        ImageId=images["cloudlet-base"], MinCount=2, MaxCount=2, ClientToken=token
    )
    launched += [i["InstanceId"] for i in pair["Instances"]]
    again = ec2.run_instances(
        ImageId=images["cloudlet-base"], MinCount=2, MaxCount=2, ClientToken=token
    )
    assert [i["InstanceId"] for i in again["Instances"]] == launched[-2:]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"ImageId": "ami-0123456789abcdef0"},
            ("InvalidAMIID.NotFound", "The image id '[ami-0123456789abcdef0]' does not exist"),
        ),
        (
            {"InstanceType": "x9.huge"},
            ("InvalidParameterValue", "Invalid value 'x9.huge' for InstanceType."),
        ),
        (
            {"SubnetId": "subnet-0123456789abcdef0"},
            (
                "InvalidSubnetID.NotFound",
                "The subnet ID 'subnet-0123456789abcdef0' does not exist",
            ),
        ),
        (
            {"KeyName": "no-such-key"},
            ("InvalidKeyPair.NotFound", "The key pair 'no-such-key' does not exist"),
        ),
        (
            {"SecurityGroupIds": ["sg-0123456789abcdef0"]},
            ("InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist"),
        ),
        (
            {"IamInstanceProfile": {"Name": "no-such-profile"}},
            (
                "InvalidParameterValue",
                "Value (no-such-profile) for parameter iamInstanceProfile.name is invalid."
                " Invalid IAM Instance Profile name",
            ),
        ),
        (
            {"MinCount": 3, "MaxCount": 2},
            (
                "InvalidParameterValue",
                "Invalid value '3' for minCount. Must be less than or equal to maxCount",
            ),
        ),
        (
            {"DryRun": True},
            ("DryRunOperation", "Request would have succeeded, but DryRun flag is set."),
        ),
    ],
)
def test_bad_launches(
    ec2: Any,
    images: dict[str, str],
    params: dict[str, Any],
    expected: tuple[str, str],
    aws_error: Error,
) -> None:
    request = {"ImageId": images["cloudlet-base"], "MinCount": 1, "MaxCount": 1, **params}
    with pytest.raises(ClientError) as raised:
        ec2.run_instances(**request)
    code, message, status = aws_error(raised.value)
    assert (code, message) == expected
    assert status == (412 if code == "DryRunOperation" else 400)
    assert ec2.describe_instances()["Reservations"] == []


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        (
            ["i-0123456789abcdef0"],
            ("InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist"),
        ),
        (
            ["i-0123456789abcdef0", "i-0123456789abcdef1"],
            (
                "InvalidInstanceID.NotFound",
                "The instance IDs 'i-0123456789abcdef0, i-0123456789abcdef1' do not exist",
            ),
        ),
        (["bogus"], ("InvalidInstanceID.Malformed", 'Invalid id: "bogus"')),
    ],
)
def test_unknown_instances(
    ec2: Any, ids: list[str], expected: tuple[str, str], aws_error: Error
) -> None:
    with pytest.raises(ClientError) as raised:
        ec2.describe_instances(InstanceIds=ids)
    assert aws_error(raised.value) == (*expected, 400)
