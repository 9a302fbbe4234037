"""The ``innovationsweek`` command: migrations, demo data, accounts, the worker and the server."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import tempfile
import threading
from pathlib import Path

import click
from werkzeug.serving import WSGIRequestHandler, make_server

from innovationsweek import demo, migrate
from innovationsweek.accounts import service as accounts
from innovationsweek.app import create_app
from innovationsweek.config import ConfigurationError, Settings
from innovationsweek.queue import run_worker
from innovationsweek.runtime import Runtime, install


def _runtime(*, default_public_url: str | None = None) -> Runtime:
    """The runtime of the environment's settings; a missing or wrong setting ends the command
    with one line naming it (exit status 1), not a traceback."""
    try:
        settings = Settings.from_env()
        if default_public_url and not settings.public_url:
            settings = dataclasses.replace(settings, public_url=default_public_url)
        return install(Runtime(settings))
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from None


@click.group()
def main() -> None:
    """innovationsweek: coordinate a national innovation week."""


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply the migrations (DATABASE_URL, or the embedded SQLite file)."""
    migrate.upgrade(_runtime().database.engine, revision)
    click.echo(f"database at {revision}")


@db.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
def db_revision(message: str) -> None:
    """Write a migration for what the models add to a database at head (review it!)."""
    migrate.make_revision(_runtime().database.engine, message)


@main.group("demo")
def demo_group() -> None:
    """Demo data from Innovationsveckan 2019."""


@demo_group.command("load")
def demo_load() -> None:
    """Load the demo edition, organisations and accounts (a second load changes nothing)."""
    runtime = _runtime()
    with runtime.database.unit_of_work() as session:
        _print_accounts(demo.load_demo(session, password=runtime.settings.demo_password))


@main.group()
def users() -> None:
    """Accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--admin", is_flag=True, help="Make the account an administrator.")
def users_create(email: str, name: str, password: str, admin: bool) -> None:
    """Create an account, e.g. the first administrator."""
    with _runtime().database.unit_of_work() as session:
        user = accounts.register(session, email=email, password=password, name=name, is_admin=admin)
        click.echo(f"created {'administrator' if admin else 'account'} {user.email} (id {user.id})")


@main.command()
@click.option("--burst", is_flag=True, help="Work until the queues are empty, then stop.")
def worker(burst: bool) -> None:
    """Run an RQ worker for all queues (with Redis: RQ's scheduler too)."""
    run_worker(_runtime(), burst=burst)


class QuietRequestHandler(WSGIRequestHandler):
    """werkzeug's handler without "Werkzeug/x.y Python/x.y" in the Server header: versions only
    help someone looking for a known hole. (gunicorn already sends a bare "gunicorn".)"""

    def version_string(self) -> str:
        return "innovationsweek"

    def parse_request(self) -> bool:
        # http.server reads the request line as Latin-1 and werkzeug then takes it for text: a
        # word typed unescaped ("curl '...?q=välfärd'") arrived as mojibake and found nothing.
        # Read it as the UTF-8 such clients send (gunicorn refuses it with a 400 instead).
        parsed = super().parse_request()
        with contextlib.suppress(UnicodeError):
            self.path = self.path.encode("latin-1").decode("utf-8")
        return parsed


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, envvar="PORT", show_default=True)
@click.option("--no-worker", is_flag=True, help="Serve the API only (workers run elsewhere).")
@click.option("--demo", "with_demo", is_flag=True, help="Load the demo into an empty database with DATABASE_URL too (embedded, it always is).")
def serve(host: str, port: int, no_worker: bool, with_demo: bool) -> None:
    """Migrate, load the demo into an empty embedded database, and serve the API with a worker.

    Links in mails and feeds point at this address unless IW_PUBLIC_URL says otherwise. For
    production use gunicorn (``gunicorn wsgi:app``) and separate ``innovationsweek worker``s.
    """
    url = f"http://{host}:{port}"
    runtime = _runtime(default_public_url=url)
    migrate.upgrade(runtime.database.engine)
    _start_empty_database(runtime, with_demo=with_demo or runtime.settings.embedded)
    server = make_server(host, port, create_app(runtime=runtime), threaded=True, request_handler=QuietRequestHandler)
    click.echo(f"innovationsweek on {url}  (the programme: {url}/, API docs: {url}/api/docs, health: {url}/health)")
    if no_worker:
        server.serve_forever()
        return
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
    try:
        run_worker(runtime)
    finally:
        server.shutdown()


@main.command()
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("openapi/openapi.json"), show_default=True)
def openapi(output: Path) -> None:
    """Write the OpenAPI document the API serves at /api/openapi.json."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_openapi_document())
    click.echo(f"wrote {output}")


def render_openapi_document() -> str:
    with tempfile.TemporaryDirectory() as instance:
        app = create_app(Settings(instance_path=Path(instance)))
        document = app.test_client().get("/api/openapi.json").get_json()
        app.extensions["innovationsweek"].close()
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _start_empty_database(runtime: Runtime, *, with_demo: bool) -> None:
    # The demo's accounts have a published password: never in a shared database unasked.
    with runtime.database.unit_of_work() as session:
        if not demo.is_database_empty(session):
            return
        if with_demo:
            click.echo("Empty database: loading the demo (Innovationsveckan 2019).")
            _print_accounts(demo.load_demo(session, password=runtime.settings.demo_password))
        else:
            click.echo("Empty database: create the first administrator with `innovationsweek users create --admin` (or serve --demo).")


def _print_accounts(demo_accounts: list[demo.DemoAccount]) -> None:
    click.echo("Demo accounts:")
    for account in demo_accounts:
        click.echo(f"  {account.role:<12} {account.email:<26} password: {account.password}")
