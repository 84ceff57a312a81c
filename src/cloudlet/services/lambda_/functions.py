"""Functions' configuration state: one document per function, cached in memory.

A function's document (`Documents` kind "function", id = name) holds everything about it:

    latest       $LATEST's FunctionConfiguration (wire-shaped; `_code`, `_layers`: digests)
    versions     {"1": FunctionConfiguration, ...}, immutable once published; last_version
    aliases      {"live": AliasConfiguration, ...}
    tags, policy (statements by qualifier), reserved (int | None), provisioned {qualifier: config},
    event_invoke {qualifier: config}, urls {qualifier or "": FunctionUrlConfig}

`FunctionStore` reads and writes these documents; the in-memory cache makes the invoke path free
of SQLite reads. `configuration()` turns a stored config into the API's output (internal keys
dropped); `validate_settings` checks what CreateFunction and UpdateFunctionConfiguration share.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import uuid
from typing import Any

from cloudlet.platform.store import Documents, Store
from cloudlet.services.lambda_.models import (
    NODE_RUNTIMES,
    SUPPORTED_RUNTIMES,
    conflict,
    function_arn,
    invalid,
    not_found,
    timestamp,
    validation,
)

Record = dict[str, Any]

_ROLE = re.compile(r"^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$")
_HANDLER = re.compile(r"^[^\s]+$")
_RESERVED_VARIABLES = frozenset(
    {
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    }
)  # fmt: skip
_DEPRECATED = ("python2.7", "python3.6", "python3.7", "python3.8", "nodejs", "nodejs4.3",
               "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x",
               "nodejs16.x", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1",
               "ruby2.5", "ruby2.7", "go1.x", "java8", "nodejs4.3-edge", "dotnet6")  # fmt: skip
_KNOWN_RUNTIMES: tuple[str, ...] = ()


def known_runtimes() -> tuple[str, ...]:
    """The model's Runtime enum (what AWS's validation lists)."""
    global _KNOWN_RUNTIMES
    if not _KNOWN_RUNTIMES:
        from cloudlet.protocol import service_model

        _KNOWN_RUNTIMES = tuple(service_model("lambda").shape_for("Runtime").enum)
    return _KNOWN_RUNTIMES


def check_runtime(runtime: str | None) -> None:
    if runtime is None:
        raise invalid(
            "Runtime and Handler are mandatory parameters for functions created with deployment"
            " packages."
        )
    if runtime not in known_runtimes():
        raise validation(
            f"1 validation error detected: Value '{runtime}' at 'runtime' failed to satisfy"
            f" constraint: Member must satisfy enum value set: [{', '.join(known_runtimes())}]"
            " or be a valid ARN"
        )
    if runtime in _DEPRECATED:
        raise invalid(
            f"The runtime parameter of {runtime} is no longer supported for creating or updating"
            " AWS Lambda functions. We recommend you use a supported runtime while creating or"
            " upgrading functions."
        )
    if runtime not in SUPPORTED_RUNTIMES:
        raise invalid(
            f"cloudlet does not run the {runtime} runtime. It runs python3.9-python3.13,"
            " nodejs18.x-nodejs22.x, provided, provided.al2 and provided.al2023 functions."
        )
    if runtime in NODE_RUNTIMES and shutil.which("node") is None:
        raise invalid(
            f"The {runtime} runtime needs Node.js: no `node` executable was found on the PATH of"
            " the cloudlet server. Install Node.js and try again."
        )


def validate_settings(request: Record, creating: bool) -> None:
    """Checks shared by CreateFunction and UpdateFunctionConfiguration."""
    if request.get("PackageType") == "Image" or request.get("ImageConfig"):
        raise invalid(
            "cloudlet does not run container images (PackageType Image): package the function"
            " as a .zip file with a python, nodejs or provided runtime."
        )
    if creating or "Runtime" in request:
        check_runtime(request.get("Runtime"))
    if (
        creating
        and not request.get("Handler")
        and not str(request.get("Runtime", "")).startswith("provided")
    ):
        raise invalid(
            "Runtime and Handler are mandatory parameters for functions created with deployment"
            " packages."
        )
    if "Handler" in request and not _HANDLER.match(request["Handler"]):
        raise validation(
            f"1 validation error detected: Value '{request['Handler']}' at 'handler' failed to"
            " satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+"
        )
    if "Role" in request and not _ROLE.match(request["Role"]):
        raise validation(
            f"1 validation error detected: Value '{request['Role']}' at 'role' failed to satisfy"
            " constraint: Member must satisfy regular expression pattern:"
            " arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+"
        )
    variables = (request.get("Environment") or {}).get("Variables") or {}
    reserved = sorted(set(variables) & _RESERVED_VARIABLES)
    if reserved:
        raise invalid(
            "Lambda was unable to configure your environment variables because the environment"
            " variables you have provided contains reserved keys that are currently not supported"
            f" for modification. Reserved keys used in this request: {', '.join(reserved)}"
        )
    measured = json.dumps(variables, separators=(",", ":"))
    if len(measured.encode()) > 4096:
        raise invalid(
            "Lambda was unable to configure your environment variables because the environment"
            " variables you have provided exceeded the 4KB limit. String measured: " + measured
        )
    if len(request.get("Layers") or []) > 5:
        raise invalid("Cannot reference more than 5 layers.")


def new_configuration(request: Record, account: str, region: str, code: Record) -> Record:
    """$LATEST's configuration for a CreateFunction request."""
    name = request["FunctionName"]
    logging_config = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}
    logging_config.update(request.get("LoggingConfig") or {})
    config: Record = {
        "FunctionName": name,
        "FunctionArn": function_arn(region, account, name),
        "Runtime": request.get("Runtime"),
        "Role": request["Role"],
        "Handler": request.get("Handler", ""),
        "Description": request.get("Description", ""),
        "Timeout": request.get("Timeout", 3),
        "MemorySize": request.get("MemorySize", 128),
        "Version": "$LATEST",
        "Environment": {"Variables": (request.get("Environment") or {}).get("Variables") or {}},
        "TracingConfig": {"Mode": (request.get("TracingConfig") or {}).get("Mode", "PassThrough")},
        "PackageType": "Zip",
        "Architectures": request.get("Architectures") or ["x86_64"],
        "EphemeralStorage": request.get("EphemeralStorage") or {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": logging_config,
        "State": "Pending",
        "StateReason": "The function is being created.",
        "StateReasonCode": "Creating",
        "LastUpdateStatus": "Successful",
    }
    if request.get("DeadLetterConfig", {}).get("TargetArn"):
        config["DeadLetterConfig"] = request["DeadLetterConfig"]
    if request.get("KMSKeyArn"):
        config["KMSKeyArn"] = request["KMSKeyArn"]
    set_code(config, code)
    touch(config)
    return config


def set_code(config: Record, code: Record) -> None:
    config["CodeSha256"] = code["sha256"]
    config["CodeSize"] = code["size"]
    config["_code"] = code["digest"]


def touch(config: Record) -> None:
    config["LastModified"] = timestamp()
    config["RevisionId"] = str(uuid.uuid4())


def configuration(config: Record) -> Record:
    """The API's FunctionConfiguration (internal keys dropped)."""
    result = {key: copy.deepcopy(value) for key, value in config.items() if not key.startswith("_")}
    if not result.get("Environment", {}).get("Variables"):
        result.pop("Environment", None)
    if not result.get("Layers"):
        result.pop("Layers", None)
    return result


class FunctionStore:
    """Function documents of every account and region, with a write-through cache."""

    def __init__(self, store: Store) -> None:
        self.documents = Documents(store, "lambda")
        self._cache: dict[tuple[str, str, str], Record | None] = {}

    def find(self, account: str, region: str, name: str) -> Record | None:
        key = (account, region, name)
        if key not in self._cache:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[key] = self.documents.get(account, region, "function", name)
        return self._cache[key]

    def get(self, account: str, region: str, name: str) -> Record:
        record = self.find(account, region, name)
        if record is None:
            raise not_found("Function", function_arn(region, account, name))
        return record

    def create(self, account: str, region: str, record: Record) -> None:
        name = record["latest"]["FunctionName"]
        if not self.documents.insert(account, region, "function", name, record):
            raise conflict(f"Function already exist: {name}")
        self._cache[(account, region, name)] = record

    def save(self, account: str, region: str, record: Record) -> None:
        name = record["latest"]["FunctionName"]
        self.documents.put(account, region, "function", name, record)
        self._cache[(account, region, name)] = record

    def delete(self, account: str, region: str, name: str) -> None:
        self.documents.delete(account, region, "function", name)
        self._cache[(account, region, name)] = None

    def all(self, account: str, region: str) -> list[Record]:
        return [record for _, record in self.documents.list(account, region, "function")]

    def clear(self) -> None:
        self._cache.clear()


def new_record(config: Record) -> Record:
    return {
        "latest": config,
        "versions": {},
        "last_version": 0,
        "aliases": {},
        "tags": {},
        "policy": {},
        "reserved": None,
        "provisioned": {},
        "event_invoke": {},
        "urls": {},
    }


def resolve(record: Record, qualifier: str | None) -> tuple[Record, str]:
    """(configuration, executed version) for a qualifier: $LATEST, a version number or an alias.

    Aliases with weighted routing pick one of their two versions at random, as AWS does.
    """
    if qualifier in (None, "$LATEST"):
        return record["latest"], "$LATEST"
    assert qualifier is not None
    if qualifier in record["versions"]:
        return record["versions"][qualifier], qualifier
    alias = record["aliases"].get(qualifier)
    if alias is None:
        arn = function_arn(*_arn_parts(record), qualifier)
        raise not_found("Function", arn)
    version = alias["FunctionVersion"]
    weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    if weights:
        import random

        draw = random.random()
        for other, weight in weights.items():
            if draw < weight:
                version = other
                break
            draw -= weight
    if version == "$LATEST":
        return record["latest"], "$LATEST"
    return record["versions"][version], version


def _arn_parts(record: Record) -> tuple[str, str, str]:
    parts = record["latest"]["FunctionArn"].split(":")
    return parts[3], parts[4], parts[6]
