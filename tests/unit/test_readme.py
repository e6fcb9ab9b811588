"""The README's promises: its two commands, diagrams that match the transition table, a true Layout."""

import re
import subprocess
from pathlib import Path

from app import create_app
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


# --- the Layout section names the tree as it is ---------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
FILE_NAME = re.compile(r"[\w.-]+\.(py|md|txt|ini|cfg|toml|yaml|json|mako)")


def layout_names() -> set[str]:
    section = README.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([^`]+)`", section))


def named_paths() -> set[str]:
    """What the Layout section writes as a path: a name with a slash or a file name, placeholders aside."""
    return {
        name
        for name in layout_names()  # a URL (`/_test/`) is not a path of the tree
        if ("/" in name or FILE_NAME.fullmatch(name)) and not re.search(r"[<\s(]", name) and name[0] != "/"
    }


def top_level_directories() -> set[str]:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return {path.split("/", 1)[0] for path in tracked.splitlines() if "/" in path}


def test_layout_names_every_top_level_directory_of_the_repository():
    directories = top_level_directories()
    assert {"services", "web", "tests"} <= directories  # the listing itself worked
    assert {f"{directory}/" for directory in directories} - layout_names() == set()


def test_layout_names_every_package_of_the_domain():
    packages = {f"services/{init.parent.name}/" for init in (ROOT / "services").glob("*/__init__.py")}
    assert packages and packages - layout_names() == set()


def test_layout_names_every_blueprint_of_the_app(tmp_path):
    app = create_app(
        {
            "SECRET_KEY": "readme",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}",
            "UPLOAD_FOLDER": str(tmp_path / "up"),
        }
    )
    # The web's own; the test-mode blueprint belongs to the journeys and is named there by its file.
    ours = {name for name, blueprint in app.blueprints.items() if blueprint.import_name.startswith("web.")}
    assert "guide" in ours
    assert ours - layout_names() == set()


def test_every_path_the_layout_names_exists():
    paths = named_paths()
    assert "app.py" in paths and "services/" in paths
    missing = sorted(path for path in paths if not any(ROOT.glob(path.rstrip("/"))))
    assert missing == []
