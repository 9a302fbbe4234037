"""gunicorn entrypoint: ``gunicorn wsgi:app``.

Reads the settings of README's Production section; without IW_SECRET_KEY or IW_PUBLIC_URL the
import fails with a ConfigurationError naming the setting, and gunicorn stops ("Worker failed to
boot") instead of serving with a key anyone could know.
"""

from innovationsweek.app import create_app

app = create_app()
