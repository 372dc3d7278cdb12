"""Assembling the context for one target table (pure: catalogs in, a typed ``Context`` out).

The context is what `migrate context --table T` prints and what the package's `generate_model`
macros read (docs/render-contract.md).
"""

from __future__ import annotations

from pathlib import Path

from .catalog import TableCatalog
from .contracts import (
    Context,
    ContextColumn,
    Expectation,
    GivenInput,
    Materialization,
    SchemaTest,
    SourceTable,
    UnitTest,
)
from .convert.relations import Resolver
from .convert.types import target_type
from .convert.upsert import recognise_slice
from .errors import InputError, MigrateError, NotReadyError
from .escaping import (
    check_model_name,
    check_name,
    check_relation_parts,
    check_resource_name,
    check_sql_type,
    escape,
    escape_values,
)
from .legacy_code import legacy_code_for
from .names import TableId, model_name_for, normalize_name
from .refactor_check import refactor_defect, slice_defect
from .rules import KEYED, MATERIALIZATIONS, MIGRATED_TAG
from .warehouse import Warehouse, identity_columns


def unique_key_for(table: TableCatalog) -> list[str]:
    profile = table.profile
    assert profile is not None
    if profile.natural_key:
        return list(profile.natural_key)
    pk = profile.primary_key.columns if profile.primary_key else []
    identity = identity_columns(table)
    return [c for c in pk if c.lower() not in identity]


def entity_key_for(table: TableCatalog) -> list[str]:
    """Columns the entity-integrity tests check: the PK unless it is a generated identity."""
    profile = table.profile
    assert profile is not None
    pk = list(profile.primary_key.columns) if profile.primary_key else []
    identity = identity_columns(table)
    if pk and not any(c.lower() in identity for c in pk):
        return pk
    return list(profile.natural_key) or [c for c in pk if c.lower() not in identity]


# The fields of a target's own catalog that generation reads: a problem in any of them fails it.
TARGET_FIELDS = ("profile", "columns", "auto_increment_columns", "refactor", "is_source", "is_seed", "object_type")


def build_context(wh: Warehouse, table_name: str | TableId) -> Context:
    mp = wh.project
    table = mp.table(table_name)
    path = mp.root / "catalog" / ("views" if table.is_view else "tables") / f"{table.key}.json"
    table.need(*TARGET_FIELDS)
    if table.profile is None:
        raise NotReadyError(
            f"{table.schema_}.{table.name} has no profile in {path}: run the profiling step upstream "
            "(it sets profile.classification) before generating"
        )
    code = legacy_code_for(mp, table, wh.source_dialect)
    profile = table.profile
    classification = profile.classification.resolved_kind
    # A DELETE-then-INSERT reload of slices is incremental delete+insert on the slice columns.
    reload = (
        recognise_slice([s.sql for s in code.statements if s.action == "migrate"], table.key, wh.source_dialect)
        if classification != "dim_scd2"
        else None
    )
    materialized = "incremental" if reload else MATERIALIZATIONS[classification]
    incremental = materialized == "incremental"
    resolver = wh.resolver(f"{table.schema_}.{table.name}", incremental)
    model_name = wh.targets.get(table.key) or model_name_for(table.name)
    warnings: list[str] = []
    if table.is_materialized_view:
        warnings.append(
            f"{table.schema_}.{table.name} is a materialized view: built as a view "
            f"(dbt-migrate does not emit materialized_view for {wh.dbt.adapter_type} yet)"
        )

    source_tables = []
    for ref in code.references:
        key = normalize_name(f"{ref.schema_}.{ref.name}")
        if key == table.key and not ref.is_selected:
            continue
        if code.origin != "procedure" and not ref.is_selected and ref.is_updated:
            continue  # another target of a multi-table writer, not an input of this slice
        if key != table.key and (ref.is_selected or not ref.is_updated):  # a table it reads
            check_input(wh, key)
        rel = resolver.resolve(f"{ref.schema_}.{ref.name}")
        source_tables.append(
            SourceTable(
                relation=f"{ref.schema_}.{ref.name}",
                kind=rel.kind,
                jinja=rel.jinja,
                columns=[c.name for c in ref.columns],
                source_name=rel.source_name,
                table_name=rel.table_name,
                model_name=rel.model_name,
            )
        )

    for fk in profile.foreign_keys:  # a relationships test reads the referenced table too
        if fk.references_source_relation and fk.references_column:
            check_input(wh, normalize_name(fk.references_source_relation))

    if incremental:
        check_watermark(wh, table, path, source_tables)

    ctx = Context(
        table=f"{table.schema_}.{table.name}",
        model_name=model_name,
        description=(
            f"{table.schema_}.{table.name} migrated from {code.writer} "
            f"({classification.replace('_', ' ')}{', ' + code.origin if code.origin != 'procedure' else ''})."
        ),
        writer=code.writer,
        tags=[MIGRATED_TAG],
        profile=profile.model_dump(mode="json", by_alias=True),
        materialization=Materialization(
            classification=classification,
            materialized=materialized,
            unique_key=reload or (unique_key_for(table) if classification in KEYED else None),
            watermark=profile.watermark[0] if profile.watermark else None,
            incremental_strategy="delete+insert" if reload else None,
        ),
        statements=code.statements,
        proc_body=wh.ddl_procedures.get(code.proc_body_key, "") if code.proc_body_key else "",
        columns=context_columns(wh, table),
        source_tables=source_tables,
        schema_tests=schema_tests(wh, table, resolver),
        unit_tests=unit_tests(wh, table, resolver, warnings, incremental=incremental),
        refactored_sql=code.refactored_sql,
        needs_llm=code.needs_llm,
        routing_reasons=code.routing_reasons,
        target_dialect=wh.dbt.dialect,
        source_dialect=wh.source_dialect,
        warnings=warnings,
    )
    proc_path = Path(code.file)
    spec_path = mp.root / "test-specs" / f"{table.key}.json"
    check_context(ctx, table=path, procedure=proc_path, test_spec=spec_path)
    defect = refactor_defect(ctx, wh)
    if defect is not None:
        ctx.refactor_defect = defect
        ctx.refactored_sql = None
        ctx.warnings.append(f"refactored_sql not used: {defect}; the model is derived from the migrate statements")
    defect = slice_defect(ctx, code.writer_statements, wh) if code.origin == "slice" else None
    if defect is not None:
        ctx.refactor_defect = defect
        ctx.statements = code.writer_statements
        ctx.warnings.append(
            f"table_slices entry not used: {defect}; the model is derived from the writer's migrate statements"
        )
    return ctx


def check_input(wh: Warehouse, key: str) -> None:
    """A table this target reads must itself be readable where the target needs it: a source's
    or seed's columns (its declaration, its fixtures), an upstream target's whole catalog and,
    transitively, that target's own inputs. The first problem fails this target, naming the file
    and the field; a seed must also be in the dbt project. Answers are kept per warehouse."""
    problem = _input_problem(wh, key, frozenset())
    if problem is not None:
        raise InputError(problem)


def _input_problem(wh: Warehouse, key: str, seen: frozenset[str]) -> str | None:
    memo = wh.input_problems
    if key in memo:
        return memo[key]
    if key in seen:
        return None
    problem = None
    table = wh.project.tables.get(key)
    if key in wh.project.rejected_tables:
        problem = f"reads {key}, whose catalog cannot be read: {wh.project.rejected_tables[key]}"
    elif table is not None:
        problem = _own_problem(wh, table)
        if problem is None and table.is_target and table.profile is not None:
            try:
                code = legacy_code_for(wh.project, table, wh.source_dialect)
            except MigrateError:
                code = None  # that target fails on its own, with its own reason
            for ref in code.references if code is not None else []:
                upstream = normalize_name(f"{ref.schema_}.{ref.name}")
                found = _input_problem(wh, upstream, seen | {key}) if upstream != key and ref.is_selected else None
                if found is not None:
                    problem = f"reads {table.schema_}.{table.name}, which {found}"
                    break
    memo[key] = problem
    return problem


def _own_problem(wh: Warehouse, table: TableCatalog) -> str | None:
    try:
        table.need(*(TARGET_FIELDS if table.is_target else ("columns",)))
    except InputError as exc:
        return f"reads {table.schema_}.{table.name}, whose catalog cannot be read: {exc}"
    if table.seed_name and wh.dbt.seeds and table.seed_name not in wh.dbt.seeds:
        return (
            f"reads the seed {table.schema_}.{table.name}, which the dbt project does not have: add "
            f"seeds/{table.seed_name}.csv (seeds are referenced with ref('{table.seed_name}'), never generated)"
        )
    return None


def check_context(ctx: Context, *, table: Path, procedure: Path, test_spec: Path) -> None:
    """Every name the rendering macros write into a model or YAML file is safe there
    (``escaping.check_name``): an unsafe one fails this table with ``UnsafeInputError`` naming
    the file and field. Data values were escaped when the context was built."""
    schema, _, name = ctx.table.partition(".")
    if schema:
        check_name(schema, field="schema", file=table)
    check_name(name, field="name", file=table)
    check_model_name(ctx.model_name, field=f"model name of {ctx.table!r}", file=table)
    for part in ctx.writer.split(".", 1):
        if part:
            check_name(part, field="schema/name (the procedure name)", file=procedure)
    for i, col in enumerate(ctx.columns):
        check_name(col.name, field=f"columns[{i}].name", file=table)
        check_sql_type(col.sql_type, field=f"columns[{i}].sql_type", file=table)
        check_sql_type(col.data_type, field=f"columns[{i}].sql_type (as {ctx.target_dialect})", file=table)
    m = ctx.materialization
    for key in m.unique_key or []:
        check_name(key, field="profile.natural_key / profile.primary_key", file=table)
    if m.watermark is not None:
        check_name(m.watermark, field="profile.watermark", file=table)
    for i, st in enumerate(ctx.source_tables):
        where = f"references.tables.in_scope[{i}]"
        check_relation_parts(
            st.source_name, st.table_name, st.model_name, field=f"{where} ({st.relation})", file=procedure
        )
        for c in st.columns:
            check_name(c, field=f"{where}.columns", file=procedure)
    for test in ctx.schema_tests:
        for value in [test.column, test.field, test.action, *(test.columns or [])]:
            if value is not None:
                check_name(value, field=f"profile (schema test {test.kind} {test.test or ''})".strip(), file=table)
    for i, ut in enumerate(ctx.unit_tests):
        check_resource_name(ut.name, field=f"unit_tests[{i}].name", file=test_spec)
        for g in ut.given:
            for row in g.rows:
                for key in row:
                    check_name(key, field=f"unit_tests[{i}].given rows (a column name)", file=test_spec)
        for row in ut.expect.rows:
            for key in row:
                check_name(key, field=f"unit_tests[{i}].expect.rows (a column name)", file=test_spec)


def check_watermark(wh: Warehouse, table: TableCatalog, path: Path | str, inputs: list[SourceTable]) -> None:
    """An incremental model filters on its watermark: a column neither the target nor any input has
    would pass the first (full) run and fail every incremental one, so the table fails now."""
    profile = table.profile
    if profile is None or not profile.watermark:
        return
    for column in profile.watermark:  # an unsafe name is that, before it is a missing column
        check_name(column, field="profile.watermark", file=path)
    known = {c.name.lower() for c in table.columns}
    known |= {c.lower() for c in wh.columns_of(table.key) or ()}
    for source in inputs:
        known |= {c.lower() for c in source.columns}
        known |= {c.lower() for c in wh.columns_of(source.relation) or ()}
    if not known:
        return  # no column list anywhere to check against
    missing = [w for w in profile.watermark if w.lower() not in known]
    if missing:
        raise InputError(
            f"{path}: field 'profile.watermark': column {', '.join(missing)} is not a column of "
            f"{table.schema_}.{table.name} nor of its inputs ({', '.join(s.relation for s in inputs) or 'none'}); "
            "the incremental filter would fail on the second run"
        )


def context_columns(wh: Warehouse, table: TableCatalog) -> list[ContextColumn]:
    """The target's columns with their types for the dbt target: linear in the column count (the
    identity set is computed once, not once per column)."""
    identity = identity_columns(table)
    return [
        ContextColumn(
            name=c.name,
            sql_type=c.sql_type,
            # The current format states the target type (a geography column lands as text, say).
            data_type=target_type(c.target_sql_type or c.sql_type or "", wh.source_dialect, wh.dbt.dialect),
            is_nullable=c.is_nullable,
            is_identity=c.name.lower() in identity,
        )
        for c in table.columns
    ]


def schema_tests(wh: Warehouse, table: TableCatalog, resolver: Resolver) -> list[SchemaTest]:
    profile = table.profile
    assert profile is not None
    tests: list[SchemaTest] = []
    key = entity_key_for(table)
    if len(key) == 1:
        tests += [SchemaTest(kind="entity_integrity", column=key[0], test=t) for t in ("unique", "not_null")]
    elif key:
        tests += [SchemaTest(kind="entity_integrity", column=c, test="not_null") for c in key]
        tests.append(SchemaTest(kind="entity_integrity", columns=key, test="unique_combination_of_columns"))
    path = wh.project.root / "catalog" / "tables" / f"{table.key}.json"
    for fk in profile.foreign_keys:
        if not fk.references_source_relation or not fk.references_column:
            continue  # the current format allows a foreign key without its reference target
        field = "profile.foreign_keys[].references_source_relation"
        check_name(fk.references_source_relation, field=field, file=path)
        rel = resolver.resolve(fk.references_source_relation)
        check_relation_parts(rel.source_name, rel.table_name, rel.model_name, field=field, file=path)
        if rel.kind == "this":
            continue
        tests.append(
            SchemaTest(
                kind="referential_integrity",
                column=fk.column,
                test="relationships",
                to=rel.jinja_call,
                field=fk.references_column,
            )
        )
    for pii in profile.pii_actions:
        tests.append(SchemaTest(kind="pii", column=pii.column, action=pii.suggested_action))
    return tests


def unit_tests(
    wh: Warehouse, table: TableCatalog, resolver: Resolver, warnings: list[str], incremental: bool = False
) -> list[UnitTest]:
    """Every test-spec scenario with ``expect``, in dbt's shape. Expectations are copied unchanged.

    Given rows may carry columns the input relation does not have (an identity surrogate of an
    upstream target, which the migrated model does not produce): those input columns are left out
    of the fixture, and a warning says so. Nothing in ``expect`` is ever changed.
    """
    spec = wh.project.test_spec(f"{table.schema_}.{table.name}")
    if spec is None:
        return []
    spec_file = wh.project.root / "test-specs" / f"{table.key}.json"
    rendered = []
    for test in spec.unit_tests:
        if test.expect is None:
            continue
        given = []
        for g in test.given:
            check_name(g.table, field=f"unit test {test.name!r} given.table", file=spec_file)
            rel = resolver.resolve(g.table)
            check_relation_parts(
                rel.source_name,
                rel.table_name,
                rel.model_name,
                field=f"unit test {test.name!r} given.table",
                file=spec_file,
            )
            known = wh.columns_of(g.table)
            rows = [dict(r) for r in g.rows]
            if known is not None:
                allowed = {c.lower() for c in known}
                dropped = sorted({k for r in rows for k in r if k.lower() not in allowed})
                if dropped:
                    rows = [{k: v for k, v in r.items() if k.lower() in allowed} for r in rows]
                    warnings.append(
                        f"unit test {test.name}: given {g.table} columns {', '.join(dropped)} are not produced "
                        f"by {rel.jinja_call} (identity surrogate or unknown column); left out of the fixture"
                    )
            given.append(GivenInput(input=rel.jinja_call, rows=[escape_values(r) for r in rows]))
        rendered.append(
            UnitTest(
                name=test.name,
                origin="test_spec",
                given=given,
                expect=Expectation(rows=[escape_values(dict(r)) for r in test.expect.rows]),
                description=escape(test.description) if test.description else None,
                # The legacy procedure's scenarios describe a full load; dbt would otherwise call the
                # real is_incremental() inside the unit test.
                overrides={"macros": {"is_incremental": False}} if incremental else None,
            )
        )
    return rendered
