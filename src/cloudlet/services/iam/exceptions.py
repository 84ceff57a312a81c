"""IAM's errors, with AWS's codes and messages.

Codes are botocore's error shape names; the query serializer writes their wire codes
(`NoSuchEntity`, `EntityAlreadyExists`, ...) and the model's HTTP status (404, 409, ...).
`ValidationError` is not modeled: AWS answers it with HTTP 400.
"""

from __future__ import annotations

from cloudlet.errors import ServiceError


def no_such_entity(message: str) -> ServiceError:
    return ServiceError(message, code="NoSuchEntityException")


def already_exists(message: str) -> ServiceError:
    return ServiceError(message, code="EntityAlreadyExistsException")


def delete_conflict(message: str) -> ServiceError:
    return ServiceError(message, code="DeleteConflictException")


def limit_exceeded(message: str) -> ServiceError:
    return ServiceError(message, code="LimitExceededException")


def malformed_policy(message: str) -> ServiceError:
    return ServiceError(message, code="MalformedPolicyDocumentException")


def invalid_input(message: str) -> ServiceError:
    return ServiceError(message, code="InvalidInputException")


def validation_error(message: str) -> ServiceError:
    return ServiceError(message, code="ValidationError", status_code=400)


def constraint_error(value: object, member: str, constraint: str) -> ServiceError:
    """AWS's model-constraint message, for the constraints the protocol layer does not check."""
    return validation_error(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: Member must {constraint}"
    )
