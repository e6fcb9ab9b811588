"""What gunicorn serves in the load benchmark: the product, plus a hello-world route as the baseline.

The baseline lives here, not in the product: the same workers, server and middleware, and
nothing behind the route but a string. Configured from the environment like the product.
The floor route runs `statements` trivial statements in one transaction on the app's engine,
the cheapest way through SQLAlchemy and the driver: what a write of that many statements costs
before any of its own work. The commit route writes one row and commits: what a durable commit
costs (on SQLite, the file's one writer waits for the disk).
"""

from sqlalchemy import text

from app import create_app

app = create_app()
TRIVIAL = text("SELECT 1")
# A row of its own: the benchmark's workers take turns on it, no one else does.
BUMP = text(
    "INSERT INTO counter (name, value) VALUES ('bench-commit', 1) "
    "ON CONFLICT (name) DO UPDATE SET value = counter.value + 1"
)


@app.get("/bench/hello")
def hello() -> str:
    return "Hello, world"


@app.get("/bench/floor/<int:statements>")
def floor(statements: int) -> str:
    with app.extensions["engine"].begin() as connection:
        for _ in range(statements):
            connection.execute(TRIVIAL)
    return "floor"


@app.get("/bench/commit")
def commit() -> str:
    with app.extensions["engine"].begin() as connection:
        connection.execute(BUMP)
    return "committed"
