"""Handlers that use resources without end: memory, processes."""

import contextlib
import os


def fill_memory(event, context):
    chunks = []
    while True:
        chunks.append(bytearray(16 * 1024 * 1024))
        for i in range(0, len(chunks[-1]), 4096):
            chunks[-1][i] = 1


def allocate(event, context):
    data = bytearray(event["mb"] * 1024 * 1024)
    for i in range(0, len(data), 4096):
        data[i] = 1
    return {"allocated": event["mb"]}


def fork_bomb(event, context):
    while True:
        with contextlib.suppress(OSError):
            os.fork()
