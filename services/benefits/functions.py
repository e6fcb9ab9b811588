"""SQL functions that SQLite and PostgreSQL write differently, for the eligibility queries (query.py)."""

from typing import Any

from sqlalchemy import BigInteger, Boolean, String, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from .columns import integer


class Least(FunctionElement[int]):
    """The least of two or more integers, none NULL, each argument worked once (compared in a CASE, a lookup in
    an argument ran twice for each subject). SQLite's min() of two or more arguments is this scalar function."""

    type = BigInteger()
    inherit_cache = True
    name = "min"


class Greatest(Least):
    """The greatest of two or more integers (SQLite's max() of two or more)."""

    inherit_cache = True
    name = "max"


@compiles(Least)
@compiles(Greatest)
def _scalar_min_max(element: Least, compiler: Any, **kw: Any) -> str:
    return f"{element.name}({compiler.process(element.clauses, **kw)})"


@compiles(Least, "postgresql")
def _least(element: Least, compiler: Any, **kw: Any) -> str:
    return f"LEAST({compiler.process(element.clauses, **kw)})"


@compiles(Greatest, "postgresql")
def _greatest(element: Greatest, compiler: Any, **kw: Any) -> str:
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


class StartsWith(FunctionElement[bool]):
    """The text begins with the prefix, case and all."""

    type = Boolean()
    inherit_cache = True

    def __init__(self, column: ColumnElement[Any], prefix: str):
        super().__init__(column, literal(prefix, String), integer(len(prefix)))


@compiles(StartsWith)
def _substr_prefix(element: StartsWith, compiler: Any, **kw: Any) -> str:
    # substr, not LIKE: SQLite's LIKE ignores case and reads % and _ in the prefix as wildcards.
    column, prefix, length = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"substr({column}, 1, {length}) = {prefix}"


@compiles(StartsWith, "postgresql")
def _prefix_operator(element: StartsWith, compiler: Any, **kw: Any) -> str:
    # ^@, whose selectivity PostgreSQL estimates from the column's statistics: of substr(code, 1, 1) = 'C' it
    # knew nothing, guessed one firm in 200 for 55% of them, and joined the R&D filings in a nested loop (12 s
    # of CPU against 0.1 s, bench/BENEFITS.md).
    column, prefix, _ = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({column} ^@ {prefix})"
