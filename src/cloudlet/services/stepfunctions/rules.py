"""Per-state definition rules (fields allowed per type and query language, values, paths,
expressions, Retry/Catch, Choice rules, branches). Used by `validation.py`.

`check_state` reports problems on the checker and returns the state's transitions
((field, target) pairs) for the target and reachability checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudlet.services.stepfunctions.asl import jsonata
from cloudlet.services.stepfunctions.asl.paths import PathError, compile_path
from cloudlet.services.stepfunctions.asl.payload import compile_ref
from cloudlet.services.stepfunctions.choice_rules import check_choice, expressions

if TYPE_CHECKING:
    from cloudlet.services.stepfunctions.validation import Checker

STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
COMMON = {"Type", "Comment", "QueryLanguage"}
FLOW = {"Next", "End"}
JSONPATH_IO = {"InputPath", "OutputPath"}
JSONPATH_RESULT = {"Parameters", "ResultPath", "ResultSelector"}
JSONATA_IO = {"Arguments", "Output"}

JSONPATH_FIELDS: dict[str, set[str]] = {
    "Pass": FLOW | JSONPATH_IO | {"Parameters", "ResultPath", "Result", "Assign"},
    "Task": FLOW
    | JSONPATH_IO
    | JSONPATH_RESULT
    | {"Resource", "TimeoutSeconds", "Retry"}
    | {"TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Catch"}
    | {"Credentials", "Assign"},
    "Choice": JSONPATH_IO | {"Choices", "Default", "Assign"},
    "Wait": FLOW
    | JSONPATH_IO
    | {"Seconds", "SecondsPath", "Timestamp", "TimestampPath"}
    | {"Assign"},
    "Succeed": JSONPATH_IO,
    "Fail": {"Error", "ErrorPath", "Cause", "CausePath"},
    "Parallel": FLOW | JSONPATH_IO | JSONPATH_RESULT | {"Retry", "Catch", "Branches", "Assign"},
    "Map": FLOW
    | JSONPATH_IO
    | JSONPATH_RESULT
    | {"Retry", "Catch", "Iterator", "Assign"}
    | {"ItemProcessor", "ItemsPath", "ItemSelector", "MaxConcurrency", "MaxConcurrencyPath"}
    | {"ItemReader", "ItemBatcher", "ResultWriter", "ToleratedFailurePercentage", "Label"}
    | {"ToleratedFailurePercentagePath", "ToleratedFailureCount", "ToleratedFailureCountPath"},
}
JSONATA_FIELDS: dict[str, set[str]] = {
    "Pass": FLOW | {"Output", "Assign"},
    "Task": FLOW
    | JSONATA_IO
    | {"Resource", "TimeoutSeconds", "HeartbeatSeconds", "Retry"}
    | {"Catch", "Credentials", "Assign"},
    "Choice": {"Choices", "Default", "Output", "Assign"},
    "Wait": FLOW | {"Seconds", "Timestamp", "Output", "Assign"},
    "Succeed": {"Output"},
    "Fail": {"Error", "Cause"},
    "Parallel": FLOW | JSONATA_IO | {"Retry", "Catch", "Branches", "Assign"},
    "Map": FLOW
    | JSONATA_IO
    | {"Retry", "Catch", "ItemProcessor", "Items", "ItemSelector"}
    | {"MaxConcurrency", "ItemReader", "ItemBatcher", "ResultWriter", "Label", "Assign"}
    | {"ToleratedFailurePercentage", "ToleratedFailureCount"},
}
PATH_FIELDS = ("InputPath", "OutputPath", "ResultPath")
REF_FIELDS = (
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "SecondsPath",
    "TimestampPath",
    "ItemsPath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
    "ErrorPath",
    "CausePath",
)
TEMPLATE_FIELDS = ("Parameters", "ResultSelector", "ItemSelector")


def check_state(
    checker: Checker, name: str, body: dict[str, Any], location: str, inherited: str
) -> list[tuple[str, str]]:
    kind = body.get("Type")
    if kind is None:
        checker.schema("These fields are required: [Type]", location)
        return []
    if kind not in STATE_TYPES:
        checker.schema(
            f"The value for the field 'Type' must be one of {list(STATE_TYPES)}", f"{location}/Type"
        )
        return []
    language = body.get("QueryLanguage", inherited)
    if language not in ("JSONPath", "JSONata"):
        checker.schema(
            "The value for the field 'QueryLanguage' must be JSONPath or JSONata",
            f"{location}/QueryLanguage",
        )
        return []
    if inherited == "JSONata" and language == "JSONPath":
        checker.schema(
            "A state cannot use JSONPath when the state machine uses JSONata",
            f"{location}/QueryLanguage",
        )
    allowed = (JSONATA_FIELDS if language == "JSONata" else JSONPATH_FIELDS)[kind] | COMMON
    for key in body:
        if key not in allowed:
            checker.schema(f'The field "{key}" is not supported by Step Functions', location)
    transitions: list[tuple[str, str]] = []
    if kind in ("Choice", "Succeed", "Fail"):
        pass
    elif "Next" in body and body.get("End") is True:
        checker.schema("Only one of 'Next' or 'End' may be specified", location)
    elif "Next" not in body and body.get("End") is not True:
        checker.schema("Exactly one of 'Next' or 'End' must be specified", location)
    if "Next" in body:
        if isinstance(body["Next"], str):
            transitions.append(("Next", body["Next"]))
        else:
            checker.schema("The value for the field 'Next' must be a STRING", f"{location}/Next")
    if "End" in body and not isinstance(body["End"], bool):
        checker.schema("The value for the field 'End' must be a BOOLEAN", f"{location}/End")
    if language == "JSONPath":
        _jsonpath_fields(checker, body, location)
    else:
        _jsonata_fields(checker, body, location)
    if "Retry" in body:
        _retry(checker, body["Retry"], f"{location}/Retry")
    if "Catch" in body:
        transitions += _catch(checker, body["Catch"], f"{location}/Catch", language)
    check = _CHECKS.get(kind)
    if check is not None:
        transitions += check(checker, body, location, language)
    return transitions


def _jsonpath_fields(checker: Checker, body: dict[str, Any], location: str) -> None:
    for key in PATH_FIELDS:
        if key in body and body[key] is not None:
            try:
                path = compile_path(body[key])
                if key == "ResultPath" and (path.context or not path.definite):
                    raise PathError(body[key])
            except (PathError, TypeError):
                checker.schema(
                    f"The value for the field '{key}' must be a valid JSONPath",
                    f"{location}/{key}",
                )
    for key in REF_FIELDS:
        if key in body:
            try:
                compile_ref(body[key])
            except ValueError:
                checker.schema(
                    f"The value for the field '{key}' must be a valid JSONPath or a valid"
                    " intrinsic function call",
                    f"{location}/{key}",
                )
    for key in (*TEMPLATE_FIELDS, "Assign"):
        if key in body:
            _template(checker, body[key], f"{location}/{key}")


def _template(checker: Checker, value: Any, location: str) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key.endswith(".$"):
                try:
                    compile_ref(inner)
                except ValueError:
                    checker.schema(
                        f"The value for the field '{key}' must be a valid JSONPath or a valid"
                        " intrinsic function call",
                        f"{location}/{key}",
                    )
            else:
                _template(checker, inner, f"{location}/{key}")
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            _template(checker, inner, f"{location}[{i}]")


def _jsonata_fields(checker: Checker, body: dict[str, Any], location: str) -> None:
    for key in ("Arguments", "Output", "Assign", "Items", "ItemSelector", "Seconds", "Timestamp"):
        if key in body:
            expressions(checker, body[key], f"{location}/{key}", key)
    for key in ("TimeoutSeconds", "HeartbeatSeconds", "Error", "Cause", "MaxConcurrency"):
        if key in body and isinstance(body[key], str) and jsonata.is_expression(body[key]):
            expressions(checker, body[key], f"{location}/{key}", key)


def _errors_list(checker: Checker, raw: Any, location: str, last: bool) -> list[str]:
    names = raw.get("ErrorEquals") if isinstance(raw, dict) else None
    if not isinstance(names, list) or not names:
        checker.schema("These fields are required: [ErrorEquals]", location)
        return []
    if "States.ALL" in names and (len(names) > 1 or not last):
        checker.schema(
            "The 'States.ALL' error must appear alone in ErrorEquals and only in the last element",
            f"{location}/ErrorEquals",
        )
    return names


def _retry(checker: Checker, retriers: Any, location: str) -> None:
    if not isinstance(retriers, list):
        checker.schema("The value for the field 'Retry' must be an ARRAY", location)
        return
    allowed = {"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "Comment"}
    allowed |= {"MaxDelaySeconds", "JitterStrategy"}
    for i, retrier in enumerate(retriers):
        where = f"{location}[{i}]"
        _errors_list(checker, retrier, where, i == len(retriers) - 1)
        if not isinstance(retrier, dict):
            continue
        for key in retrier:
            if key not in allowed:
                checker.schema(f'The field "{key}" is not supported by Step Functions', where)
        for key, low in (("IntervalSeconds", 1), ("MaxAttempts", 0), ("MaxDelaySeconds", 1)):
            value = retrier.get(key)
            if key in retrier and (
                not isinstance(value, int)
                or isinstance(value, bool)
                or not low <= value <= 99999999
            ):
                checker.schema(
                    f"The value for the field '{key}' must be an INTEGER between {low} and"
                    " 99999999",
                    f"{where}/{key}",
                )
        rate = retrier.get("BackoffRate", 2.0)
        if not isinstance(rate, int | float) or isinstance(rate, bool) or rate < 1:
            checker.schema(
                "The value for the field 'BackoffRate' must be a number greater than or equal"
                " to 1.0",
                f"{where}/BackoffRate",
            )
        if retrier.get("JitterStrategy", "NONE") not in ("FULL", "NONE"):
            checker.schema(
                "The value for the field 'JitterStrategy' must be one of [FULL, NONE]",
                f"{where}/JitterStrategy",
            )


def _catch(checker: Checker, catchers: Any, location: str, language: str) -> list[tuple[str, str]]:
    if not isinstance(catchers, list):
        checker.schema("The value for the field 'Catch' must be an ARRAY", location)
        return []
    transitions = []
    allowed = {"ErrorEquals", "Next", "Comment", "Assign"}
    allowed |= {"ResultPath"} if language == "JSONPath" else {"Output"}
    for i, catcher in enumerate(catchers):
        where = f"{location}[{i}]"
        _errors_list(checker, catcher, where, i == len(catchers) - 1)
        if not isinstance(catcher, dict):
            continue
        for key in catcher:
            if key not in allowed:
                checker.schema(f'The field "{key}" is not supported by Step Functions', where)
        if not isinstance(catcher.get("Next"), str):
            checker.schema("These fields are required: [Next]", where)
        else:
            transitions.append((f"Catch[{i}]/Next", catcher["Next"]))
        if language == "JSONPath" and catcher.get("ResultPath") is not None:
            try:
                path = compile_path(catcher["ResultPath"])
                if not path.definite or path.context:
                    raise PathError(catcher["ResultPath"])
            except (PathError, TypeError):
                checker.schema(
                    "The value for the field 'ResultPath' must be a valid JSONPath",
                    f"{where}/ResultPath",
                )
    return transitions


def _task(checker: Checker, body: dict[str, Any], location: str, language: str) -> list[Any]:
    resource = body.get("Resource")
    if not isinstance(resource, str) or not resource:
        checker.schema("These fields are required: [Resource]", location)
    elif not resource.startswith("arn:"):
        checker.schema(
            "The value for the field 'Resource' must be a valid ARN", f"{location}/Resource"
        )
    elif checker.machine_type == "EXPRESS" and (
        ".sync" in resource or resource.endswith(".waitForTaskToken") or ":activity:" in resource
    ):
        checker.schema(
            "Express state machine does not support '.sync' or '.waitForTaskToken' service"
            " integration patterns or activities",
            f"{location}/Resource",
        )
    for key in ("TimeoutSeconds", "HeartbeatSeconds"):
        value = body.get(key)
        if (
            key in body
            and not (isinstance(value, str) and language == "JSONata")
            and (not isinstance(value, int) or isinstance(value, bool) or value <= 0)
        ):
            checker.schema(
                f"The value for the field '{key}' must be a positive integer",
                f"{location}/{key}",
            )
    timeout, heartbeat = body.get("TimeoutSeconds"), body.get("HeartbeatSeconds")
    if isinstance(timeout, int) and isinstance(heartbeat, int) and heartbeat >= timeout:
        checker.schema(
            "The value of 'HeartbeatSeconds' must be smaller than 'TimeoutSeconds'",
            f"{location}/HeartbeatSeconds",
        )
    for key in ("TimeoutSeconds", "HeartbeatSeconds"):
        if key in body and f"{key}Path" in body:
            checker.schema(f"Only one of '{key}' or '{key}Path' may be specified", location)
    return []


def _wait(checker: Checker, body: dict[str, Any], location: str, language: str) -> list[Any]:
    present = [k for k in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if k in body]
    if len(present) != 1:
        checker.schema(
            "Exactly one of 'Seconds', 'Timestamp', 'SecondsPath' or 'TimestampPath' must be"
            " specified",
            location,
        )
        return []
    if language == "JSONPath" and "Seconds" in body:
        value = body["Seconds"]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            checker.schema(
                "The value for the field 'Seconds' must be a non-negative integer",
                f"{location}/Seconds",
            )
    if language == "JSONPath" and "Timestamp" in body:
        from cloudlet.services.stepfunctions.asl.choice import parse_timestamp

        if parse_timestamp(body["Timestamp"]) is None:
            checker.schema(
                "The value for the field 'Timestamp' must be a valid ISO-8601 date",
                f"{location}/Timestamp",
            )
    return []


def _fail(checker: Checker, body: dict[str, Any], location: str, language: str) -> list[Any]:
    for key in ("Error", "Cause"):
        if key in body and f"{key}Path" in body:
            checker.schema(f"Only one of '{key}' or '{key}Path' may be specified", location)
        if key in body and not isinstance(body[key], str):
            checker.schema(f"The value for the field '{key}' must be a STRING", f"{location}/{key}")
    return []


def _parallel(checker: Checker, body: dict[str, Any], location: str, language: str) -> list[Any]:
    from cloudlet.services.stepfunctions.validation import check_program

    branches = body.get("Branches")
    if not isinstance(branches, list) or not branches:
        checker.schema("These fields are required: [Branches]", location)
        return []
    for i, branch in enumerate(branches):
        if isinstance(branch, dict):
            check_program(checker, branch, f"{location}/Branches[{i}]", language)
        else:
            checker.schema("A branch must be a JSON object", f"{location}/Branches[{i}]")
    return []


def _map(checker: Checker, body: dict[str, Any], location: str, language: str) -> list[Any]:
    from cloudlet.services.stepfunctions.validation import check_program

    key = "ItemProcessor" if "ItemProcessor" in body else "Iterator"
    processor = body.get(key)
    if not isinstance(processor, dict):
        checker.schema("These fields are required: [ItemProcessor]", location)
        return []
    if "Iterator" in body and "ItemProcessor" in body:
        checker.schema("Only one of 'ItemProcessor' or 'Iterator' may be specified", location)
    if "Parameters" in body and "ItemSelector" in body:
        checker.schema("Only one of 'Parameters' or 'ItemSelector' may be specified", location)
    config = processor.get("ProcessorConfig") or {}
    if config.get("Mode", "INLINE") not in ("INLINE", "DISTRIBUTED"):
        checker.schema(
            "The value for the field 'Mode' must be one of [INLINE, DISTRIBUTED]",
            f"{location}/{key}/ProcessorConfig/Mode",
        )
    check_program(checker, processor, f"{location}/{key}", language)
    value = body.get("MaxConcurrency")
    if (
        "MaxConcurrency" in body
        and not (isinstance(value, str) and language == "JSONata")
        and (not isinstance(value, int) or isinstance(value, bool) or value < 0)
    ):
        checker.schema(
            "The value for the field 'MaxConcurrency' must be a non-negative integer",
            f"{location}/MaxConcurrency",
        )
    return []


_CHECKS = {
    "Task": _task,
    "Choice": check_choice,
    "Wait": _wait,
    "Fail": _fail,
    "Parallel": _parallel,
    "Map": _map,
}
