"""The ceiling: a bare Flask app answering the same number of bytes the programme's first page
has (BENCH_CEILING_BYTES), served by the same gunicorn and measured by the same wrk."""

import os

from flask import Flask, Response

BODY = b"x" * int(os.environ.get("BENCH_CEILING_BYTES", "1000"))
app = Flask(__name__)


@app.get("/")
def body() -> Response:
    return Response(BODY, mimetype="application/json")
