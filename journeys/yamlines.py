"""YAML that remembers where each value came from, so every error can name its line.

Mappings load as `Node` dicts and sequences as `NodeList` lists; both keep the
line of the container and of each key or entry. Plain dicts and lists as far as
everyone else (jsonschema, the loader) is concerned.
"""

import re

import yaml

# libyaml's C parser when present (several times faster); the marks are the same.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Node(dict):
    line: int = 0
    lines: dict

    def line_of(self, key) -> int:
        return self.lines.get(key, self.line)


class NodeList(list):
    line: int = 0
    lines: list

    def line_of(self, index: int) -> int:
        return self.lines[index] if 0 <= index < len(self.lines) else self.line


class _LineLoader(_Base):
    pass


def _mapping(loader, node):
    result = Node()
    result.line = node.start_mark.line + 1
    result.lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader, node):
    result = NodeList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
# Dates and times stay the strings the tester wrote: the loader reads them in China time itself.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _LineLoader.yaml_implicit_resolvers.items()
}


class YamlError(ValueError):
    def __init__(self, line: int, reason: str):
        super().__init__(reason)
        self.line = line
        self.reason = reason


def load_yaml(text: str):
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = re.sub(r"\s+", " ", f"{error.context or ''} {error.problem or ''}").strip()
        raise YamlError(mark.line + 1 if mark else 1, f"not valid YAML: {problem}") from None


def line_at(document, path) -> int:
    """The line of the deepest node along `path` (keys and indexes) that the document has."""
    line = getattr(document, "line", 1)
    node = document
    for part in path:
        present = (
            part in node
            if isinstance(node, Node)
            else isinstance(node, NodeList) and isinstance(part, int) and part < len(node)
        )
        if not present:
            break
        line = node.line_of(part)
        node = node[part]
    return line
