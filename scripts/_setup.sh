#!/usr/bin/env bash
# Shared set-up: a virtualenv in .venv with dbt-migrate installed (editable) and its test extras,
# at the exact versions of constraints.txt (pyproject.toml gives the ranges, constraints.txt the
# tested point inside them). Re-installs only when pyproject.toml, constraints.txt or the version
# source (python/dbt_migrate/__init__.py, read into the installed metadata) changed since the last
# install.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo/.venv"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
    echo "setting up $venv (first run installs dbt-core, dbt-duckdb, sqlglot, litellm: a few minutes)" >&2
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
fi
stamp="$venv/.dbt-migrate-installed"
want="$(cat "$repo/pyproject.toml" "$repo/constraints.txt" "$repo/python/dbt_migrate/__init__.py" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    "$venv/bin/pip" install --quiet -c "$repo/constraints.txt" -e "$repo[test,postgres,llm]"
    echo "$want" > "$stamp"
fi
