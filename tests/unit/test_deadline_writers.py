"""A task's deadline moves only through the transition table: its clock starting, pausing, or a granted extension.

Read from the source: every assignment to a `.deadline` and every `deadline=` handed to a Task or to an
UPDATE's values anywhere in services/ and web/ is listed here with the function that makes it. A new
writer fails this test until it is reviewed: a task's deadline may only move inside an effect of a row
of a transition table (so under the case's lock, with the row's audit event), never from a lever,
a route or a sweep. Supervisors move a deadline by granting an extension, which is audited.
"""

import ast
import inspect
import textwrap
from pathlib import Path

from services.workflow import shared, task_rules
from services.workflow.benefits import dispute_rules as benefit_dispute_rules
from services.workflow.benefits import rules as benefit_rules
from services.workflow.case_types import machines
from services.workflow.disputes import rules as dispute_rules
from services.workflow.enterprise import task_rules as enterprise_task_rules

ROOT = Path(__file__).resolve().parents[2]

# (file, function, what is written): every write of a deadline in the code.
TASK_DEADLINE_WRITERS = {
    ("services/workflow/task_rules.py", "start_clock", "task.deadline"),
    ("services/workflow/task_rules.py", "grant_extension", "task.deadline"),
    ("services/workflow/shared.py", "resume_task_clock", "task.deadline"),
    ("services/workflow/enterprise/task_rules.py", "start_clock", "task.deadline"),
    ("services/workflow/disputes/rules.py", "_new_task", "Task(deadline=)"),
    # A dispute's extension, once both parties consented, moves its running tasks' deadlines with its own.
    ("services/workflow/disputes/rules.py", "record_consent", "task.deadline"),
    # A flagged benefit offer's check is a task made by the offer's row that flags it.
    ("services/workflow/benefits/rules.py", "create_review_task", "Task(deadline=)"),
}
# The cases' own deadlines (an application's, a request's, a dispute's) are set by their tables' rules too.
CASE_DEADLINE_WRITERS = {
    ("services/workflow/rules.py", "stamp_accepted", "firing.application.deadline"),
    ("services/workflow/shared.py", "stretch_application_deadline", "application.deadline"),
    # An offer back from the review of its amount gets days to answer again.
    ("services/workflow/benefits/dispute_rules.py", "reopen_answer_window", "offer.deadline"),
}


def _writes() -> set[tuple[str, str, str]]:
    found = set()
    for path in sorted([*(ROOT / "services").rglob("*.py"), *(ROOT / "web").rglob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        name = str(path.relative_to(ROOT))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                targets = (
                    node.targets
                    if isinstance(node, ast.Assign)
                    else [node.target]
                    if isinstance(node, ast.AugAssign)
                    else []
                )
                for target in targets:
                    if isinstance(target, ast.Attribute) and target.attr == "deadline":
                        found.add((name, function.name, ast.unparse(target)))
                if isinstance(node, ast.Call) and any(k.arg == "deadline" for k in node.keywords):
                    callee = ast.unparse(node.func)
                    if callee == "Task":
                        found.add((name, function.name, "Task(deadline=)"))
                    elif callee.endswith(".values"):
                        found.add((name, function.name, f"{callee}(deadline=)"))
    return found


def _called_by(functions) -> set[str]:
    """The names of the functions the given ones call, directly or through their module's helpers."""
    called: set[str] = set()
    pending = list(functions)
    seen = set()
    while pending:
        function = pending.pop()
        if function in seen:
            continue
        seen.add(function)
        source = textwrap.dedent(inspect.getsource(function))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func).rpartition(".")[2]
                called.add(name)
                helper = getattr(inspect.getmodule(function), name, None)
                if inspect.isfunction(helper):
                    pending.append(helper)
    return called


def test_only_the_transition_tables_rules_write_a_deadline():
    writes = _writes()
    assert not [write for write in writes if ".values(" in write[2]]  # no UPDATE sets one behind the ORM
    other_kinds = {write for write in writes if write[2] in ("request.deadline", "dispute.deadline")}
    assert all(write[0].startswith("services/workflow/") for write in other_kinds)  # their tables' rules
    assert writes - other_kinds == TASK_DEADLINE_WRITERS | CASE_DEADLINE_WRITERS


def test_each_task_deadline_writer_runs_as_an_effect_of_a_row():
    effects = {effect for machine in machines() for row in machine.transitions for effect in row.effects}
    assert task_rules.start_clock in effects
    assert task_rules.grant_extension in effects
    assert enterprise_task_rules.start_clock in effects
    assert dispute_rules.record_consent in effects
    # The clock's resumption is part of the rows that end a pause, and a dispute's tasks are made by its rows.
    called = _called_by(effects)
    assert shared.resume_task_clock.__name__ in called
    assert dispute_rules._new_task.__name__ in called
    assert benefit_rules.create_review_task in effects
    assert benefit_dispute_rules.reopen_answer_window in effects
    # The granted extension is the one row of an application's task that moves a running deadline on request.
    granting = [
        row for machine in machines() for row in machine.transitions if task_rules.grant_extension in row.effects
    ]
    assert [row.event for row in granting] == ["grant_extension"]
