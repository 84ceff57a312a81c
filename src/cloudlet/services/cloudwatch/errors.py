"""CloudWatch's errors, named by botocore error shape (the protocol layer writes the query codes).

CloudWatch answers every protocol (CBOR, JSON 1.0, query) with its query error codes:
`InvalidParameterValue`, `InvalidParameterCombination`, `MissingParameter`, `ResourceNotFound`,
`LimitExceeded`, `InvalidFormat`, `InvalidNextToken`, and `ValidationError` for the newer
operations (GetMetricData, alarm rules), which AWS validates with Coral-style messages.
"""

from __future__ import annotations

from cloudlet.errors import ServiceError


def invalid_value(message: str) -> ServiceError:
    """`InvalidParameterValue` (400)."""
    return ServiceError(message, code="InvalidParameterValueException")


def invalid_combination(message: str) -> ServiceError:
    """`InvalidParameterCombination` (400)."""
    return ServiceError(message, code="InvalidParameterCombinationException")


def missing_parameter(message: str) -> ServiceError:
    """`MissingParameter` (400)."""
    return ServiceError(message, code="MissingRequiredParameterException")


def validation(message: str) -> ServiceError:
    """`ValidationError` (400)."""
    return ServiceError(message, code="ValidationException")


def alarm_not_found(message: str) -> ServiceError:
    """`ResourceNotFound` (404), what alarm operations answer for an unknown alarm."""
    return ServiceError(message, code="ResourceNotFound")


def resource_not_found(message: str) -> ServiceError:
    """`ResourceNotFoundException` (404), what the tagging operations answer."""
    return ServiceError(message, code="ResourceNotFoundException")


def limit_exceeded(message: str) -> ServiceError:
    """`LimitExceeded` (400)."""
    return ServiceError(message, code="LimitExceededFault")


def invalid_format(message: str) -> ServiceError:
    """`InvalidFormat` (400), e.g. SetAlarmState's StateReasonData that is not JSON."""
    return ServiceError(message, code="InvalidFormatFault")


def invalid_next_token() -> ServiceError:
    """`InvalidNextToken` (400)."""
    return ServiceError(
        "The service returned an error: Invalid NextToken.", code="InvalidNextToken"
    )


def dashboard_not_found(message: str) -> ServiceError:
    """`ResourceNotFound` (404) for dashboards."""
    return ServiceError(message, code="DashboardNotFoundError")


def dashboard_invalid(message: str, problems: list[dict[str, str]] | None = None) -> ServiceError:
    """`InvalidParameterInput` (400) for a dashboard that does not validate."""
    fields = {"dashboardValidationMessages": problems} if problems else None
    return ServiceError(message, code="DashboardInvalidInputError", fields=fields)
