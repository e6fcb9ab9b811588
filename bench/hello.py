"""What gunicorn serves in the load benchmark: the product, plus a hello-world route as the baseline.

The baseline lives here, not in the product: the same workers, server and middleware, and
nothing behind the route but a string. Configured from the environment like the product.
"""

from app import create_app

app = create_app()


@app.get("/bench/hello")
def hello() -> str:
    return "Hello, world"
