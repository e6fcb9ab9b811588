"""What gunicorn serves in the load benchmark: the product, plus a hello-world route as the baseline.

The baseline lives here, not in the product: the same workers, server and middleware, and
nothing behind the route but a string. Configured from the environment like the product.
The floor route runs `statements` trivial statements in one transaction on the app's engine,
the cheapest way through SQLAlchemy and the driver: what a write of that many statements costs
before any of its own work.
"""

from sqlalchemy import text

from app import create_app

app = create_app()
TRIVIAL = text("SELECT 1")


@app.get("/bench/hello")
def hello() -> str:
    return "Hello, world"


@app.get("/bench/floor/<int:statements>")
def floor(statements: int) -> str:
    with app.extensions["engine"].begin() as connection:
        for _ in range(statements):
            connection.execute(TRIVIAL)
    return "floor"
