"""What gunicorn serves in the load benchmark: the product, plus the baseline and floor routes (bench/routes.py).

Configured from the environment like the product.
"""

from app import create_app
from bench.routes import add_bench_routes

app = add_bench_routes(create_app())
