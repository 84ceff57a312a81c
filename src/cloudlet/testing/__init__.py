"""Test kit: start a real cloudlet for a test session and hand out boto3 clients.

Installed as a pytest plugin (entry point `cloudlet`), so any project that installs cloudlet gets
the fixtures `cloudlet_endpoint`, `aws_client` and `reset_cloudlet`. `CloudletProcess` can also be
used directly from other test runners, and `wait_for` polls for what settles asynchronously.
"""

from cloudlet.testing.process import CloudletProcess, free_port
from cloudlet.testing.waiting import WaitTimeout, wait_for

__all__ = ["CloudletProcess", "WaitTimeout", "free_port", "wait_for"]
