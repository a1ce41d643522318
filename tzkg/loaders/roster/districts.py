"""District names as rosters write them → GB/T 2260 county-level divisions (and NBS townships).

>>> d = DistrictIndex.load(Path("data"))
>>> [d.resolve(x).county for x in ("泰州市高港区", "高港区", "高港", "医药高新区")]
['321203', '321203', '321203', '321203']
>>> d.resolve("白马镇").township, d.resolve("白马镇").county
('321203101', '321203')
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from tzkg.errors import RosterError
from tzkg.loaders.reference import COUNTIES_GLOB, REFERENCE_DIR, TOWNSHIPS_GLOB
from tzkg.loaders.roster.mapping import MAPPINGS_DIR
from tzkg.loaders.roster.text import clean

ALIASES_FILE = "district-aliases.csv"
CITY_CODE = "3212"  # 泰州市: the rosters are the city's
PROVINCE_PREFIXES = ("江苏省", "江苏")
ZONE_SUFFIXES = (
    "高新技术产业开发区",
    "经济技术开发区",
    "经济开发区",
    "工业园区",
    "开发区",
    "高新区",
    "园区",
)
_PARTS = re.compile(r"[()/、,;]")


@dataclass(frozen=True)
class Division:
    """A resolved district: the county-level code (or the city's), and a township if named."""

    county: str
    township: str | None = None
    name: str = ""


@dataclass
class DistrictIndex:
    """Names of the city, its counties and townships, and reviewed aliases, by cleaned name."""

    city: str = ""
    city_code: str = ""
    names: dict[str, Division] = field(default_factory=dict)
    counties: dict[str, str] = field(default_factory=dict)  # full county name → code
    township_names: dict[str, list[Division]] = field(default_factory=dict)

    @classmethod
    def load(cls, data_dir: Path, city_code: str = CITY_CODE) -> DistrictIndex:
        """Read the county and township tables of data/reference/ and the reviewed aliases."""
        index = cls()
        reference = data_dir / REFERENCE_DIR
        for path in sorted(reference.glob(COUNTIES_GLOB)):
            for row in _csv_rows(path):
                code, name = row[0], row[1]
                if code == city_code:
                    index.city, index.city_code = name, code + "00"
                elif len(code) == 6 and code.startswith(city_code):
                    index.counties[name] = code
        if not index.city_code:
            return index
        city = Division(index.city_code, name=index.city)
        index.names[index.city] = city
        index.names[index.city.removesuffix("市")] = city
        for name, code in index.counties.items():
            division = Division(code, name=name)
            index.names[name] = division
            short = name[:-1] if len(name) > 2 and name[-1] in "区市县" else name
            index.names.setdefault(short, division)
        for path in sorted(reference.glob(TOWNSHIPS_GLOB)):
            for row in _csv_rows(path):
                if len(row) < 3 or not row[0].isdigit() or not row[2].startswith(city_code):
                    continue
                division = Division(row[2], township=row[0], name=row[1])
                for part in {row[1], *row[1].split("-")}:
                    index.township_names.setdefault(clean(part), []).append(division)
        aliases = data_dir / MAPPINGS_DIR / ALIASES_FILE
        if aliases.exists():
            for row in _csv_rows(aliases):
                if row[0] == "alias":
                    continue
                code = row[1]
                known = {d.county for d in index.names.values()}
                if code not in known:
                    raise RosterError(
                        f"alias {row[0]} names an unknown division code {code}",
                        where=str(aliases),
                        code="roster-mapping",
                    )
                index.names[clean(row[0])] = Division(code, name=row[0])
        return index

    def resolve(self, text: str) -> Division | None:
        """The division a district cell names, or None if unknown or contradictory."""
        value = clean(text).replace(" ", "")
        if not value:
            return None
        found = self._resolve_whole(value)
        if found is not None:
            return found
        parts = [p for p in _PARTS.split(value) if p]
        if len(parts) > 1:  # 医药高新区(高港区), 海陵区/城东街道: every part must agree
            resolved = [self._resolve_whole(p) for p in parts]
            if any(r is None for r in resolved):
                return None
            divisions = [r for r in resolved if r is not None]
            counties = {d.county for d in divisions if d.county != self.city_code}
            if len(counties) > 1:
                return None
            townships = [d for d in divisions if d.township]
            return (
                townships[0]
                if townships
                else min(divisions, key=lambda d: d.county == self.city_code)
            )
        return None

    def _resolve_whole(self, value: str) -> Division | None:
        for candidate in self._stripped(value):
            if candidate in self.names:
                return self.names[candidate]
            townships = self.township_names.get(candidate)
            if townships is not None:
                return townships[0] if len({t.township for t in townships}) == 1 else None
            for county, code in self.counties.items():  # 海陵区城东街道
                for head in (county, county[:-1]):
                    rest = candidate.removeprefix(head)
                    if rest != candidate and rest:
                        match = [t for t in self.township_names.get(rest, []) if t.county == code]
                        if len(match) == 1:
                            return match[0]
            for suffix in ZONE_SUFFIXES:  # 泰兴经济开发区 → 泰兴市
                head = candidate.removesuffix(suffix)
                if head != candidate and head in self.names:
                    division = self.names[head]
                    if division.county != self.city_code:
                        return Division(division.county, name=value)
        return None

    def _stripped(self, value: str) -> list[str]:
        """The value, then without the province, then without the city (泰州市高港区 → 高港区)."""
        out = [value]
        for prefix in PROVINCE_PREFIXES:
            if value.startswith(prefix) and len(value) > len(prefix):
                value = value[len(prefix) :]
                out.append(value)
                break
        for prefix in (self.city, self.city.removesuffix("市")):
            if prefix and value.startswith(prefix) and len(value) > len(prefix):
                out.append(value[len(prefix) :])
                break
        return out


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [
                [cell.strip() for cell in row]
                for row in csv.reader(handle)
                if row and not row[0].startswith("#")
            ]
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"cannot read: {exc}", where=str(path), code="roster-reference") from exc
