"""Imports a module that only the attached layer provides."""

import shared_helper


def handler(event, context):
    return {"greeting": shared_helper.greet(event.get("name", "you"))}
