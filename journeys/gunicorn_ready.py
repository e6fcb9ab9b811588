"""Gunicorn settings for the test-mode server (`-c python:journeys.gunicorn_ready`).

The first answer over HTTP proves one worker is up, not all of them; a worker that is still importing the app
would leave every early request to the other. Each worker marks a file once it can serve, so whoever started
the server waits for all of them.
"""

import os
from pathlib import Path


def post_worker_init(worker):
    folder = os.environ.get("GUNICORN_READY_FOLDER")
    if folder:
        (Path(folder) / str(worker.pid)).touch()
