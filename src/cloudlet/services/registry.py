"""The services cloudlet serves and how a request is matched to one.

Nothing here imports a provider or loads a botocore model: that happens on a service's first use,
so start-up stays fast. `SERVICES` is the one list to extend when a service is added; a meta-test
checks every entry's signing name and target prefix against botocore's model.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cloudlet.services.base import Provider


@dataclass(frozen=True)
class ServiceSpec:
    """One served AWS service."""

    name: str
    """botocore's service name (`boto3.client(name)`)."""
    signing_name: str
    """The SigV4 credential-scope service (`monitoring` for CloudWatch, ...)."""
    provider: str
    """`module:Class` of the provider, imported on first use."""
    target_prefix: str | None = None
    """`X-Amz-Target` prefix for JSON-protocol services."""
    global_service: bool = False
    """IAM-style services whose resources belong to the account, not a region."""

    def load_provider_class(self) -> type[Provider]:
        module_name, _, class_name = self.provider.partition(":")
        cls: type[Provider] = getattr(importlib.import_module(module_name), class_name)
        return cls


SERVICES: dict[str, ServiceSpec] = {
    spec.name: spec
    for spec in (
        ServiceSpec("sts", "sts", "cloudlet.services.sts.provider:StsProvider"),
        ServiceSpec(
            "iam", "iam", "cloudlet.services.iam.provider:IamProvider", global_service=True
        ),
        ServiceSpec(
            "logs", "logs", "cloudlet.services.logs.provider:LogsProvider", "Logs_20140328"
        ),
        ServiceSpec("lambda", "lambda", "cloudlet.services.lambda_.provider:LambdaProvider"),
        ServiceSpec(
            "dynamodb",
            "dynamodb",
            "cloudlet.services.dynamodb.provider:DynamoDBProvider",
            "DynamoDB_20120810",
        ),
        ServiceSpec(
            "dynamodbstreams",
            "dynamodb",
            "cloudlet.services.dynamodb.streams_provider:DynamoDBStreamsProvider",
            "DynamoDBStreams_20120810",
        ),
        ServiceSpec(
            "cloudwatch",
            "monitoring",
            "cloudlet.services.cloudwatch.provider:CloudWatchProvider",
            "GraniteServiceVersion20100801",
        ),
        ServiceSpec(
            "elasticache",
            "elasticache",
            "cloudlet.services.elasticache.provider:ElastiCacheProvider",
        ),
        ServiceSpec("ec2", "ec2", "cloudlet.services.ec2.provider:Ec2Provider"),
        ServiceSpec(
            "autoscaling",
            "autoscaling",
            "cloudlet.services.autoscaling.provider:AutoScalingProvider",
        ),
        ServiceSpec(
            "elbv2", "elasticloadbalancing", "cloudlet.services.elbv2.provider:Elbv2Provider"
        ),
        ServiceSpec(
            "stepfunctions",
            "states",
            "cloudlet.services.stepfunctions.provider:StepFunctionsProvider",
            "AWSStepFunctions",
        ),
        ServiceSpec(
            "service-quotas",
            "servicequotas",
            "cloudlet.services.servicequotas.provider:ServiceQuotasProvider",
            "ServiceQuotasV20190624",
        ),
    )
}

BY_TARGET_PREFIX: dict[str, ServiceSpec] = {
    spec.target_prefix: spec for spec in SERVICES.values() if spec.target_prefix
}

BY_SIGNING_NAME: dict[str, list[ServiceSpec]] = {}
for _spec in SERVICES.values():
    BY_SIGNING_NAME.setdefault(_spec.signing_name, []).append(_spec)
