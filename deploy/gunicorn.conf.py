"""gunicorn settings for AtMostOnce: `gunicorn -c deploy/gunicorn.conf.py 'app:create_app()'`.

Every setting can be changed from the environment, so one file serves every server:

    WEB_CONCURRENCY   worker processes (default: 2 per CPU + 1)
    WEB_THREADS       threads per worker (default 1: plain sync workers)
    BIND              address to listen on (default 127.0.0.1:8000; a proxy or load balancer sits in front)
    WEB_TIMEOUT       seconds a request may take before its worker is replaced (default 60)
    ACCESS_LOG        where the access log goes (default "-": standard output, for journald; empty: none)
    MAX_REQUESTS      recycle a worker after this many requests (default 2000, with jitter), against slow leaks
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
threads = _int("WEB_THREADS", 1)
# The app (catalogue, templates, translations) loads once in the master and the workers share
# its memory; `create_app` also brings the schema up to date there, once, before any worker serves.
preload_app = True
timeout = _int("WEB_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
max_requests = _int("MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
# Sync workers hold one request each from its first byte to its last: put a buffering proxy
# (nginx does buffer by default) in front, so slow clients and 32 MB uploads do not tie them up.

accesslog = os.environ.get("ACCESS_LOG", "-") or None
errorlog = "-"
# Who, when, what, the status, the size, how long (microseconds) and where the proxy says it came from.
access_log_format = '%({x-forwarded-for}i)s %(h)s %(t)s "%(r)s" %(s)s %(B)s %(D)sus "%(a)s"'
# Behind a proxy on the same machine or network: trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    """A forked worker must not reuse the master's database connections: drop them, keep the pool."""
    engine = server.app.wsgi().extensions["engine"]
    engine.dispose(close=False)
