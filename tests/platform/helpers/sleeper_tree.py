"""A child that starts a grandchild, prints the grandchild's pid, then sleeps (at most 60 s)."""

import subprocess
import time

grandchild = subprocess.Popen(["sleep", "60"])
print(grandchild.pid, flush=True)
time.sleep(60)
