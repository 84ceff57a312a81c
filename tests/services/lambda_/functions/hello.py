"""Returns a greeting and what the runtime told it."""

import os


def handler(event, context):
    print("hello from", context.function_name)
    return {
        "message": "hello",
        "event": event,
        "request_id": context.aws_request_id,
        "function_arn": context.invoked_function_arn,
        "memory": context.memory_limit_in_mb,
        "version": context.function_version,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "region": os.environ["AWS_REGION"],
        "endpoint": os.environ.get("AWS_ENDPOINT_URL"),
        "pid": os.getpid(),
    }
