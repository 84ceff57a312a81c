"""Service Quotas' errors, with AWS's codes and messages.

Codes are botocore's error shape names; every one of them is HTTP 400 on the wire (JSON 1.1).
Messages marked [?] were not seen in an AWS response; the others were.
"""

from __future__ import annotations

from cloudlet.errors import ServiceError


def no_such_service() -> ServiceError:
    """An unknown service code, or a global-only service asked outside us-east-1."""
    return ServiceError(
        "The request failed because the specified service does not exist.",
        code="NoSuchResourceException",
    )


def no_such_quota(service_code: str, quota_code: str) -> ServiceError:
    # [?] AWS's wording for an unknown quota code of a known service.
    return ServiceError(
        f"The request failed because the specified quota {quota_code} does not exist for "
        f"service {service_code}.",
        code="NoSuchResourceException",
    )


def no_such_context() -> ServiceError:
    """`ContextId` given for a quota that has no resource-level values (AWS's grammar)."""
    return ServiceError(
        "The request failed because applied value for the specified context Id do not exist.",
        code="NoSuchResourceException",
    )


def no_such_request() -> ServiceError:
    # [?]
    return ServiceError(
        "The request failed because the specified quota increase request does not exist.",
        code="NoSuchResourceException",
    )


def no_such_resource() -> ServiceError:
    # [?] TagResource & co. on an ARN that names no quota of this account and region.
    return ServiceError(
        "The request failed because the specified resource does not exist.",
        code="NoSuchResourceException",
    )


def not_adjustable() -> ServiceError:
    return ServiceError(
        "The request failed because the specified quota is not adjustable.",
        code="IllegalArgumentException",
    )


def not_an_increase() -> ServiceError:
    """`DesiredValue` not above the applied value (AWS's message has no full stop)."""
    return ServiceError(
        "You must provide a quota value greater than the current quota value",
        code="IllegalArgumentException",
    )


def illegal_argument(message: str) -> ServiceError:
    return ServiceError(message, code="IllegalArgumentException")


def invalid_token() -> ServiceError:
    # [?]
    return ServiceError("Invalid pagination token.", code="InvalidPaginationTokenException")


def too_many_tags(limit: int) -> ServiceError:
    # [?]
    return ServiceError(
        f"You've exceeded the number of tags allowed for a resource ({limit}).",
        code="TooManyTagsException",
    )
