"""ARNs and names: how Step Functions builds them and which ones it accepts.

    arn:aws:states:<region>:<account>:stateMachine:<name>[:<version> | :<alias>]
    arn:aws:states:<region>:<account>:execution:<machine>:<execution>
    arn:aws:states:<region>:<account>:express:<machine>:<execution>:<uuid>
    arn:aws:states:<region>:<account>:activity:<name>
    arn:aws:states:<region>:<account>:mapRun:<machine>/<label>:<uuid>

Names (state machines, executions, activities, aliases) are 1-80 characters without whitespace,
brackets, wildcards, the characters `" # % \\ ^ | ~ ` $ & , ; : /` or control characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cloudlet.services.stepfunctions import errors

_BAD_NAME = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")


def valid_name(name: str) -> bool:
    return 0 < len(name) <= 80 and _BAD_NAME.search(name) is None


def check_name(name: str) -> None:
    if not valid_name(name):
        raise errors.invalid_name(name)


def machine_arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:states:{region}:{account}:stateMachine:{name}"


def activity_arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:states:{region}:{account}:activity:{name}"


def execution_arn(account: str, region: str, machine: str, name: str) -> str:
    return f"arn:aws:states:{region}:{account}:execution:{machine}:{name}"


def express_arn(account: str, region: str, machine: str, name: str, run_id: str) -> str:
    return f"arn:aws:states:{region}:{account}:express:{machine}:{name}:{run_id}"


@dataclass(frozen=True)
class Arn:
    region: str
    account: str
    kind: str
    """stateMachine | execution | express | activity | mapRun"""
    parts: tuple[str, ...]


_ARN = re.compile(r"^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):([A-Za-z]+):(.+)$")


def parse(arn: str, *kinds: str) -> Arn:
    """Split `arn`; raises InvalidArn unless it is a Step Functions ARN of one of `kinds`."""
    match = _ARN.match(arn or "")
    if match is None:
        raise errors.invalid_arn(arn)
    kind = match.group(3)
    if kinds and kind not in kinds:
        raise errors.invalid_arn(arn, f"Resource type not valid in this context: {kind}")
    return Arn(match.group(1), match.group(2), kind, tuple(match.group(4).split(":")))


def split_machine(arn: str) -> tuple[Arn, str, str | None]:
    """(parsed, machine name, version number or alias name or None) of a state machine ARN."""
    parsed = parse(arn, "stateMachine")
    if len(parsed.parts) > 2:
        raise errors.invalid_arn(arn)
    qualifier = parsed.parts[1] if len(parsed.parts) == 2 else None
    return parsed, parsed.parts[0], qualifier
