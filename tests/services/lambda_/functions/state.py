"""Keeps state between invocations of one environment (warm reuse is visible here)."""

import os
import time

INITIALISED_AT = time.time()
CALLS = 0


def handler(event, context):
    global CALLS
    CALLS += 1
    return {"calls": CALLS, "pid": os.getpid(), "initialised_at": INITIALISED_AT}


def environment(event, context):
    return dict(os.environ)
