import pytest

# What makes a test need a database or the app: a test here asking for one belongs in tests/service or tests/http.
DATABASE_FIXTURES = {
    "migrated_template",
    "database_url",
    "empty_database_url",
    "engine",
    "session",
    "app",
    "db",
    "web",
    "other_web",
}


def pytest_runtest_setup(item):
    asked = DATABASE_FIXTURES.intersection(item.fixturenames)
    if asked:
        pytest.fail(
            f"a unit test runs without a database, but this one asks for {', '.join(sorted(asked))}", pytrace=False
        )
