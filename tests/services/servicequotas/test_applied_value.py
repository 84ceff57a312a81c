"""`applied_value`, the in-process API services read their limits through (a direct platform)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from cloudlet.platform.store import Documents
from cloudlet.services.servicequotas import applied_value, set_applied_value

ACCOUNT = "123456789012"


def test_default_until_raised(direct: Any) -> None:
    platform = direct.platform
    assert applied_value(platform, ACCOUNT, "us-east-1", "lambda", "L-B99A9384") == 1000.0
    direct.call(
        "service-quotas",
        "RequestServiceQuotaIncrease",
        account=ACCOUNT,
        ServiceCode="lambda",
        QuotaCode="L-B99A9384",
        DesiredValue=1500.0,
    )
    assert applied_value(platform, ACCOUNT, "us-east-1", "lambda", "L-B99A9384") == 1500.0
    quota = direct.call(
        "service-quotas",
        "GetServiceQuota",
        account=ACCOUNT,
        ServiceCode="lambda",
        QuotaCode="L-B99A9384",
    )["Quota"]
    assert quota["Value"] == 1500.0
    assert applied_value(platform, ACCOUNT, "eu-west-1", "lambda", "L-B99A9384") == 1000.0
    assert applied_value(platform, "999999999999", "us-east-1", "lambda", "L-B99A9384") == 1000.0


def test_global_quota_applies_in_every_region(direct: Any) -> None:
    direct.call(
        "service-quotas",
        "RequestServiceQuotaIncrease",
        account=ACCOUNT,
        ServiceCode="iam",
        QuotaCode="L-FE177D64",
        DesiredValue=2000.0,
    )
    for region in ("us-east-1", "eu-west-1", "ap-southeast-2"):
        assert applied_value(direct.platform, ACCOUNT, region, "iam", "L-FE177D64") == 2000.0


def test_set_applied_value(direct: Any) -> None:
    platform = direct.platform
    assert applied_value(platform, ACCOUNT, "eu-west-1", "autoscaling", "L-CDE20ADC") == 500.0
    set_applied_value(platform, ACCOUNT, "eu-west-1", "autoscaling", "L-CDE20ADC", 750)
    assert applied_value(platform, ACCOUNT, "eu-west-1", "autoscaling", "L-CDE20ADC") == 750.0
    quota = direct.call(
        "service-quotas",
        "GetServiceQuota",
        account=ACCOUNT,
        region="eu-west-1",
        ServiceCode="autoscaling",
        QuotaCode="L-CDE20ADC",
    )["Quota"]
    assert quota["Value"] == 750.0


@pytest.mark.parametrize(("service", "code"), [("lambda", "L-CDE20ADC"), ("ec9", "L-B99A9384")])
def test_unknown_quota_is_a_key_error(direct: Any, service: str, code: str) -> None:
    with pytest.raises(KeyError, match=f"no quota {service}/{code}"):
        applied_value(direct.platform, ACCOUNT, "us-east-1", service, code)


def test_memo_is_cleared_by_reset(direct: Any) -> None:
    platform = direct.platform
    set_applied_value(platform, ACCOUNT, "us-east-1", "lambda", "L-B99A9384", 4000)
    assert applied_value(platform, ACCOUNT, "us-east-1", "lambda", "L-B99A9384") == 4000.0
    platform.store.wipe()
    asyncio.run(direct.provider("service-quotas").reset())
    assert applied_value(platform, ACCOUNT, "us-east-1", "lambda", "L-B99A9384") == 1000.0


@pytest.mark.parametrize(("loaded", "after_wipe"), [([], 1000.0), (["service-quotas"], 3000.0)])
def test_memoised_only_while_the_provider_is_loaded(
    direct: Any, loaded: list[str], after_wipe: float
) -> None:
    """A wipe reaches the memo through the provider's reset; without a provider there is no memo."""
    platform = SimpleNamespace(
        store=direct.platform.store, services=SimpleNamespace(loaded=lambda: loaded)
    )
    Documents(platform.store, "servicequotas").put(
        ACCOUNT, "us-east-1", "applied", "lambda/L-B99A9384", {"value": 3000.0}
    )
    assert applied_value(platform, ACCOUNT, "us-east-1", "lambda", "L-B99A9384") == 3000.0
    platform.store.wipe()
    assert applied_value(platform, ACCOUNT, "us-east-1", "lambda", "L-B99A9384") == after_wipe
