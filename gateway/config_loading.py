"""Reading settings: a TOML file and `GATEWAY_<SECTION>__<KEY>` variables, into the dataclasses.

`gateway.config` holds the dataclasses (the schema); this reads them, field by field, from
their type hints and `metadata`, collecting every problem rather than stopping at the first.
One value is parsed and checked by `gateway.config_values`.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from gateway.config import ConfigError, Settings
from gateway.config_fields import (
    default_of,
    is_free_table,
    is_table,
    is_table_of_tables,
    join_path,
    optional_table,
    type_hints,
)
from gateway.config_values import (
    FromEnv,
    Invalid,
    env_names,
    expected_of,
    from_text,
    got_text,
    parse_day,
    parse_decimal,
    parse_number,
)

# --- loading -------------------------------------------------------------------------------


def find_config_file(path: str | Path | None, env: Mapping[str, str]) -> Path | None:
    if path is None and env.get("GATEWAY_CONFIG"):
        path = env["GATEWAY_CONFIG"]
    if path is None:
        default = Path("gateway.toml")
        return default.resolve() if default.is_file() else None
    named = Path(path)
    if not named.is_file():
        raise ConfigError(
            [f"config file: not found (got {str(named)!r}); expected an existing TOML file"]
        )
    return named.resolve()


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: not valid TOML ({exc}); expected a TOML document"]) from exc


_CONVENTIONAL_ENV = {
    # The gateway's own database; the reference back office's is GATEWAY_BACKOFFICE__DATABASE_URL.
    "DATABASE_URL": ("database", "url"),
    "REDIS_URL": ("cache", "redis_url"),
}
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_CREDENTIAL_HEADER = re.compile(r"auth|token|key|secret|password|cookie|session", re.IGNORECASE)
_PRODUCTION_DEFAULTS: Mapping[str, object] = {
    "server.introspection": False,
    "server.graphiql": False,
    "server.mask_errors": True,
    "server.debug_source_calls": False,
    "server.webhook_secret": None,
    "auth.algorithms": ("RS256",),
    "auth.dev_secret": None,
}


class Parser:
    """Turns the raw tree (file values and `FromEnv` strings) into settings, collecting problems."""

    def __init__(self, env: Mapping[str, str], config_file: Path | None) -> None:
        self.env = env
        self.config_file = config_file
        self.problems: list[str] = []
        self.origins: dict[str, str] = {}
        self.defaults: Mapping[str, object] = {}

    def problem(self, path: str, what: str, got: str, expected: str) -> None:
        self.problems.append(f"{path}: {what} (got {got}); expected {expected}")

    def overlay_environment(self, raw: dict[str, Any]) -> None:
        # Conventional names first, so that the specific GATEWAY_ names win.
        for name, path in _CONVENTIONAL_ENV.items():
            if env_value := self.env.get(name):
                _put(raw, path, FromEnv(name, env_value))
        for name in sorted(self.env):
            if not name.startswith("GATEWAY_") or "__" not in name:
                continue  # GATEWAY_CONFIG and friends are not settings
            segments = name.removeprefix("GATEWAY_").split("__")
            if not all(segments):
                self.problem(name, "not a setting name", repr(name), "GATEWAY_<SECTION>__<KEY>")
                continue
            _put(raw, _env_path(segments), FromEnv(name, self.env[name]))

    def settings(self, raw: dict[str, Any]) -> Settings:
        server = raw.get("server")
        environment = server.get("environment") if isinstance(server, dict) else None
        if isinstance(environment, FromEnv):
            environment = environment.text.strip()
        self.defaults = _PRODUCTION_DEFAULTS if environment == "production" else {}
        settings: Settings = self.table(Settings, raw, "")
        auth = settings.auth
        if auth.public_key and "-----BEGIN" not in auth.public_key:
            auth = dataclasses.replace(auth, public_key=self.read_public_key(auth.public_key))
        return dataclasses.replace(
            settings, auth=auth, config_file=self.config_file, origins=self.origins
        )

    def table(self, cls: type[Any], raw: object, path: str) -> Any:
        if not isinstance(raw, dict):
            self.problem(path, "not a table", got_text(raw), f"a [{path}] table of settings")
            raw = {}
        settable = [f for f in dataclasses.fields(cls) if not f.metadata.get("internal")]
        names = [f.name for f in settable]
        for key, value in raw.items():
            if key not in names:
                self.unknown(join_path(path, key), key, value, names)
        hints = type_hints(cls)
        values = {}
        for f in settable:
            dotted, hint = join_path(path, f.name), hints[f.name]
            if is_table(hint):
                values[f.name] = self.table(hint, raw.get(f.name, {}), dotted)
            elif (optional := optional_table(hint)) and f.name in raw:
                table = self.table(optional, raw[f.name], dotted)
                # Not a table is one problem: it stays unset, so that no "missing" follows.
                values[f.name] = table if isinstance(raw[f.name], dict) else None
            elif is_table_of_tables(hint):
                values[f.name] = self.tables(hint, raw.get(f.name, {}), dotted, default_of(f))
            elif f.name in raw:
                values[f.name] = self.value(raw[f.name], hint, f, dotted)
            else:
                values[f.name] = self.defaults.get(dotted, default_of(f))
        return cls(**values)

    def tables(self, hint: Any, raw: object, path: str, default: Mapping[str, Any]) -> Any:
        if not isinstance(raw, dict):
            self.problem(path, "not a table", got_text(raw), f"[{path}.<name>] tables")
            raw = {}
        for key, value in raw.items():
            if key not in default:
                self.unknown(join_path(path, key), key, value, list(default))
        item = typing.get_args(hint)[1]
        return types.MappingProxyType(
            {key: self.table(item, raw.get(key, {}), join_path(path, key)) for key in default}
        )

    def unknown(self, path: str, key: str, value: object, names: list[str]) -> None:
        close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        self.problem(path, "unknown key", got_text(value), f"one of {', '.join(names)}{hint}")

    def value(self, raw: object, hint: Any, f: dataclasses.Field[Any], path: str) -> Any:
        set_by = env_names(raw)
        secret = bool(f.metadata.get("secret"))
        got = got_text(raw)
        if secret or f.metadata.get("redacted"):
            got = f"<redacted> from {raw.name}" if isinstance(raw, FromEnv) else "<redacted>"
        try:
            if isinstance(raw, FromEnv):
                parsed = from_text(raw.text, hint)
                if isinstance(parsed, dict):  # a whole table from one variable
                    parsed = {k: FromEnv(raw.name, v) for k, v in parsed.items()}
                raw = parsed
            elif secret:
                env_name = "GATEWAY_" + path.upper().replace(".", "__")
                expected = f"the environment variable {env_name}"
                raise Invalid("secrets are not read from the config file", None, expected)
            value = self.coerce(raw, hint, f.metadata, path)
            if isinstance(value, str) and f.metadata.get("env_references"):
                example = "${" + "_".join(path.split(".")[1:]).upper() + "}"
                value = self.expand(value, bool(set_by), path, example=repr(example))
        except Invalid as exc:
            expected = exc.expected or expected_of(hint, f.metadata)
            self.problem(path, exc.what, exc.got or got, expected)
            return self.defaults.get(path, default_of(f))
        if set_by:
            self.origins[path] = set_by[0]
        return value

    def coerce(self, value: object, hint: Any, meta: Mapping[str, Any], path: str) -> Any:
        kind = typing.get_origin(hint)
        if kind in (typing.Union, types.UnionType):
            (inner,) = (arg for arg in typing.get_args(hint) if arg is not type(None))
            return self.coerce(value, inner, meta, path)
        if kind is Literal:
            if value in typing.get_args(hint):
                return value
            raise Invalid("unknown value" if isinstance(value, str) else "wrong type")
        if kind is tuple:
            if not isinstance(value, list):
                raise Invalid("wrong type")
            items = []
            for item in value:
                try:
                    items.append(self.coerce(item, typing.get_args(hint)[0], {}, path))
                except Invalid as exc:
                    raise Invalid(f"{exc.what} in the list", got_text(item)) from None
            return tuple(items)
        if kind is Mapping:
            return self.mapping(value, meta, path)
        if hint is bool:
            if not isinstance(value, bool):
                raise Invalid("wrong type")
            return value
        if hint in (int, float):
            return parse_number(value, hint, meta)
        if hint in (str, Path):
            if not isinstance(value, str):
                raise Invalid("wrong type")
            if not value.strip():
                raise Invalid("empty")
            return hint(value)
        if hint is date:
            return parse_day(value)
        if hint is Decimal:
            return parse_decimal(value, meta)
        raise TypeError(f"no parser for {hint!r} at {path}")  # a schema bug, not a user error

    def mapping(self, value: object, meta: Mapping[str, Any], path: str) -> Mapping[str, str]:
        if not isinstance(value, dict):
            raise Invalid("wrong type")
        result = {}
        for key, item in value.items():
            from_env = isinstance(item, FromEnv)
            text = item.text if isinstance(item, FromEnv) else item
            if not isinstance(text, str):
                raise Invalid(f"wrong type for {key!r}", got_text(item))
            if meta.get("env_references"):
                text = self.expand(text, from_env, f"{path}.{key}")
            result[str(key)] = text
        return types.MappingProxyType(result)

    def expand(
        self, text: str, from_env: bool, path: str, *, example: str = "'Bearer ${CRM_TOKEN}'"
    ) -> str:
        names = _ENV_REFERENCE.findall(text)
        if not names and not from_env and _CREDENTIAL_HEADER.search(path.rsplit(".", 1)[-1]):
            self.problem(
                path,
                "a credential written in the config file",
                "<redacted>",
                f"a reference to an environment variable, e.g. {example}",
            )
        for name in names:
            if name not in self.env:
                self.problem(
                    path,
                    "refers to an unset environment variable",
                    repr("${" + name + "}"),
                    f"{name} to be set",
                )
        return _ENV_REFERENCE.sub(lambda match: self.env.get(match[1], ""), text)

    def read_public_key(self, value: str) -> str:
        base = self.config_file.parent if self.config_file else Path.cwd()
        path = base / value
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        if "-----BEGIN" not in text:
            self.problem(
                "auth.public_key",
                "neither PEM text nor a readable PEM file",
                repr(str(path)),
                "PEM text ('-----BEGIN PUBLIC KEY-----...') or the path of a PEM file",
            )
            return value  # kept, so that no "missing" follows from this problem
        return text


def _put(raw: dict[str, Any], path: tuple[str, ...], value: FromEnv) -> None:
    node = raw
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value


def _env_path(segments: list[str]) -> tuple[str, ...]:
    """GATEWAY_SOURCES__PIM__MAPPING__productName -> ("sources", "pim", "mapping", "productName").

    Names of settings are lower-cased; keys inside a free-form table keep their spelling.
    """
    path: list[str] = []
    hint: Any = Settings
    for segment in segments:
        if is_free_table(hint):
            path.append(segment)
            hint = None
            continue
        path.append(segment.lower())
        if is_table(hint):
            hint = type_hints(hint).get(segment.lower())
            hint = optional_table(hint) or hint
        elif is_table_of_tables(hint):
            hint = typing.get_args(hint)[1]
        else:
            hint = None
    return tuple(path)
