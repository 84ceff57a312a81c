"""Prints the event it gets as one JSON line (a destination the tests read back from its logs)."""

import json


def handler(event, context):
    print("EVENT " + json.dumps(event))
    return {"recorded": True}
