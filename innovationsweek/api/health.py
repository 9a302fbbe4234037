from __future__ import annotations

from typing import Any

import marshmallow as ma
from rq import Worker

from innovationsweek.api.blueprint import Blueprint
from innovationsweek.api.context import runtime

blp = Blueprint("health", __name__, url_prefix="/health", description="Is the service able to work?")


class HealthSchema(ma.Schema):
    status = ma.fields.String(metadata={"description": "ok, or unavailable when a dependency is down"})
    database = ma.fields.String()
    queue = ma.fields.String()
    workers = ma.fields.Integer(allow_none=True, metadata={"description": "RQ workers seen by the queue"})
    mode = ma.fields.String(metadata={"description": "embedded (SQLite + in-process queue) or services"})


@blp.route("")
@blp.access("public")
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=HealthSchema, description="The database or the queue is down")
@blp.doc(summary="Database and queue status, for load balancers and monitoring")
def health() -> tuple[dict[str, Any], int, dict[str, str]]:
    current = runtime()
    database_ok = current.database.is_reachable()
    queue_ok = current.queue_is_reachable()
    body = {
        "status": "ok" if database_ok and queue_ok else "unavailable",
        "database": "ok" if database_ok else "unavailable",
        "queue": "ok" if queue_ok else "unavailable",
        "workers": Worker.count(connection=current.redis) if queue_ok else None,
        "mode": "embedded" if current.settings.embedded else "services",
    }
    return body, 200 if database_ok and queue_ok else 503, {"Cache-Control": "no-store"}
