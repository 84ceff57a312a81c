"""AWS Lambda: functions that really run (see provider.py for the map of the package)."""
