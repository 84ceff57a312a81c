"""STS: caller identity and temporary credentials (`models` issues them, `provider` serves)."""
