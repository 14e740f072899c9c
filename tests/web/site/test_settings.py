"""The settings: one typed object read from the environment in one place (docklab/settings.py),
the README's configuration table listing exactly its variables, and clear errors for bad values."""
from __future__ import annotations

import re
from dataclasses import MISSING, fields
from pathlib import Path

import pytest

from docklab import crypto, settings
from docklab.config import REPO_ROOT
from docklab.extensions import db
from docklab.settings import SettingError, Settings
from tests.support.webapp import make_app

README = REPO_ROOT / "README.md"
TABLE_HEADING = "## 설정 (환경 변수)"


def readme_rows() -> list[tuple[list[str], str, int]]:
    """(variables, default cell, line number) of each row of the README's configuration table."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index(TABLE_HEADING)
    rows = []
    for number, line in enumerate(lines[start + 1:], start + 2):
        if line.startswith("#"):
            break
        if not line.startswith("|") or line.startswith("|---"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        names = re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[0])
        if names:
            rows.append((names, cells[1], number))
    assert rows, f"{README}: no configuration table under {TABLE_HEADING!r}"
    return rows


def test_readme_table_lists_exactly_the_settings_variables():
    listed = [name for names, _default, _line in readme_rows() for name in names]
    assert len(listed) == len(set(listed)), "a variable is listed twice in the README's table"
    read = settings.environment_names()
    assert set(listed) - read == set(), "README lists variables docklab does not read"
    assert read - set(listed) == set(), "variables docklab reads that the README does not list"


def _as_documented(value) -> str | None:
    """A default as the README writes it, or None when it is not one literal."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int | str):
        return str(value)
    return None


def test_readme_defaults_match_the_settings():
    """Where the table gives literal defaults (`10` / `300`), they are the fields' defaults."""
    by_variable = {spec.metadata["env"][0]: spec.default for spec in fields(Settings)}
    checked = 0
    for names, cell, line in readme_rows():
        if cell == "(비어 있음)":
            for name in names:
                assert by_variable[name] in ("", ()), f"README.md:{line}: {name} is not empty"
                checked += 1
            continue
        literals = re.fullmatch(r"`([^`]*)`(?: / `([^`]*)`)*", cell)
        if literals is None:
            continue
        documented = re.findall(r"`([^`]*)`", cell)
        assert len(documented) == len(names), f"README.md:{line}: one default per variable"
        for name, text in zip(names, documented, strict=True):
            actual = _as_documented(by_variable.get(name))
            if actual is not None:
                assert text == actual, f"README.md:{line}: {name} defaults to {actual}, not {text}"
                checked += 1
    assert checked > 30


def test_every_setting_has_a_type_a_default_and_a_doc():
    for spec in fields(Settings):
        assert spec.metadata["env"] and spec.metadata["doc"].endswith("."), spec.name
        assert spec.default is not MISSING, spec.name


def test_environment_is_parsed_into_types():
    parsed = settings.from_environment({
        "DOCKLAB_LOCAL_ENGINE": "off", "DOCKLAB_SECURE_COOKIES": "Yes",
        "DOCKLAB_CHECK_LIMIT": " 12 ", "DOCKLAB_CHECK_DEADLINE": "7.5",
        "DOCKLAB_ALLOWED_HOSTS": "10.0.0.0/8, lab.example.com unix:///run/x.sock",
        "DOCKLAB_OLD_SECRET_KEYS": "old-1, old-2,", "DOCKLAB_CONTENT_DIR": "/srv/content",
        "DOCKER_HOST": "tcp://10.1.1.1:2376", "DOCKLAB_MAX_HOSTS": "",  # empty = unset
    })
    assert parsed.local_engine is False and parsed.secure_cookies is True
    assert parsed.check_limit == 12 and parsed.check_deadline == 7.5
    assert parsed.allowed_hosts == ("10.0.0.0/8", "lab.example.com", "unix:///run/x.sock")
    assert parsed.old_secret_keys == ("old-1", "old-2")
    assert parsed.content_dir == Path("/srv/content")
    assert parsed.local_engine_url == "tcp://10.1.1.1:2376"  # DOCKER_HOST when nothing better
    assert parsed.max_hosts == 10
    assert settings.from_environment({"DOCKER_HOST": "tcp://a:1", "DOCKLAB_LOCAL_ENGINE_URL":
                                      "tcp://b:2"}).local_engine_url == "tcp://b:2"
    assert settings.from_environment({}) == Settings()


def test_secrets_stay_out_of_the_repr():
    parsed = settings.from_environment({"DOCKLAB_SECRET_KEY": "s3cr3t-now",
                                        "DOCKLAB_OLD_SECRET_KEYS": "s3cr3t-before"})
    assert parsed.secret_key == "s3cr3t-now"
    assert "s3cr3t" not in repr(parsed)


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("DOCKLAB_CHECK_LIMIT", "ten", "a whole number (the default is 10)"),
    ("DOCKLAB_SANDBOX_PIDS", "2.5", "a whole number (the default is 512)"),
    ("DOCKLAB_HOST_TIMEOUT", "5s", "a number (the default is 5)"),
    ("DOCKLAB_CHECK_DEADLINE", "nan", "a number (the default is 20)"),
    ("DOCKLAB_LOCAL_ENGINE", "enabled", "1 or 0"),
])
def test_a_bad_value_names_the_variable_and_what_it_should_be(name, value, expected):
    with pytest.raises(SettingError) as raised:
        settings.from_environment({name: value})
    assert str(raised.value).startswith(f"{name}={value!r}: expected ")
    assert expected in str(raised.value)


def test_the_app_refuses_to_start_on_a_bad_value(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKLAB_SANDBOX_MAX", "lots")
    with pytest.raises(SettingError, match="DOCKLAB_SANDBOX_MAX='lots'"):
        make_app(tmp_path / "never.sqlite3")
    monkeypatch.delenv("DOCKLAB_SANDBOX_MAX")
    with pytest.raises(SettingError, match="DOCKLAB_MAX_HOSTS='many'"):
        make_app(tmp_path / "never.sqlite3", DOCKLAB_MAX_HOSTS="many")


def test_environment_reaches_the_app_and_config_overrides_win(database_url, monkeypatch,
                                                               tmp_path):
    monkeypatch.setenv("DOCKLAB_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("DOCKLAB_CHECK_WORKERS", "3")
    monkeypatch.setenv("DOCKLAB_REQUEST_WAIT", "1.5")
    app = make_app(database_url, DOCKLAB_REQUEST_WAIT=2)
    site = settings.current(app)
    assert site.check_workers == 3 and app.config["DOCKLAB_CHECK_WORKERS"] == 3
    assert site.request_wait == 2.0  # create_app's `config` goes on top of the environment
    assert site.instance_path == tmp_path / "instance"
    assert site.registry_dir == tmp_path / "instance" / "registry"
    assert (tmp_path / "instance" / "secret_key").exists()  # no DOCKLAB_SECRET_KEY: one is made
    # A test (or an operator's shell) changing app.config later is seen on the next read.
    app.config["DOCKLAB_REQUEST_WAIT"] = 0.25
    assert settings.current(app).request_wait == 0.25
    assert settings.current(app) is settings.current(app)  # rebuilt only when the config changes
    app.config["DOCKLAB_REQUEST_WAIT"] = "soon"
    with pytest.raises(SettingError, match="DOCKLAB_REQUEST_WAIT='soon'"):
        settings.current(app)
    with app.app_context():
        db.engine.dispose()


def test_old_secret_keys_come_from_the_environment(database_url, monkeypatch):
    """DOCKLAB_OLD_SECRET_KEYS is read with every other setting (it used to be read apart)."""
    token = crypto.encrypt(b"key material", {"SECRET_KEY": "the-old-key"})
    monkeypatch.setenv("DOCKLAB_OLD_SECRET_KEYS", "retired, the-old-key")
    app = make_app(database_url, SECRET_KEY="the-new-key")
    with app.app_context():
        assert crypto.decrypt(token) == b"key material"
        db.engine.dispose()
    monkeypatch.delenv("DOCKLAB_OLD_SECRET_KEYS")
    app = make_app(database_url, SECRET_KEY="the-new-key")
    with app.app_context():
        with pytest.raises(crypto.SecretUnreadable):
            crypto.decrypt(token)
        db.engine.dispose()
