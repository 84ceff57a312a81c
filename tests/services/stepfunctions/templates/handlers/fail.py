class CustomError(Exception):
    pass


def handler(event, context):
    raise CustomError("bad input: " + str(event.get("why")))
