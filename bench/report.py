"""The figures as a table on the terminal and as bench/RESULTS.md."""

from dataclasses import dataclass, field
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


@dataclass(frozen=True)
class Figure:
    """One measured value next to the baseline measured in the same run."""

    name: str
    baseline_label: str
    baseline: float
    value_label: str
    value: float
    unit: str
    # "ratio<=": value/baseline at most `target`; "ratio>=": at least; "value<=": the value itself at most.
    rule: str | None = None
    target: float | None = None
    why_missed: str = ""  # what stands in the way, said when the target is missed

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("inf")

    @property
    def met(self) -> bool | None:
        if self.rule is None:
            return None
        measured = self.value if self.rule == "value<=" else self.ratio
        return measured >= self.target if self.rule == "ratio>=" else measured <= self.target

    @property
    def target_text(self) -> str:
        if self.rule is None:
            return "—"
        if self.rule == "value<=":
            return f"≤ {self.target:g} {self.unit}"
        return f"ratio {'≥' if self.rule == 'ratio>=' else '≤'} {self.target:g}"

    @property
    def verdict(self) -> str:
        if self.met is None:
            return "—"
        if self.met:
            return "met"
        if self.rule == "value<=":
            if not self.target:
                return f"missed: {_number(self.value)} {self.unit}"
            return f"missed: {self.value / self.target:.1f}× the ceiling"
        if self.rule == "ratio>=":
            return f"missed: {self.target / self.ratio:.1f}× short"
        return f"missed: {self.ratio / self.target:.2f}× over"


@dataclass
class Report:
    command: str
    date: str
    machine: list[str]
    conditions: list[str]
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def rows(self) -> list[tuple[str, ...]]:
        return [
            (
                f.name,
                f"{f.baseline_label}: {_number(f.baseline)} {f.unit}",
                f"{f.value_label}: {_number(f.value)} {f.unit}",
                f"{f.ratio:.2f}",
                f.target_text,
                f.verdict,
            )
            for f in self.figures
        ]

    def table(self) -> str:
        header = ("figure", "baseline (same run)", "measured", "ratio", "target", "verdict")
        rows = [header] + self.rows()
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
        lines.insert(1, "  ".join("-" * width for width in widths))
        return "\n".join(lines)

    def markdown(self) -> str:
        header = "| figure | baseline (same run) | measured | ratio | target | verdict |"
        lines = [
            "# Benchmark results",
            "",
            f"Reproduce: `{self.command}` (from the project root; see bench/__main__.py for the options).",
            "",
            f"Measured {self.date} on:",
            "",
            *self.machine,
            "",
            "Conditions:",
            "",
            *self.conditions,
            "",
            header,
            "|---|---|---|---:|---|---|",
            *("| " + " | ".join(row) + " |" for row in self.rows()),
            "",
        ]
        missed = [f for f in self.figures if f.met is False]
        if missed:
            lines += ["## Targets missed, by how much and why", ""]
            lines += [f"- **{f.name}** ({f.verdict}). {f.why_missed}" for f in missed]
            lines.append("")
        if self.notes:
            lines += ["## Notes", "", *(f"- {note}" for note in self.notes), ""]
        return "\n".join(lines)

    def write(self) -> Path:
        RESULTS.write_text(self.markdown(), encoding="utf-8")
        return RESULTS


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.4f}"
