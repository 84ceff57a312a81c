"""Amazon CloudWatch: metrics (storage, statistics, metric math) and alarms evaluated on the clock.

`provider.py` is the thin API layer; `metrics.py` owns datapoint storage and the in-process
publishing API other services use (`metrics.put_metric_data`); `alarms.py`, `evaluation.py`,
`scheduler.py` and `actions.py` make alarms change state and act.
"""
