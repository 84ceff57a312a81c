"""CloudWatch Logs: log groups, streams and events (see `store` for the in-process API)."""
