"""Step Functions' API errors, with AWS's codes and message forms.

AWS words most of them as `<Title>: '<subject>'` (`State Machine Does Not Exist: 'arn:...'`).
"""

from __future__ import annotations

from cloudlet.errors import ServiceError


def _error(code: str, title: str, subject: str) -> ServiceError:
    return ServiceError(f"{title}: '{subject}'", code=code)


def invalid_arn(arn: str, reason: str | None = None) -> ServiceError:
    return _error("InvalidArn", "Invalid Arn", reason or f"Invalid ARN prefix: {arn}")


def invalid_name(name: str) -> ServiceError:
    return _error("InvalidName", "Invalid Name", name)


def invalid_definition(diagnostics: str) -> ServiceError:
    return _error("InvalidDefinition", "Invalid State Machine Definition", diagnostics)


def invalid_input(reason: str) -> ServiceError:
    return _error("InvalidExecutionInput", "Invalid State Machine Execution Input", reason)


def invalid_output(reason: str) -> ServiceError:
    return _error("InvalidOutput", "Invalid Output", reason)


def machine_not_found(arn: str) -> ServiceError:
    return _error("StateMachineDoesNotExist", "State Machine Does Not Exist", arn)


def machine_exists(arn: str) -> ServiceError:
    return _error("StateMachineAlreadyExists", "State Machine Already Exists", arn)


def execution_not_found(arn: str) -> ServiceError:
    return _error("ExecutionDoesNotExist", "Execution Does Not Exist", arn)


def execution_exists(arn: str) -> ServiceError:
    return _error("ExecutionAlreadyExists", "Execution Already Exists", arn)


def activity_not_found(arn: str) -> ServiceError:
    return _error("ActivityDoesNotExist", "Activity Does Not Exist", arn)


def resource_not_found(arn: str) -> ServiceError:
    return _error("ResourceNotFound", "Resource not found", arn)


def invalid_token(reason: str = "Invalid token") -> ServiceError:
    return _error("InvalidToken", "Invalid Token", reason)


def task_timed_out() -> ServiceError:
    return _error("TaskTimedOut", "Task Timed Out", "Provided task does not exist anymore")


def task_not_found(token: str) -> ServiceError:
    return _error("TaskDoesNotExist", "Task Does Not Exist", token)


def validation(message: str) -> ServiceError:
    return ServiceError(message, code="ValidationException")


def conflict(message: str) -> ServiceError:
    return ServiceError(message, code="ConflictException")


def type_not_supported(message: str) -> ServiceError:
    return ServiceError(message, code="StateMachineTypeNotSupported")


def not_redrivable(message: str) -> ServiceError:
    return ServiceError(message, code="ExecutionNotRedrivable")


def too_many_tags(arn: str) -> ServiceError:
    return ServiceError(f"Too many tags: '{arn}'", code="TooManyTags", fields={"resourceName": arn})


def missing_parameter() -> ServiceError:
    return ServiceError(
        "Either the definition, the role ARN, the LoggingConfiguration, or the"
        " TracingConfiguration must be specified",
        code="MissingRequiredParameter",
    )
