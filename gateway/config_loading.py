"""Reading settings: a TOML file and `GATEWAY_<SECTION>__<KEY>` variables, into the dataclasses.

`gateway.config` holds the dataclasses (the schema); this reads them, field by field, from
their type hints and `metadata`, collecting every problem rather than stopping at the first.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from gateway.config import ConfigError, Settings

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


@dataclass(frozen=True, slots=True)
class _FromEnv:
    """A raw value read from an environment variable, parsed later by its field's type."""

    name: str
    text: str


class _Invalid(Exception):
    """One value does not fit its field; `what` is the "what is wrong" part of the message."""

    def __init__(self, what: str, got: str | None = None, expected: str | None = None) -> None:
        self.what, self.got, self.expected = what, got, expected


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
    """Turns the raw tree (file values and `_FromEnv` strings) into settings, collecting problems."""

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
                _put(raw, path, _FromEnv(name, env_value))
        for name in sorted(self.env):
            if not name.startswith("GATEWAY_") or "__" not in name:
                continue  # GATEWAY_CONFIG and friends are not settings
            segments = name.removeprefix("GATEWAY_").split("__")
            if not all(segments):
                self.problem(name, "not a setting name", repr(name), "GATEWAY_<SECTION>__<KEY>")
                continue
            _put(raw, _env_path(segments), _FromEnv(name, self.env[name]))

    def settings(self, raw: dict[str, Any]) -> Settings:
        server = raw.get("server")
        environment = server.get("environment") if isinstance(server, dict) else None
        if isinstance(environment, _FromEnv):
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
            self.problem(path, "not a table", _got(raw), f"a [{path}] table of settings")
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
            if _is_table(hint):
                values[f.name] = self.table(hint, raw.get(f.name, {}), dotted)
            elif (optional := _optional_table(hint)) and f.name in raw:
                table = self.table(optional, raw[f.name], dotted)
                # Not a table is one problem: it stays unset, so that no "missing" follows.
                values[f.name] = table if isinstance(raw[f.name], dict) else None
            elif is_table_of_tables(hint):
                values[f.name] = self.tables(hint, raw.get(f.name, {}), dotted, _default(f))
            elif f.name in raw:
                values[f.name] = self.value(raw[f.name], hint, f, dotted)
            else:
                values[f.name] = self.defaults.get(dotted, _default(f))
        return cls(**values)

    def tables(self, hint: Any, raw: object, path: str, default: Mapping[str, Any]) -> Any:
        if not isinstance(raw, dict):
            self.problem(path, "not a table", _got(raw), f"[{path}.<name>] tables")
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
        self.problem(path, "unknown key", _got(value), f"one of {', '.join(names)}{hint}")

    def value(self, raw: object, hint: Any, f: dataclasses.Field[Any], path: str) -> Any:
        set_by = _env_names(raw)
        secret = bool(f.metadata.get("secret"))
        got = _got(raw)
        if secret or f.metadata.get("redacted"):
            got = f"<redacted> from {raw.name}" if isinstance(raw, _FromEnv) else "<redacted>"
        try:
            if isinstance(raw, _FromEnv):
                parsed = _from_text(raw.text, hint)
                if isinstance(parsed, dict):  # a whole table from one variable
                    parsed = {k: _FromEnv(raw.name, v) for k, v in parsed.items()}
                raw = parsed
            elif secret:
                env_name = "GATEWAY_" + path.upper().replace(".", "__")
                expected = f"the environment variable {env_name}"
                raise _Invalid("secrets are not read from the config file", None, expected)
            value = self.coerce(raw, hint, f.metadata, path)
            if isinstance(value, str) and f.metadata.get("env_references"):
                example = "${" + "_".join(path.split(".")[1:]).upper() + "}"
                value = self.expand(value, bool(set_by), path, example=repr(example))
        except _Invalid as exc:
            expected = exc.expected or _expected(hint, f.metadata)
            self.problem(path, exc.what, exc.got or got, expected)
            return self.defaults.get(path, _default(f))
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
            raise _Invalid("unknown value" if isinstance(value, str) else "wrong type")
        if kind is tuple:
            if not isinstance(value, list):
                raise _Invalid("wrong type")
            items = []
            for item in value:
                try:
                    items.append(self.coerce(item, typing.get_args(hint)[0], {}, path))
                except _Invalid as exc:
                    raise _Invalid(f"{exc.what} in the list", _got(item)) from None
            return tuple(items)
        if kind is Mapping:
            return self.mapping(value, meta, path)
        if hint is bool:
            if not isinstance(value, bool):
                raise _Invalid("wrong type")
            return value
        if hint in (int, float):
            return _number(value, hint, meta)
        if hint in (str, Path):
            if not isinstance(value, str):
                raise _Invalid("wrong type")
            if not value.strip():
                raise _Invalid("empty")
            return hint(value)
        if hint is date:
            return _day(value)
        if hint is Decimal:
            return _decimal(value, meta)
        raise TypeError(f"no parser for {hint!r} at {path}")  # a schema bug, not a user error

    def mapping(self, value: object, meta: Mapping[str, Any], path: str) -> Mapping[str, str]:
        if not isinstance(value, dict):
            raise _Invalid("wrong type")
        result = {}
        for key, item in value.items():
            from_env = isinstance(item, _FromEnv)
            text = item.text if isinstance(item, _FromEnv) else item
            if not isinstance(text, str):
                raise _Invalid(f"wrong type for {key!r}", _got(item))
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


def _put(raw: dict[str, Any], path: tuple[str, ...], value: _FromEnv) -> None:
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
        if _is_free_table(hint):
            path.append(segment)
            hint = None
            continue
        path.append(segment.lower())
        if _is_table(hint):
            hint = type_hints(hint).get(segment.lower())
            hint = _optional_table(hint) or hint
        elif is_table_of_tables(hint):
            hint = typing.get_args(hint)[1]
        else:
            hint = None
    return tuple(path)


def _from_text(text: str, hint: Any) -> object:
    """Read an environment variable's text as the TOML value its field expects."""
    kind = typing.get_origin(hint)
    if hint is bool:
        words = {"true": True, "1": True, "yes": True, "on": True}
        words |= {"false": False, "0": False, "no": False, "off": False}
        if text.strip().lower() not in words:
            raise _Invalid("not a boolean")
        return words[text.strip().lower()]
    if hint in (int, float):
        return _toml_value(text, "not a number")
    if kind is tuple:
        if text.lstrip().startswith("["):
            return _toml_value(text, "not a TOML list")
        return [item.strip() for item in text.split(",") if item.strip()]
    if kind is Mapping:
        return _toml_value(
            text, "not a TOML inline table, e.g. '{ Accept = \"application/json\" }'"
        )
    return text.strip() if kind is Literal else text


def _day(value: object) -> date:
    # A TOML date arrives as a date, an environment variable as text; a datetime is a date
    # too, but a time of day would be ignored, so it is refused.
    if type(value) is date:
        return value
    if not isinstance(value, str):
        raise _Invalid("wrong type")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _Invalid("not a date") from None


def _toml_value(text: str, what: str) -> object:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        raise _Invalid(what) from None


def _decimal(value: object, meta: Mapping[str, Any]) -> Decimal:
    # Text keeps an amount exact ("4.95"); a TOML float is read through its shortest text.
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Invalid("wrong type")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise _Invalid("not a decimal number") from None
    if not amount.is_finite():
        raise _Invalid("not a decimal number")
    low, high, above = meta.get("minimum"), meta.get("maximum"), meta.get("above")
    if (
        (low is not None and amount < low)
        or (high is not None and amount > high)
        or (above is not None and amount <= above)
    ):
        raise _Invalid("out of range")
    return amount


def _number(value: object, hint: type[Any], meta: Mapping[str, Any]) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Invalid("wrong type")
    if hint is int and not isinstance(value, int):
        raise _Invalid("wrong type")
    low, high, above = meta.get("minimum"), meta.get("maximum"), meta.get("above")
    if (
        (low is not None and value < low)
        or (high is not None and value > high)
        or (above is not None and value <= above)
    ):
        raise _Invalid("out of range")
    return hint(value)  # type: ignore[no-any-return]


def type_hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _is_table(hint: Any) -> bool:
    return isinstance(hint, type) and dataclasses.is_dataclass(hint)


def _optional_table(hint: Any) -> type[Any] | None:
    """The dataclass of a `Table | None` field: a table that is absent unless written."""
    if typing.get_origin(hint) not in (typing.Union, types.UnionType):
        return None
    tables = [arg for arg in typing.get_args(hint) if _is_table(arg)]
    return tables[0] if len(tables) == 1 else None


def is_table_of_tables(hint: Any) -> bool:
    return typing.get_origin(hint) is Mapping and _is_table(typing.get_args(hint)[1])


def _is_free_table(hint: Any) -> bool:
    return typing.get_origin(hint) is Mapping and typing.get_args(hint)[1] is str


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return f.default


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _got(value: object) -> str:
    if isinstance(value, _FromEnv):
        return f"{value.text!r} from {value.name}"
    if isinstance(value, dict):
        names = ", ".join(_env_names(value))
        return f"a table from {names}" if names else "a table"
    shown = repr(value) if isinstance(value, str) else toml_text(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _env_names(value: object) -> list[str]:
    if isinstance(value, _FromEnv):
        return [value.name]
    if isinstance(value, dict):
        return [name for item in value.values() for name in _env_names(item)]
    return []


def _expected(hint: Any, meta: Mapping[str, Any]) -> str:
    kind = typing.get_origin(hint)
    if kind in (typing.Union, types.UnionType):
        (inner,) = (arg for arg in typing.get_args(hint) if arg is not type(None))
        return _expected(inner, meta)
    if kind is Literal:
        return "one of " + ", ".join(repr(choice) for choice in typing.get_args(hint))
    if kind is tuple:
        item = typing.get_args(hint)[0]
        if typing.get_origin(item) is Literal:
            return "a list of any of " + ", ".join(repr(c) for c in typing.get_args(item))
        return "a list of strings"
    if kind is Mapping:
        return 'a table of strings, e.g. { Authorization = "Bearer ${TOKEN}" }'
    if hint is bool:
        return "true or false"
    if hint is date:
        return "a date, e.g. 2027-04-05"
    if hint is Decimal:
        low, high, above = meta.get("minimum"), meta.get("maximum"), meta.get("above")
        if above is not None:
            return f'a decimal amount, e.g. "4.95", greater than {above}'
        bounds = f" from {low} to {high}" if high is not None else f" of at least {low}"
        return (
            'a decimal amount, e.g. "4.95",' + bounds
            if low is not None
            else 'a decimal amount, e.g. "4.95"'
        )
    noun = "an integer" if hint is int else "a number"
    low, high, above = meta.get("minimum"), meta.get("maximum"), meta.get("above")
    if hint in (int, float):
        if low is not None and high is not None:
            return f"{noun} from {low} to {high}"
        if above is not None:
            return f"{noun} greater than {above}"
        return f"{noun} of at least {low}"
    return "a non-empty string"


def toml_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_text(item) for item in value) + "]"
    if isinstance(value, Mapping):
        pairs = ", ".join(f"{json.dumps(k)} = {toml_text(v)}" for k, v in value.items())
        return "{ " + pairs + " }" if pairs else "{}"
    return json.dumps(str(value), ensure_ascii=False)
