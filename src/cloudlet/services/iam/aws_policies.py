"""AWS managed policies (`arn:aws:iam::aws:policy/...`).

AWS publishes over a thousand; cloudlet ships the ones templates and tutorials attach most, with
documents that grant the same services (simplified: one statement each). Any other AWS managed ARN
is accepted as well, with an empty statement list, so that attaching a policy cloudlet does not
list never breaks a deployment. Only the listed ones appear in `ListPolicies`.
"""

from __future__ import annotations

import json
import re

from cloudlet.services.iam.identity import stable_id
from cloudlet.services.iam.models import ManagedPolicy, PolicyVersion

AWS_POLICY_ARN = re.compile(r"^arn:aws:iam::aws:policy(/(?:[\x21-\x7e]*/)?)([\w+=,.@-]+)$")

_PUBLISHED = 1423180800.0
"""2015-02-06, when IAM managed policies appeared."""

_CATALOG: dict[str, tuple[str, list[str] | str]] = {
    "AdministratorAccess": ("/", "*"),
    "PowerUserAccess": ("/", "*"),
    "ReadOnlyAccess": ("/", ["*:Describe*", "*:Get*", "*:List*"]),
    "IAMFullAccess": ("/", "iam:*"),
    "AmazonS3FullAccess": ("/", "s3:*"),
    "AmazonS3ReadOnlyAccess": ("/", ["s3:Get*", "s3:List*"]),
    "AmazonDynamoDBFullAccess": ("/", "dynamodb:*"),
    "AmazonSQSFullAccess": ("/", "sqs:*"),
    "AmazonSNSFullAccess": ("/", "sns:*"),
    "AmazonEC2FullAccess": ("/", "ec2:*"),
    "AmazonElastiCacheFullAccess": ("/", "elasticache:*"),
    "AutoScalingFullAccess": ("/", "autoscaling:*"),
    "AWSLambda_FullAccess": ("/", "lambda:*"),
    "AWSStepFunctionsFullAccess": ("/", "states:*"),
    "CloudWatchFullAccess": ("/", "cloudwatch:*"),
    "CloudWatchLogsFullAccess": ("/", "logs:*"),
    "AmazonSSMManagedInstanceCore": ("/", ["ssm:*", "ssmmessages:*", "ec2messages:*"]),
    "CloudWatchAgentServerPolicy": ("/", ["cloudwatch:PutMetricData", "logs:*"]),
    "AWSXRayDaemonWriteAccess": ("/", ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]),
    "AWSLambdaBasicExecutionRole": (
        "/service-role/",
        ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
    ),
    "AWSLambdaVPCAccessExecutionRole": (
        "/service-role/",
        [
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
            "ec2:CreateNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DeleteNetworkInterface",
        ],
    ),
    "AWSLambdaDynamoDBExecutionRole": (
        "/service-role/",
        [
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams",
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
        ],
    ),
    "AWSLambdaSQSQueueExecutionRole": (
        "/service-role/",
        [
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
        ],
    ),
    "AWSLambdaRole": ("/service-role/", "lambda:InvokeFunction"),
    "AmazonEC2RoleforSSM": (
        "/service-role/",
        ["ssm:*", "ec2messages:*", "cloudwatch:PutMetricData"],
    ),
    "AutoScalingNotificationAccessRole": ("/service-role/", ["sqs:SendMessage", "sns:Publish"]),
}


def _document(actions: list[str] | str) -> str:
    statement = {"Effect": "Allow", "Action": actions, "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=4)


def _policy(name: str, path: str, document: str) -> ManagedPolicy:
    arn = f"arn:aws:iam::aws:policy{path}{name}"
    return ManagedPolicy(
        name=name,
        id=stable_id("ANPA", arn),
        path=path,
        arn=arn,
        create_date=_PUBLISHED,
        update_date=_PUBLISHED,
        versions=[PolicyVersion("v1", document, _PUBLISHED)],
    )


def aws_policy(arn: str) -> ManagedPolicy | None:
    """The AWS managed policy `arn` names; None when it is not an AWS managed ARN or names a
    listed policy under the wrong path."""
    match = AWS_POLICY_ARN.match(arn)
    if match is None:
        return None
    path, name = match.group(1), match.group(2)
    known = _CATALOG.get(name)
    if known is not None:
        # A known policy under the wrong path does not exist, as in AWS (a classic mistake:
        # `policy/AWSLambdaBasicExecutionRole` without `service-role/`).
        return _policy(name, path, _document(known[1])) if known[0] == path else None
    return _policy(name, path, json.dumps({"Version": "2012-10-17", "Statement": []}))


def catalog() -> list[ManagedPolicy]:
    """The AWS managed policies `ListPolicies` shows, by name."""
    return [
        _policy(name, path, _document(actions))
        for name, (path, actions) in sorted(_CATALOG.items(), key=lambda kv: kv[0].lower())
    ]
