#!/usr/bin/env bash
# The cloud adapters' separate environments: .venv-adapters/<adapter> holds dbt-core and one adapter
# (snowflake, databricks, fabric, sqlserver) at the versions pinned in constraints-adapters/, so the
# test suite can `dbt parse` each `migrate init --adapter` template with its real adapter. They are
# separate because dbt-databricks 1.11 pins dbt-core below the 1.11.x the main .venv uses, and none
# of them is needed to migrate on DuckDB or PostgreSQL. Installs in parallel; re-installs only when
# an adapter's constraints file changed. Usage: scripts/_setup_adapters.sh [adapter ...]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
adapters=("$@")
[ ${#adapters[@]} -gt 0 ] || adapters=(snowflake databricks fabric sqlserver)

install_one() {
    local adapter="$1" venv="$repo/.venv-adapters/$1" pins="$repo/constraints-adapters/$1.txt"
    [ -f "$pins" ] || { echo "no pins for adapter '$adapter': $pins is missing" >&2; return 2; }
    local want stamp="$venv/.installed"
    want="$(sha256sum "$pins" | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -c "$pins" "dbt-core~=1.11.0" "dbt-$adapter~=1.11.0"
    echo "$want" > "$stamp"
}

pids=()
for adapter in "${adapters[@]}"; do
    install_one "$adapter" > "/tmp/dbt-migrate-setup-$adapter.log" 2>&1 &
    pids+=("$!")
done
status=0
for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
        echo "installing dbt-${adapters[$i]} into .venv-adapters/${adapters[$i]} failed:" >&2
        grep -v "is ignored: it is neither" "/tmp/dbt-migrate-setup-${adapters[$i]}.log" | tail -20 >&2
        status=1
    fi
done
exit "$status"
