"""Handlers that fail in the ways AWS reports differently."""

import os


class CustomError(Exception):
    pass


def raises(event, context):
    raise CustomError("something went wrong")


def key_error(event, context):
    return {}["missing"]


def crash(event, context):
    print("about to exit")
    os._exit(3)


def close_stdout(event, context):
    os.close(1)
    os.close(2)
    return {"closed": True}


def fine(event, context):
    return {"ok": True}
