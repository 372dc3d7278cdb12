"""The data discover passes between its stages: what was read (objects, DDL facts, problems) and
what the procedure analysis inferred. Pure data, no behaviour beyond naming.

Contract shared by the input/writer side and the procedure analysis: later changes only add
optional fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ObjectKind = Literal["table", "view", "procedure", "function", "other"]


def fqn_of(schema: str, name: str) -> str:
    """The catalog file stem convention: ``schema.name`` lowercased (``dbo`` when unqualified)."""
    return f"{(schema or 'dbo').lower()}.{name.lower()}"


@dataclass(frozen=True)
class SqlObject:
    """One object read from the input: one GO batch, or one file's object."""

    kind: ObjectKind
    schema: str  # unbracketed, original casing ("Dimension")
    name: str  # unbracketed, original casing ("Stock Item")
    sql: str  # the object's text
    file: str  # path relative to the input root, forward slashes
    line: int  # 1-based line of the object's first line in `file`

    @property
    def fqn(self) -> str:
        return fqn_of(self.schema, self.name)


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # T-SQL type text, e.g. "decimal(18,2)", "nvarchar(50)"
    nullable: bool
    identity: bool = False
    default: str | None = None


@dataclass(frozen=True)
class ForeignKey:
    columns: list[str]
    ref_table: str  # fqn of the referenced table
    ref_columns: list[str]
    name: str | None = None  # constraint name when declared


@dataclass(frozen=True)
class TableFacts:
    """What the DDL says about one table or view."""

    schema: str
    name: str
    kind: Literal["table", "view"]
    columns: list[Column]
    primary_key: list[str] = field(default_factory=list)
    unique_keys: list[list[str]] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    select_sql: str | None = None  # views: the SELECT body
    file: str = ""
    line: int = 0
    primary_key_name: str | None = None
    unique_key_names: list[str | None] = field(default_factory=list)

    @property
    def fqn(self) -> str:
        return fqn_of(self.schema, self.name)


@dataclass(frozen=True)
class Problem:
    """An input discover could not read (fully); it kept going with the rest."""

    file: str
    line: int
    message: str
    object: str | None = None  # fqn when the object's name could be located

    def describe(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.object}: {self.message}" if self.object else f"{where}: {self.message}"


@dataclass(frozen=True)
class Discovered:
    objects: list[SqlObject] = field(default_factory=list)
    tables: dict[str, TableFacts] = field(default_factory=dict)  # fqn -> facts (tables and views)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. sequences ignored

    def procedures(self) -> list[SqlObject]:
        return [o for o in self.objects if o.kind == "procedure"]


@dataclass(frozen=True)
class TableInference:
    """What the procedure analysis inferred for one table (FORMATS-current shapes)."""

    scoping: dict[str, Any] = field(default_factory=dict)  # "scoping (table)" block
    profile: dict[str, Any] = field(default_factory=dict)  # "profile (table)" block


@dataclass(frozen=True)
class Analysis:
    procedures: dict[str, dict[str, Any]] = field(default_factory=dict)  # proc fqn -> catalog body
    tables: dict[str, TableInference] = field(default_factory=dict)  # table fqn -> inference
    problems: list[Problem] = field(default_factory=list)
