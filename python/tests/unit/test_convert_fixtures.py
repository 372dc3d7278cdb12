"""Conversion fixture pairs (fixtures/convert/): each ``<case>.sql`` (a writer's T-SQL statements
under a ``-- key: value`` header) converts, with no dbt, to exactly ``<case>.expected.sql``.

A new pattern is two files; fixtures/convert/README.md says how to write them.
"""

from __future__ import annotations

import pytest

from helpers import FIXTURES
from helpers.migration import convert_fixture

CASES_DIR = FIXTURES / "convert"
CASES = sorted(p for p in CASES_DIR.glob("*.sql") if not p.name.endswith(".expected.sql"))


def _expected(case):
    return case.with_name(case.name.removesuffix(".sql") + ".expected.sql")


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name.removesuffix(".sql"))
def test_conversion_produces_the_expected_model(case, tmp_path):
    assert convert_fixture(case, tmp_path) == _expected(case).read_text(encoding="utf-8")


def test_every_expected_model_has_its_input_and_there_are_cases():
    inputs = {_expected(c).name for c in CASES}
    orphans = [p.name for p in CASES_DIR.glob("*.expected.sql") if p.name not in inputs]
    assert orphans == []
    assert len(CASES) >= 12
