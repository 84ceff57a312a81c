"""Handlers that take time: sleep for a while, or loop forever."""

import time


def sleep(event, context):
    time.sleep(event.get("seconds", 0.1))
    return {"slept": event.get("seconds", 0.1)}


def forever(event, context):
    while True:
        pass
