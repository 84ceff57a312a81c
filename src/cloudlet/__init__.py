"""cloudlet: the AWS serverless stack, running for real on one machine."""

__version__ = "0.1.0"
