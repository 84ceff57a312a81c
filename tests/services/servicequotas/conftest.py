"""Service Quotas clients for the test's own account (`account`), in us-east-1 or any region."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def quotas_in(aws_client: Callable[..., Any], account: str) -> Callable[[str], Any]:
    """`quotas_in("eu-west-1")`: a Service Quotas client for the test's account in that region."""

    def make(region: str) -> Any:
        return aws_client("service-quotas", account=account, region_name=region)

    return make


@pytest.fixture
def quotas(quotas_in: Callable[[str], Any]) -> Any:
    """In us-east-1, the only region that also serves global quotas (IAM, CloudFront)."""
    return quotas_in("us-east-1")
