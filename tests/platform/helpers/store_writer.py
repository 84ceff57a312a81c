"""Commits numbered rows to a Store, printing "<n>" after each commit, until killed.

Usage: store_writer.py DB_PATH
"""

import sys

from cloudlet.platform.store import Store

store = Store(sys.argv[1])
store.migrate("durability", [("0001_rows", "CREATE TABLE rows (n INTEGER PRIMARY KEY)")])
for n in range(1_000_000):
    if n % 2:
        store.execute("INSERT INTO rows VALUES (?)", (n,))
    else:
        with store.atomic() as conn:
            conn.execute("INSERT INTO rows VALUES (?)", (n,))
    print(n, flush=True)
