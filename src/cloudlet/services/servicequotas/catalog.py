"""The quotas Service Quotas knows: AWS's real service codes, quota codes, names and defaults.

Only quotas of services cloudlet serves or is about to serve are listed, each with the values AWS
publishes for it (default value, unit, whether it can be raised, whether it is global). Sources:
AWS's own quota listings (`list-aws-default-service-quotas` output recorded in AWS Resilience Hub's
tests for Lambda, the CLI examples), and public dumps of AWS's adjustable quotas
(gruntwork-io/terraform-aws-utilities `docs/quotas.md`). What was not confirmed is marked [?].

Service names are what `ListServices` answers ("AWS Lambda", "Amazon EC2 Auto Scaling", ...).
Quotas are listed by name, as AWS lists them. A global quota (IAM, CloudFront) applies to the whole
account and is served only in us-east-1: elsewhere AWS answers that the service does not exist.

To add a service: one `Service` entry with its quotas; the owning service then reads the value that
applies with `cloudlet.services.servicequotas.quotas.applied_value`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GLOBAL_REGION = "us-east-1"
"""The only region that serves global quotas."""


@dataclass(frozen=True)
class UsageMetric:
    """The CloudWatch metric that shows how much of a quota is used."""

    namespace: str
    name: str
    dimensions: dict[str, str] = field(default_factory=dict)
    statistic: str = "Maximum"
    """AWS's `MetricStatisticRecommendation`: `Maximum` or `Sum`."""


@dataclass(frozen=True)
class Quota:
    """One quota of one service, as AWS defines it."""

    code: str
    """`L-` followed by 8 hex digits."""
    name: str
    default: float
    """AWS's default value (`GetAWSDefaultServiceQuota`), the applied value until raised."""
    unit: str = "None"
    """AWS writes "None" for plain counts, else "Kilobytes", "Megabytes", "Gigabytes", ..."""
    adjustable: bool = True
    """Whether `RequestServiceQuotaIncrease` may raise it."""
    global_quota: bool = False
    """One value for the whole account, served in us-east-1 only."""
    period: tuple[int, str] | None = None
    """(PeriodValue, PeriodUnit) of a rate quota: (1, "SECOND") for "per second"."""
    usage_metric: UsageMetric | None = None


@dataclass(frozen=True)
class Service:
    """A service as `ListServices` names it, with its quotas."""

    code: str
    name: str
    quotas: tuple[Quota, ...]

    @property
    def global_only(self) -> bool:
        """All its quotas are global: the service exists in us-east-1 only."""
        return all(quota.global_quota for quota in self.quotas)

    def quota(self, code: str) -> Quota | None:
        return _QUOTAS.get((self.code, code))

    def available_in(self, region: str) -> bool:
        return region == GLOBAL_REGION or not self.global_only


_PER_SECOND = (1, "SECOND")

_SERVICES: tuple[Service, ...] = (
    Service(
        "apigateway",
        "Amazon API Gateway",
        (
            # Account-level steady-state request rate across all APIs in a region.
            Quota("L-8A5B8E43", "Throttle rate", 10000.0, period=_PER_SECOND),
            Quota("L-01C8A9E0", "Resources/Routes per REST/WebSocket API", 300.0),
            Quota("L-65B5C802", "Routes per HTTP API", 300.0),
            Quota("L-379E48B0", "Stages per API", 10.0),
            Quota("L-A93447B8", "Custom Domain Names", 120.0),
            Quota("L-E8693075", "Usage plans", 300.0),
            Quota("L-985EB478", "Usage plans per API key", 10.0),
            Quota("L-A4C7274F", "VPC links", 20.0),
            Quota("L-8B81B02C", "Maximum resource policy size in bytes", 8192.0),
        ),
    ),
    Service(
        "autoscaling",
        "Amazon EC2 Auto Scaling",
        (
            Quota("L-CDE20ADC", "Auto Scaling groups per region", 500.0),
            Quota("L-6B80B8FA", "Launch configurations per region", 200.0),
        ),
    ),
    Service(
        "cloudfront",
        "Amazon CloudFront",
        (
            Quota("L-24B04930", "Web distributions per AWS account", 200.0, global_quota=True),
            Quota("L-F432D044", "Cache behaviors per distribution", 25.0, global_quota=True),
            Quota("L-B4048FB4", "Origins per distribution", 25.0, global_quota=True),
            Quota(
                "L-AAD4943E",
                "Alternate domain names (CNAMEs) per distribution",
                100.0,
                global_quota=True,
            ),
            Quota("L-08884E5C", "Origin access identities per account", 100.0, global_quota=True),
            Quota("L-AECE9FA7", "Response timeout per origin", 60.0, global_quota=True),
        ),
    ),
    Service(
        "dynamodb",
        "Amazon DynamoDB",
        (
            Quota("L-F98FE922", "Maximum number of tables", 2500.0),
            Quota("L-F7858A77", "Global Secondary Indexes per table", 20.0),
            Quota("L-CF0CBE56", "Table-level read throughput limit", 40000.0),
            Quota("L-AB614373", "Table-level write throughput limit", 40000.0),
            Quota("L-34F6A552", "Account-level read throughput limit (Provisioned mode)", 80000.0),
            Quota("L-34F8CCC8", "Account-level write throughput limit (Provisioned mode)", 80000.0),
        ),
    ),
    Service(
        "elasticache",
        "Amazon ElastiCache",
        (
            Quota("L-DFE45DF3", "Nodes per Region", 300.0),
            Quota("L-8C334AD1", "Nodes per cluster (Memcached)", 60.0),
            Quota(
                "L-AF354865",
                "Nodes per cluster per instance type (Redis cluster mode enabled)",
                90.0,
            ),
            Quota("L-3F15A733", "Parameter groups per Region", 300.0),
            Quota("L-3E7F7726", "Subnet groups per Region", 300.0),
            Quota("L-A87EE522", "Subnets per subnet group", 20.0),
        ),
    ),
    Service(
        "events",
        "Amazon EventBridge (CloudWatch Events)",
        (
            # Per event bus; PutEvents' rate varies by region (10,000 in us-east-1).
            Quota("L-244521F2", "Number of rules", 300.0),
            Quota("L-658A4FD9", "Event buses", 100.0),
            Quota("L-664C5505", "Event pattern size", 2048.0),  # bytes; unit [?]
            Quota(
                "L-9B653E91",
                "PutEvents throttle limit in transactions per second",
                10000.0,
                period=_PER_SECOND,
            ),
            Quota(
                "L-5540C5E3",
                "Invocations throttle limit in transactions per second",
                18750.0,
                period=_PER_SECOND,
            ),
            Quota(
                "L-3C47459F",
                "Throttle limit in transactions per second",
                50.0,
                period=_PER_SECOND,
            ),
        ),
    ),
    Service(
        "iam",
        "AWS Identity and Access Management (IAM)",
        (
            Quota("L-FE177D64", "Roles per account", 1000.0, global_quota=True),
            Quota("L-E95E4862", "Customer managed policies per account", 1500.0, global_quota=True),
            Quota("L-F4A5425F", "Groups per account", 300.0, global_quota=True),
            Quota("L-6E65F664", "Instance profiles per account", 1000.0, global_quota=True),
            Quota("L-0DA4ABF3", "Managed policies per role", 10.0, global_quota=True),
            Quota("L-4019AD8B", "Managed policies per user", 10.0, global_quota=True),
            Quota("L-BF35879D", "Server certificates per account", 20.0, global_quota=True),
        ),
    ),
    Service(
        "lambda",
        "AWS Lambda",
        (
            Quota(
                "L-B99A9384",
                "Concurrent executions",
                1000.0,
                usage_metric=UsageMetric("AWS/Lambda", "ConcurrentExecutions"),
            ),
            Quota("L-2ACBD22F", "Function and layer storage", 75.0, unit="Gigabytes"),  # unit [?]
            Quota("L-9FEE3D26", "Elastic network interfaces per VPC", 250.0),
            Quota("L-7C0F49F9", "Asynchronous payload", 256.0, "Kilobytes", adjustable=False),
            Quota("L-548AE339", "Burst concurrency", 3000.0, adjustable=False),
            Quota(
                "L-8E39F3F1",
                "Deployment package size (console editor)",
                3.0,
                "Megabytes",
                adjustable=False,
            ),
            Quota(
                "L-75F48B05",
                "Deployment package size (direct upload)",
                50.0,
                "Megabytes",
                adjustable=False,
            ),
            Quota(
                "L-E49FF7B8",
                "Deployment package size (unzipped)",
                250.0,
                "Megabytes",
                adjustable=False,
            ),
            Quota("L-6581F036", "Environment variable size", 4.0, "Kilobytes", adjustable=False),
        ),
    ),
    Service(
        "logs",
        "Amazon CloudWatch Logs",
        (
            Quota("L-C7B9AAAB", "Log groups", 1000000.0),
            Quota(
                "L-7E1FAE88",
                "PutLogEvents throttle limit in transactions per second",
                5000.0,
                period=_PER_SECOND,
            ),
        ),
    ),
)

SERVICES: dict[str, Service] = {
    service.code: service for service in sorted(_SERVICES, key=lambda s: s.code)
}
"""Services by code, in `ListServices` order."""

_QUOTAS: dict[tuple[str, str], Quota] = {
    (service.code, quota.code): quota for service in _SERVICES for quota in service.quotas
}


def service(code: str) -> Service | None:
    return SERVICES.get(code)


def quota(service_code: str, quota_code: str) -> Quota | None:
    return _QUOTAS.get((service_code, quota_code))


def quotas(service_code: str) -> list[Quota]:
    """A service's quotas in AWS's listing order (by name)."""
    found = SERVICES.get(service_code)
    return sorted(found.quotas, key=lambda q: q.name) if found else []
