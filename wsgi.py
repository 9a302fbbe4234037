"""gunicorn entrypoint: ``gunicorn wsgi:app`` (reads DATABASE_URL and REDIS_URL)."""

from innovationsweek.app import create_app

app = create_app()
