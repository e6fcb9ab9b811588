"""The seed's benchmarks run end to end on a small city (the figures themselves are measured by hand)."""

from bench import seed_million, sqlite_drivers


def test_seed_million_prints_and_writes_its_figures(tmp_path, capsys, quick_password_hashing):
    report = tmp_path / "seed.md"
    # Both paths, briefly: 10 cases through the services, 20 cloned from them.
    arguments = ["--applications", "30", "--slow-cases", "10", "--own-rows", "--verify", "--write", str(report)]
    assert seed_million.main(arguments) == 0
    printed = capsys.readouterr().out
    for label in (
        "applications, ",
        "fast path:",
        "bare rows:",
        "ratio:",
        "own rows:",
        "floor:",
        "target:",
        "audit chains ok",
    ):
        assert label in printed
    written = report.read_text(encoding="utf-8")
    assert written.startswith("# Seeding a million applications")
    assert "--applications 30" in written and "floor:" in written and "apsw" in written


def test_sqlite_drivers_compares_the_two(capsys):
    assert sqlite_drivers.main(["--rows", "2000", "--rounds", "1"]) == 0
    printed = capsys.readouterr().out
    assert "sqlite3" in printed and "apsw" in printed and "ratio:" in printed
