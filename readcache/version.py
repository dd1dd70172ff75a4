"""The data version: `current()` reads it (one small query), `bump()` changes it inside the
caller's transaction, so that it changes exactly when a write commits and not when it rolls back.

A transaction bumps it once: the first bump of a transaction registers a marker with
transaction.on_commit, which Django drops at the commit, at the rollback, and with the savepoint
it was registered in when that savepoint rolls back. A later bump of the same transaction sees
the marker and writes nothing. Tests run inside transactions of their own (TestCase's atomic
blocks, `_from_testcase`): the transaction is then the outermost atomic block a test did not open.
"""

from django.db import connection, transaction
from django.db.models import F

from readcache.models import ROW, DataVersion

OUTERMOST = object()  # names a real (not a test's) outermost transaction


def current() -> int:
    """The data version now (0 if the row is missing: a database migrated but never written)."""
    value = DataVersion.objects.filter(pk=ROW).values_list("value", flat=True).first()
    return value or 0


def _marker() -> None:
    """Registered with on_commit as "this transaction has bumped"; does nothing when it runs."""


def _transaction_savepoint():
    """What names the current transaction as the code (not a test) sees it: OUTERMOST for a real
    transaction, the savepoint a test's transaction opened with, or None when there is no
    transaction to name (autocommit, or a block without a savepoint inside a test's)."""
    for index, block in enumerate(connection.atomic_blocks):
        if not getattr(block, "_from_testcase", False):
            return OUTERMOST if index == 0 else connection.savepoint_ids[index - 1]
    return None


def _bumped(savepoint) -> bool:
    for sids, func, *_ in connection.run_on_commit:
        if func is _marker and (savepoint is OUTERMOST or savepoint in sids):
            return True
    return False


def bump() -> None:
    """Change the data version in the current transaction (once per transaction)."""
    savepoint = _transaction_savepoint() if connection.in_atomic_block else None
    if savepoint is not None and _bumped(savepoint):
        return
    updated = DataVersion.objects.filter(pk=ROW).update(value=F("value") + 1)
    if not updated:
        DataVersion.objects.get_or_create(pk=ROW, defaults={"value": 1})
    if savepoint is not None:
        transaction.on_commit(_marker)
