"""Every setting is documented with its default, and offered in `.env.example`; nothing else is.

The settings classes are the truth. `docs/configuration.md` (the reference `docs/operations.md`
points operators to) and `.env.example` are read as a newcomer reads them, so a setting added,
renamed, removed or given a new default fails here until both files follow.
"""

import importlib
import json
import pkgutil
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

import configs
from configs.base import PrefixedSettings
from configs.paths import ROOT_DIR

REFERENCE = ROOT_DIR / "docs" / "configuration.md"
OPERATIONS = ROOT_DIR / "docs" / "operations.md"
ENV_EXAMPLE = ROOT_DIR / ".env.example"
# Defaults that depend on the machine or are secrets: the reference describes them in words.
DESCRIBED = {
    "DJANGO_SECRET_KEY": "a development placeholder, refused when `DJANGO_DEBUG` is false",
    "DATABASE_URL": "`sqlite:///<project>/var/db.sqlite3`",
}
ROW = re.compile(r"^\| `([A-Z][A-Z0-9_]+)` \| ([^|]+) \|", re.MULTILINE)


def _settings_classes() -> list[type[PrefixedSettings]]:
    for module in pkgutil.iter_modules(configs.__path__):
        if module.name != "django":  # Django's settings module, not a settings class
            importlib.import_module(f"configs.{module.name}")
    found, todo = [], list(PrefixedSettings.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.model_config.get("env_prefix") and cls.__module__.startswith("configs."):
            found.append(cls)  # not the examples some tests define
    return found


def _settings() -> dict[str, Any]:
    """Every variable a settings class reads, with its default."""
    variables = {}
    for cls in _settings_classes():
        prefix = cls.model_config["env_prefix"]
        for name, field in cls.model_fields.items():
            default = field.default_factory() if field.default_factory else field.default  # type: ignore[call-arg]
            variables[f"{prefix}{name}".upper()] = default
    return variables


def _is_documented_as(cell: str, default: Any) -> bool:
    """Whether a table's default cell (`60`, `true`, unset, a JSON list...) says `default`."""
    if default is None or default == "":  # an empty value reads as unset
        return cell == "unset"
    assert not isinstance(default, SecretStr), "describe a secret's default in DESCRIBED"
    if not (cell.startswith("`") and cell.endswith("`")):
        return False
    value = cell[1:-1]
    if isinstance(default, bool):
        return value == str(default).lower()
    if isinstance(default, int | float):
        return float(value) == default
    if isinstance(default, timedelta):
        return float(value) == default.total_seconds()
    if isinstance(default, Path):
        return ROOT_DIR / value == default
    if isinstance(default, list):
        return bool(json.loads(value) == default)
    return value == str(default)


def _settings_section(text: str) -> str:
    """The reference's tables of settings, not those of other variables."""
    return text.split("## Variables", 1)[1].split("### Not settings of the service", 1)[0]


def test_the_reference_lists_every_setting_with_its_default_and_nothing_else() -> None:
    documented = dict(ROW.findall(_settings_section(REFERENCE.read_text())))
    settings = _settings()

    assert sorted(documented) == sorted(settings)
    for name, default in settings.items():
        cell = documented[name].strip()
        if name in DESCRIBED:
            assert cell == DESCRIBED[name], name
        else:
            assert _is_documented_as(cell, default), f"{name}: {cell} is not {default!r}"


def test_env_example_offers_every_setting_and_nothing_else() -> None:
    offered = re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE)

    assert sorted(set(offered)) == sorted(_settings())
    twice = {name for name in offered if offered.count(name) > 1}
    assert twice <= {"CELERY_BROKER_URL"}  # one example for Redis, one for RabbitMQ


def test_the_operations_guide_names_only_real_settings_with_their_defaults() -> None:
    settings = _settings()
    rows = ROW.findall(OPERATIONS.read_text())

    assert rows, "docs/operations.md has no table of settings"
    for name, default in rows:
        if name in DESCRIBED:
            continue  # a secret or machine-dependent default, described in words
        if name in settings:
            assert _is_documented_as(default.strip(), settings[name]), name
        else:
            assert name in _other_variables(), f"{name} is neither a setting nor documented"


def _other_variables() -> set[str]:
    """Variables that no settings class reads (the scripts', uvicorn's), as the reference lists."""
    other = REFERENCE.read_text().split("### Not settings of the service", 1)[1]
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", other))
