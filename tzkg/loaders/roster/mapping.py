"""Declarative roster mappings (data/mappings/*.toml): header synonyms, required columns, what a
roster confers. A new bureau layout is a new mapping file, not new code."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode

from tzkg.errors import RosterError
from tzkg.loaders.roster.text import clean
from tzkg.vocab import CLASSES, PREFIXES, tzo

MAPPINGS_DIR = "mappings"

ROLES = ("name", "uscc", "district", "year", "host", "host_uscc", "level", "type", "seq")
"""Columns the engine understands (the rest are `fields`, copied to a property):
name (the subject's name), uscc (its 统一社会信用代码), district, year, host (the enterprise a
platform is hosted by) and host_uscc, level (国家级/省级/市级), type (a value → class table),
seq (序号, recognised only so that it is not reported as unmapped)."""

SUBJECTS = ("enterprise", "platform")
LEVELS = ("National", "Provincial", "Municipal")
FIELD_TARGETS = ("subject", "designation")
FIELD_DATATYPES = ("string", "zh", "iri")
_KIND = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_HEADER_NOISE = re.compile(r"[\s*＊★☆:：]")
_HEADER_NOTE = re.compile(r"\([^()]*\)")


def header_key(text: str) -> str:
    """A header as compared with synonyms: cleaned, without spaces, stars and colons."""
    return _HEADER_NOISE.sub("", clean(text)).lower()


def header_keys(text: str) -> list[str]:
    """The header, then the header without bracketed notes (企业名称(全称) → 企业名称)."""
    key = header_key(text)
    bare = _HEADER_NOTE.sub("", key)
    return [key] if bare == key or not bare else [key, bare]


@dataclass(frozen=True)
class Column:
    """One column role: the headers it may have and whether a row needs a value there."""

    role: str
    headers: tuple[str, ...]
    required: bool = False
    values: tuple[tuple[str, str], ...] = ()  # for `type`: (text contained, tzo class)


@dataclass(frozen=True)
class Field:
    """A further column copied to a property of the subject or of the designation."""

    name: str
    headers: tuple[str, ...]
    property: NamedNode
    on: str = "designation"
    datatype: str = "string"


@dataclass(frozen=True)
class RosterMapping:
    """How one kind of roster reads and what it states."""

    kind: str
    path: Path
    title_zh: str
    title_en: str
    status_zh: str | None
    status_en: str | None
    subject: str
    detect: tuple[str, ...]
    columns: dict[str, Column]
    fields: tuple[Field, ...] = ()
    classes: tuple[str, ...] = ()
    level: str | None = None
    level_classes: dict[str, str] = field(default_factory=dict)
    platform_name: str | None = None
    year_required: bool = False

    @property
    def confers_designation(self) -> bool:
        """Whether a row gives its subject a designation (a status of a year)."""
        return self.status_zh is not None

    def synonyms(self) -> dict[str, str]:
        """Header key → role or field name."""
        table: dict[str, str] = {}
        for column in self.columns.values():
            for header in column.headers:
                table.setdefault(header_key(header), column.role)
        for extra in self.fields:
            for header in extra.headers:
                table.setdefault(header_key(header), extra.name)
        return table

    def required_roles(self) -> list[str]:
        """Roles whose column must be present in the file."""
        roles = [c.role for c in self.columns.values() if c.required]
        if "name" not in self.columns and "host" in self.columns:
            roles.append("host")
        return roles


def load_mappings(data_dir: Path) -> dict[str, RosterMapping]:
    """Every mapping of data/mappings/, by kind.

    :raises RosterError: if a mapping file is malformed (code `roster-mapping`).
    """
    found: dict[str, RosterMapping] = {}
    directory = data_dir / MAPPINGS_DIR
    for path in sorted(directory.glob("*.toml")):
        mapping = load_mapping(path)
        if mapping.kind in found:
            raise RosterError(
                f"kind {mapping.kind!r} is also defined in {found[mapping.kind].path.name}",
                where=str(path),
                code="roster-mapping",
            )
        found[mapping.kind] = mapping
    return found


def load_mapping(path: Path) -> RosterMapping:
    """Read one mapping file.

    :raises RosterError: if it is not valid TOML or not a valid mapping (code `roster-mapping`).
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(
            f"cannot read mapping: {exc}", where=str(path), code="roster-mapping"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise RosterError(f"not TOML: {exc}", where=str(path), code="roster-mapping") from None
    try:
        return _parse(path, data)
    except (KeyError, TypeError, ValueError) as exc:
        message = exc.args[0] if exc.args else str(exc)
        if isinstance(exc, KeyError):
            message = f"missing or unknown key {message}"
        raise RosterError(str(message), where=str(path), code="roster-mapping") from None


_TOP_KEYS = {
    "kind",
    "title",
    "status",
    "subject",
    "detect",
    "columns",
    "fields",
    "classes",
    "level",
    "level_classes",
    "platform_name",
    "year_required",
}


def _parse(path: Path, data: dict[str, Any]) -> RosterMapping:
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ValueError(f"unknown keys: {', '.join(sorted(unknown))}")
    kind = _str(data["kind"], "kind")
    if not _KIND.match(kind):
        raise ValueError(f"kind {kind!r} must be lower-case words joined by '-'")
    subject = _str(data.get("subject", "enterprise"), "subject")
    if subject not in SUBJECTS:
        raise ValueError(f"subject must be one of {', '.join(SUBJECTS)}")
    title = _table(data["title"], "title")
    status = _table(data.get("status", {}), "status")
    columns: dict[str, Column] = {}
    for role, spec in _table(data["columns"], "columns").items():
        if role not in ROLES:
            raise ValueError(f"unknown column role {role!r} (roles: {', '.join(ROLES)})")
        spec = _table(spec, f"columns.{role}")
        extra = set(spec) - {"headers", "required", "values"}
        if extra:
            raise ValueError(f"columns.{role}: unknown keys {', '.join(sorted(extra))}")
        values = tuple(
            (clean(text), _class(cls, f"columns.{role}.values"))
            for text, cls in _table(spec.get("values", {}), f"columns.{role}.values").items()
        )
        columns[role] = Column(
            role,
            _strings(spec["headers"], f"columns.{role}.headers"),
            bool(spec.get("required", False)),
            values,
        )
    if "name" not in columns and not ("host" in columns and data.get("platform_name")):
        raise ValueError("a mapping needs a `name` column (or `host` and `platform_name`)")
    if subject == "enterprise" and {"host", "host_uscc"} & set(columns):
        raise ValueError("host columns are for platform rosters (subject = 'platform')")
    fields: list[Field] = []
    for name, spec in _table(data.get("fields", {}), "fields").items():
        spec = _table(spec, f"fields.{name}")
        if name in ROLES:
            raise ValueError(f"fields.{name}: the name is a column role")
        on = _str(spec.get("on", "designation"), f"fields.{name}.on")
        datatype = _str(spec.get("datatype", "string"), f"fields.{name}.datatype")
        if on not in FIELD_TARGETS or datatype not in FIELD_DATATYPES:
            raise ValueError(
                f"fields.{name}: on is one of {FIELD_TARGETS}, datatype one of {FIELD_DATATYPES}"
            )
        fields.append(
            Field(
                name,
                _strings(spec["headers"], f"fields.{name}.headers"),
                _property(_str(spec["property"], f"fields.{name}.property")),
                on,
                datatype,
            )
        )
    level = data.get("level")
    if level is not None and level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    level_classes = {
        _level(k): _class(v, "level_classes")
        for k, v in _table(data.get("level_classes", {}), "level_classes").items()
    }
    classes = tuple(_class(c, "classes") for c in _list(data.get("classes", []), "classes"))
    if subject == "platform" and not classes and "type" not in columns:
        raise ValueError("a platform roster confers a class: give `classes` or a `type` column")
    platform_name = data.get("platform_name")
    if platform_name is not None and "{host}" not in str(platform_name):
        raise ValueError("platform_name must contain {host}")
    return RosterMapping(
        kind=kind,
        path=path,
        title_zh=_str(title["zh"], "title.zh"),
        title_en=_str(title["en"], "title.en"),
        status_zh=status.get("zh"),
        status_en=status.get("en"),
        subject=subject,
        detect=_strings(data.get("detect", []), "detect"),
        columns=columns,
        fields=tuple(fields),
        classes=classes,
        level=level,
        level_classes=level_classes,
        platform_name=str(platform_name) if platform_name is not None else None,
        year_required=bool(data.get("year_required", False)),
    )


def _str(value: object, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key} must be a non-empty string")
    return value.strip()


def _strings(value: object, key: str) -> tuple[str, ...]:
    return tuple(_str(item, key) for item in _list(value, key))


def _list(value: object, key: str) -> list[object]:
    if not isinstance(value, list):
        raise ValueError(f"{key} must be a list")
    return value


def _table(value: object, key: str) -> dict[str, Any]:
    if not isinstance(value, MappingABC):
        raise ValueError(f"{key} must be a table")
    return dict(value)


def _class(value: object, key: str) -> str:
    name = _str(value, key).removeprefix("tzo:")
    if name not in CLASSES:
        raise ValueError(f"{key}: tzo:{name} is not a class of the ontology")
    return name


def _level(value: str) -> str:
    if value not in LEVELS:
        raise ValueError(f"level_classes: {value!r} is not one of {', '.join(LEVELS)}")
    return value


def _property(curie: str) -> NamedNode:
    prefix, colon, local = curie.partition(":")
    if not colon or prefix not in PREFIXES or not local:
        raise ValueError(f"property {curie!r} is not a CURIE with a known prefix")
    if prefix == "tzo":
        try:
            return tzo(local)
        except KeyError:
            raise ValueError(f"property {curie!r} is not declared in the ontology") from None
    return NamedNode(PREFIXES[prefix] + local)
