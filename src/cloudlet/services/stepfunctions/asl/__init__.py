"""The Amazon States Language interpreter.

    states.py      parse a definition into `Program` / `State` objects (once per definition)
    paths.py       JSONPath subset and reference paths (ResultPath)
    payload.py     payload templates (`Parameters`, `ResultSelector`, `ItemSelector`, `.$` keys)
    intrinsics.py  `States.*` intrinsic functions
    jsonata.py     JSONata expressions (`{% ... %}`) over the jsonata-python package
    choice.py      Choice rules
    retry.py       Retry / Catch matching and AWS's backoff formula
    context.py     the context object (`$$`, `$states.context`)
    io.py          per-state input/output processing in AWS's order (JSONPath and JSONata)
    engine.py      the asyncio interpreter: states, branches, history events
    errors.py      `StatesError` (a runtime failure with an ASL error name) and the names

Nothing here imports the gateway or the provider; the engine talks to its host through the
`Host` protocol in `engine.py` (history, clock, task integrations).
"""
