"""CatalogError and the wording of the problems it reports."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml


class CatalogError(ValueError):
    """A catalogue data error, located by file and entry (e.g. ``item 330100-PSB-004``)."""

    def __init__(self, file: str, entry: str | None, message: str):
        super().__init__(file, entry, message)
        self.file = file
        self.entry = entry
        self.message = message

    def __str__(self) -> str:
        where = f"{self.file}: {self.entry}" if self.entry else self.file
        return f"{where}: {self.message}"


def display_path(path: Path) -> str:
    """The path relative to the working directory when it lies under it, as people type it."""
    relative = os.path.relpath(path.resolve())
    return str(path) if relative.startswith("..") else relative


def yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or str(exc)
    return f"invalid YAML{where}: {problem}"


def schema_problem(problem: Any, raw: Any) -> str:
    loc = problem["loc"]
    kind = problem["type"]
    if kind == "missing":
        return _at(loc[:-1], raw, f"missing key {loc[-1]!r}")
    if kind == "extra_forbidden":
        return _at(loc[:-1], raw, f"unknown key {loc[-1]!r}")
    if kind == "too_short":
        return _at(loc, raw, f"must list at least {problem['ctx']['min_length']}")
    if kind == "literal_error":
        return _at(loc, raw, f"{problem['input']!r} is not one of {problem['ctx']['expected']}")
    got = repr(problem["input"])
    return _at(loc, raw, f"{problem['msg']} (got {got if len(got) <= 60 else got[:57] + '...'})")


def _at(loc: tuple[Any, ...], raw: Any, message: str) -> str:
    """Prefix `message` with a readable path, naming list elements by their `key` when they have one."""
    parts: list[str] = []
    node = raw
    for step in loc:
        if isinstance(step, int):
            node = node[step] if isinstance(node, list) and step < len(node) else None
            key = node.get("key") if isinstance(node, dict) else None
            parts.append(f"[{key}]" if isinstance(key, str) else f"[{step}]")
        else:
            node = node.get(step) if isinstance(node, dict) else None
            parts.append(f".{step}" if parts else str(step))
    path = "".join(parts)
    return f"{path}: {message}" if path else message
