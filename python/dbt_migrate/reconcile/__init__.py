"""``migrate reconcile``: the parallel run that proves migrated models against legacy tables,
round by round (docs/reconcile.md)."""

from __future__ import annotations
