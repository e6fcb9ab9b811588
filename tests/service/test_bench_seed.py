"""The seed's benchmarks run end to end on a small city (the figures themselves are measured by hand)."""

from bench import seed_million, sqlite_drivers


def test_seed_million_prints_and_writes_its_figures(tmp_path, capsys):
    report = tmp_path / "seed.md"
    assert seed_million.main(["--applications", "120", "--own-rows", "--verify", "--write", str(report)]) == 0
    printed = capsys.readouterr().out
    for label in (
        "applications, ",
        "fast path:",
        "bare rows:",
        "ratio:",
        "own rows:",
        "floor:",
        "target:",
        "audit chain ok",
    ):
        assert label in printed
    written = report.read_text(encoding="utf-8")
    assert written.startswith("# Seeding a million applications")
    assert "--applications 120" in written and "floor:" in written and "apsw" in written


def test_sqlite_drivers_compares_the_two(capsys):
    assert sqlite_drivers.main(["--rows", "2000", "--rounds", "1"]) == 0
    printed = capsys.readouterr().out
    assert "sqlite3" in printed and "apsw" in printed and "ratio:" in printed
