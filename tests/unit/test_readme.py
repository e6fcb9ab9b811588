"""The README's promises: its two commands, and diagrams that match the transition table."""
from pathlib import Path

from services.workflow.table import APPLICATION, TASK
from web.diagram import mermaid

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
CI = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_setup_commands():
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["make run", "make test"]
    assert "make test" in CI.splitlines()[-1]


def test_readme_diagrams_match_the_table():
    assert mermaid(APPLICATION) in README
    assert mermaid(TASK) in README
