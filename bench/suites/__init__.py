"""Benchmark modules, by the name `run.py --only` takes.

To add one: write a module with `run(targets, options) -> list[Metric]` (see `suite.py`) — the
platform suite lives here in `suites/`, each service's beside `run.py` (`bench/<service>.py`) — and
list it here.
"""

from __future__ import annotations

import cloudwatch
import dynamodb
import ec2
import elasticache
import elbv2
import lambda_
import lambda_esm
import stepfunctions
from suite import Suite

from suites import platform

SUITES: dict[str, Suite] = {
    "platform": platform.run,
    "dynamodb": dynamodb.run,
    "lambda": lambda_.run,
    "lambda-esm": lambda_esm.run,
    "stepfunctions": stepfunctions.run,
    "elasticache": elasticache.run,
    "cloudwatch": cloudwatch.run,
    "ec2": ec2.run,
    "elbv2": elbv2.run,
}
"""Every suite, in the order a full run executes them."""
