"""A Lambda handler an alarm invokes: prints the alarm event as one JSON line for the test."""

import json


def handler(event, context):
    print("ALARM-EVENT " + json.dumps(event))
    return {"ok": True}
