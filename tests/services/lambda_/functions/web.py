"""Function URL handlers: echo the request event, or answer with a full HTTP response object."""

import json


def echo(event, context):
    return event


def teapot(event, context):
    return {
        "statusCode": 418,
        "headers": {"Content-Type": "text/plain", "X-Brewed": "yes"},
        "body": "short and stout",
    }


def fails(event, context):
    raise RuntimeError("no")


def plain(event, context):
    return json.loads('{"plain": true}')
