"""Wire protocols, driven by botocore's service models (being built; see docs/architecture.md)."""
