"""Picks values out of the event with a JMESPath expression (jmespath ships in the zip)."""

import jmespath


def handler(event, context):
    expression = event.get("query", "orders[?total > `100`].id")
    return {"query": expression, "result": jmespath.search(expression, event)}
