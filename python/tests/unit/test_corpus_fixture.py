"""The fixture corpus itself, read as files (the migration of it is e2e/test_corpus.py)."""

from __future__ import annotations

from helpers import CORPUS_NON_CONVERTIBLE as NON_CONVERTIBLE
from helpers import corpus_targets

TARGETS = corpus_targets()


def test_corpus_has_at_least_30_targets_and_the_non_convertible_ones():
    assert len(TARGETS) >= 30
    assert set(NON_CONVERTIBLE) <= set(TARGETS)
