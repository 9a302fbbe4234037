"""What the service needs from its environment before it starts: outside the embedded mode a
secret key, a public address and a sane number of trusted proxies, each refused by name when
missing or wrong; embedded, a secret key of its own, made once and kept under instance/."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from innovationsweek import migrate
from innovationsweek.app import create_app
from innovationsweek.config import ConfigurationError, Settings
from innovationsweek.privacy.service import erasure_token
from innovationsweek.runtime import Runtime

# The key every installation shared before issue 13: public, so never acceptable again.
OLD_PUBLIC_KEY = "dev-only-not-secret"
SERVICES = {"DATABASE_URL": "postgresql://db.invalid/innovationsweek", "REDIS_URL": "redis://redis.invalid:6379/0"}


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """An environment with none of the service's settings but its instance folder."""
    for name in ("DATABASE_URL", "REDIS_URL", "IW_SECRET_KEY", "IW_PUBLIC_URL", "IW_TRUSTED_PROXY_HOPS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IW_INSTANCE_PATH", str(tmp_path / "instance"))
    return monkeypatch


def start() -> Runtime:
    """Start as every command does (from the environment), and stop again."""
    runtime = Runtime(Settings.from_env())
    runtime.close()
    return runtime


@pytest.mark.parametrize("services", [{"DATABASE_URL": SERVICES["DATABASE_URL"]}, SERVICES])
def test_production_without_a_secret_key_refuses_to_start_naming_it(environment, services):
    for name, value in {**services, "IW_PUBLIC_URL": "https://innovationsveckan.example"}.items():
        environment.setenv(name, value)
    with pytest.raises(ConfigurationError, match="IW_SECRET_KEY"):
        start()


def test_production_without_a_public_address_refuses_to_start_naming_it(environment):
    for name, value in {**SERVICES, "IW_SECRET_KEY": "a-key-of-its-own"}.items():
        environment.setenv(name, value)
    with pytest.raises(ConfigurationError, match="IW_PUBLIC_URL"):
        start()


def test_production_with_its_settings_starts_with_them(environment):
    for name, value in {**SERVICES, "IW_SECRET_KEY": "a-key-of-its-own", "IW_PUBLIC_URL": "https://innovationsveckan.example"}.items():
        environment.setenv(name, value)
    settings = start().settings
    assert (settings.secret_key, settings.public_url) == ("a-key-of-its-own", "https://innovationsveckan.example")


@pytest.mark.parametrize("value", ["innovationsveckan.example", "ftp://innovationsveckan.example", "https://"])
def test_a_public_address_that_is_no_web_address_is_refused_naming_it(environment, value):
    environment.setenv("IW_PUBLIC_URL", value)
    with pytest.raises(ConfigurationError, match="IW_PUBLIC_URL"):
        start()


@pytest.mark.parametrize("value", ["-1", "one", "1.5"])
def test_a_bad_number_of_trusted_proxies_is_refused_naming_it(environment, value):
    environment.setenv("IW_TRUSTED_PROXY_HOPS", value)
    with pytest.raises(ConfigurationError, match="IW_TRUSTED_PROXY_HOPS"):
        start()


@pytest.mark.parametrize("value", ["-1", "soon", "nan"])
def test_a_bad_index_rebuild_interval_is_refused_naming_it(environment, value):
    environment.setenv("IW_PROGRAMME_INDEX_SECONDS", value)
    with pytest.raises(ConfigurationError, match="IW_PROGRAMME_INDEX_SECONDS"):
        start()


def test_an_index_rebuild_interval_of_0_rebuilds_for_every_version(environment):
    environment.setenv("IW_PROGRAMME_INDEX_SECONDS", "0")
    assert Settings.from_env().programme_index_seconds == 0


def test_the_embedded_mode_makes_its_own_key_once_and_keeps_it_private(environment, tmp_path):
    first = start().settings.secret_key
    again = start().settings.secret_key
    other_instance = Runtime(Settings(instance_path=tmp_path / "elsewhere"))
    other_instance.close()

    assert first == again, "tokens and links stay valid across restarts"
    assert first and first != OLD_PUBLIC_KEY and len(first) >= 32
    assert other_instance.settings.secret_key != first
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_the_embedded_mode_keeps_a_key_given_in_the_environment(environment, tmp_path):
    environment.setenv("IW_SECRET_KEY", "chosen-by-the-operator")
    assert start().settings.secret_key == "chosen-by-the-operator"
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_an_erasure_link_forged_with_the_old_public_key_is_refused(environment):
    """Before, every fresh installation signed with the same published key: anyone could
    forge the link that erases a person's registrations."""
    runtime = Runtime(Settings.from_env())
    try:
        migrate.upgrade(runtime.database.engine)
        client = create_app(runtime=runtime).test_client()
        forged = erasure_token("anna@example.org", secret_key=OLD_PUBLIC_KEY)
        genuine = erasure_token("anna@example.org", secret_key=runtime.settings.secret_key)

        assert client.get(f"/api/v1/privacy/erasure-requests/{forged}").status_code == 404
        assert client.post(f"/api/v1/privacy/erasure-requests/{forged}/confirm").status_code == 404
        assert client.get(f"/api/v1/privacy/erasure-requests/{genuine}").status_code == 200
    finally:
        runtime.close()
