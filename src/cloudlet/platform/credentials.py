"""Access keys cloudlet issued (STS temporary credentials, IAM access keys) and whose they are.

Any credentials are accepted; this table only tells which account and principal a key cloudlet
issued belongs to, so a key from `AssumeRole` in account 111122223333 acts in that account. Keys
not found here resolve by the rule in `identity`: a 12-digit key id is itself the account, anything
else is the default account.
"""

from __future__ import annotations

from dataclasses import dataclass

from cloudlet.platform.store import Migration, Store

_MIGRATIONS: list[Migration] = [
    (
        "0001_credentials",
        """
        CREATE TABLE credentials (
            access_key_id TEXT PRIMARY KEY,
            account TEXT NOT NULL,
            principal_arn TEXT NOT NULL,
            user_id TEXT NOT NULL,
            expires REAL
        );
        """,
    )
]


@dataclass(frozen=True)
class Principal:
    """Who an access key acts as."""

    account: str
    arn: str
    """`arn:aws:iam::<account>:root`, `...:user/<name>` or `arn:aws:sts::...:assumed-role/...`."""
    user_id: str
    """GetCallerIdentity UserId: the account id for root, `AIDA...` (users), `AROA...:<session>`."""


class Credentials:
    """Issued access keys, looked up on every request (memoised)."""

    def __init__(self, store: Store) -> None:
        store.migrate("credentials", _MIGRATIONS)
        self._store = store
        self._cache: dict[str, Principal | None] = {}

    def register(self, access_key_id: str, principal: Principal, expires: float | None) -> None:
        self._store.execute(
            "INSERT OR REPLACE INTO credentials VALUES (?, ?, ?, ?, ?)",
            (access_key_id, principal.account, principal.arn, principal.user_id, expires),
        )
        self._cache[access_key_id] = principal

    def forget(self, access_key_id: str) -> None:
        self._store.execute("DELETE FROM credentials WHERE access_key_id = ?", (access_key_id,))
        self._cache.pop(access_key_id, None)

    def lookup(self, access_key_id: str) -> Principal | None:
        if access_key_id in self._cache:
            return self._cache[access_key_id]
        row = self._store.query_one(
            "SELECT account, principal_arn, user_id FROM credentials WHERE access_key_id = ?",
            (access_key_id,),
        )
        principal = Principal(row[0], row[1], row[2]) if row else None
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[access_key_id] = principal
        return principal

    def clear_cache(self) -> None:
        self._cache.clear()
