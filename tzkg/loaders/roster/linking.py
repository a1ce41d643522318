"""Which resource a roster row names: a plan enterprise or platform, an earlier one, or a new one.

Rules, in order (a row is linked only when they agree on exactly one resource):
1. the 统一社会信用代码 of a resource already known (loaded rosters, earlier rows);
2. the exact normalised name (NFKC, ASCII brackets, no spaces) of a known resource, or one of
   the plan's short names, legal names and aliases (data/labels.csv, data/reference/);
3. for the plan's enterprises only: the same trade-name core after legal-form suffixes
   (有限公司, 股份, 集团 …) and leading region words (江苏, 泰州, the county names) are dropped,
   with the same bracketed qualifier (新浦化学(泰兴) ≠ 新浦化学(南京)) or none on one side.
A name that contains a plan name (泰州亚星锚链配件有限公司, 江苏某某药业有限公司) is never linked by
containment. Two candidates, or a code and a name that point at different resources, give an
`ambiguous-link` reject: the row is reported, never guessed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, parse

from tzkg.config import Settings
from tzkg.iris import IriMinter, LabelBook, pinyin_slug
from tzkg.loaders.plan.lexicon import body_class, platform_class_and_level
from tzkg.loaders.reference import known_enterprise_names
from tzkg.loaders.roster.text import NameRules, clean, name_key
from tzkg.vocab import RDFS, TZO

SLUG_LENGTH = 48


@dataclass(frozen=True)
class Link:
    """The outcome of linking one name: an IRI (existing or new) or a problem."""

    iri: str | None
    rule: str  # "code", "name", "core", "new" or "" for a problem
    known: str | None = None  # where the existing resource comes from: "plan", "row 12", …
    problem: str | None = None  # a reason code (ambiguous-link, duplicate)
    message: str = ""


@dataclass(frozen=True)
class PlanPlatform:
    """A platform of the plan with its host and class, as its name says."""

    iri: str
    host: str | None
    cls: str
    level: str | None


@dataclass
class EntityIndex:
    """Known enterprises (or platforms) by code, by normalised name and (plan only) by core."""

    rules: NameRules
    by_code: dict[str, str] = field(default_factory=dict)
    code_of: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, set[str]] = field(default_factory=dict)
    by_core: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)
    qualifiers: dict[str, set[tuple[str, ...]]] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)

    def add(self, iri: str, name: str | None, code: str | None, origin: str, *, core: bool) -> None:
        """Make a resource findable by its code and name (and the name's core, for the plan)."""
        self.origin.setdefault(iri, origin)
        if code:
            self.by_code.setdefault(code, iri)
            self.code_of.setdefault(iri, code)
        if name:
            self.by_name.setdefault(name_key(name), set()).add(iri)
            if core:
                stem, qualifiers = self.rules.core(name)
                entries = self.by_core.setdefault(stem, [])
                if (qualifiers, iri) not in entries:
                    entries.append((qualifiers, iri))
                if qualifiers:
                    self.qualifiers.setdefault(iri, set()).add(qualifiers)

    def link(self, name: str, code: str | None, mint: str) -> Link:
        """The resource a (name, code) pair names; `mint` is the IRI for a new one."""
        by_code = self.by_code.get(code) if code else None
        names = self.by_name.get(name_key(name), set())
        rule = "name"
        if not names:
            names = self._by_core(name)
            rule = "core"
        if by_code is not None:
            if names and by_code not in names:
                return self._conflict(name, code, by_code, names)
            return Link(by_code, "code", self.origin.get(by_code))
        if len(names) > 1:
            listed = ", ".join(sorted(self._describe(i) for i in names))
            return Link(
                None, "", problem="ambiguous-link", message=f"{name} could be any of {listed}"
            )
        if names:
            (iri,) = names
            known_code = self.code_of.get(iri)
            if code and known_code and known_code != code:
                return self._conflict(name, code, None, names)
            return Link(iri, rule, self.origin.get(iri))
        return Link(mint, "new")

    def _by_core(self, name: str) -> set[str]:
        """Plan resources with the same core whose qualifiers do not contradict the name's.

        A resource's qualifiers are those of all its names: 新浦化学 is also 新浦化学(泰兴), so
        新浦化学(南京)有限公司 is not it, while 新浦化学有限公司 (no qualifier) is.
        """
        stem, qualifiers = self.rules.core(name)
        candidates = {iri for _, iri in self.by_core.get(stem, [])}
        if not qualifiers:
            return candidates
        found: set[str] = set()
        for iri in candidates:
            theirs = self.qualifiers.get(iri, set())
            if not theirs or qualifiers in theirs:
                found.add(iri)
        return found

    def _conflict(self, name: str, code: str | None, by_code: str | None, names: set[str]) -> Link:
        named = ", ".join(sorted(self._describe(i) for i in names))
        if by_code is not None:
            message = (
                f"the code belongs to {self._describe(by_code)} but the name {name} to {named}"
            )
        else:
            message = f"the name {name} belongs to {named}, which has another code than {code}"
        return Link(None, "", problem="ambiguous-link", message=message)

    def _describe(self, iri: str) -> str:
        origin = self.origin.get(iri)
        return f"<{iri}> ({origin})" if origin else f"<{iri}>"


@dataclass
class PlatformIndex:
    """Known platforms by normalised name with their classes and level; the plan's by host."""

    by_name: dict[str, set[str]] = field(default_factory=dict)
    by_host: dict[str, list[PlanPlatform]] = field(default_factory=dict)
    classes: dict[str, set[str]] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)

    def add(
        self,
        iri: str,
        name: str | None,
        origin: str,
        classes: Iterable[str] = (),
        level: str | None = None,
    ) -> None:
        """Make a platform findable by its name, and remember what it is."""
        self.origin.setdefault(iri, origin)
        if name:
            self.by_name.setdefault(name_key(name), set()).add(iri)
        self.classes.setdefault(iri, set()).update(classes)
        if level is not None:
            self.levels.setdefault(iri, level)

    def fits(self, iri: str, cls: str, level: str | None, hierarchy: ClassHierarchy) -> str | None:
        """None if the platform can also be a `cls` of `level`, else why not."""
        for known in sorted(self.classes.get(iri, ())):
            if not hierarchy.compatible(known, cls):
                return f"it is a tzo:{known}, which a tzo:{cls} cannot be"
        known_level = self.levels.get(iri)
        if level is not None and known_level is not None and known_level != level:
            return f"its level is {known_level}, not {level}"
        return None

    def link(
        self,
        name: str,
        host: str | None,
        cls: str,
        level: str | None,
        hierarchy: ClassHierarchy,
        mint: str,
    ) -> Link:
        """The platform a row names: by exact name, else the plan platform of its host and class.

        A platform found by name whose class or level contradicts the row is a `class-conflict`
        (a level is one per platform); by host, only platforms that fit are candidates.
        """
        names = self.by_name.get(name_key(name), set())
        if len(names) > 1:
            listed = ", ".join(sorted(names))
            return Link(
                None, "", problem="ambiguous-link", message=f"{name} could be any of {listed}"
            )
        if names:
            (iri,) = names
            why = self.fits(iri, cls, level, hierarchy)
            if why is not None:
                return Link(None, "", problem="class-conflict", message=f"<{iri}> {name}: {why}")
            return Link(iri, "name", self.origin.get(iri))
        if host is not None:
            fitting = {
                p.iri
                for p in self.by_host.get(host, [])
                if self.fits(p.iri, cls, level, hierarchy) is None
            }
            if len(fitting) > 1:
                listed = ", ".join(sorted(fitting))
                return Link(
                    None,
                    "",
                    problem="ambiguous-link",
                    message=f"{name}: its host has several {cls} in the plan: {listed}",
                )
            if fitting:
                (iri,) = fitting
                return Link(iri, "host", self.origin.get(iri))
        return Link(mint, "new")


@dataclass
class ClassHierarchy:
    """rdfs:subClassOf between tzo classes, from the ontology."""

    parents: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, ontology_dir: Path) -> ClassHierarchy:
        """Read the subclass axioms between tzo: classes of ontology/tzkg.ttl."""
        hierarchy = cls()
        path = ontology_dir / "tzkg.ttl"
        if not path.exists():
            return hierarchy
        sub_class_of = RDFS + "subClassOf"
        with path.open("rb") as handle:
            for triple in parse(handle, RdfFormat.TURTLE):
                s, p, o = triple.subject, triple.predicate, triple.object
                if (
                    p.value == sub_class_of
                    and isinstance(s, NamedNode)
                    and isinstance(o, NamedNode)
                    and s.value.startswith(TZO)
                    and o.value.startswith(TZO)
                ):
                    child, parent = s.value[len(TZO) :], o.value[len(TZO) :]
                    hierarchy.parents.setdefault(child, set()).add(parent)
        return hierarchy

    def ancestors(self, name: str) -> set[str]:
        """The class and all its tzo: superclasses."""
        seen = {name}
        todo = [name]
        while todo:
            for parent in self.parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def compatible(self, a: str, b: str) -> bool:
        """Whether one class is the other or a subclass of it."""
        return a in self.ancestors(b) or b in self.ancestors(a)


@dataclass
class LinkContext:
    """Everything linking needs: the plan's entities, what is already loaded, how to mint."""

    base: str
    minter: IriMinter
    enterprises: EntityIndex
    platforms: PlatformIndex
    hierarchy: ClassHierarchy
    loaded: dict[tuple[str, int | None, str], str] = field(default_factory=dict)
    """(kind, year, subject IRI) → where it was loaded (for duplicates across rosters)."""

    @classmethod
    def for_plan(cls, settings: Settings, region_names: Iterable[str] = ()) -> LinkContext:
        """The plan's enterprises and platforms (labels, reference tables) and nothing loaded."""
        labels = LabelBook.load(settings.data_dir)
        minter = IriMinter(settings.base_iri, labels)
        rules = NameRules().with_regions(region_names)
        enterprises = EntityIndex(rules)
        short_names: dict[str, str] = {}
        for short in known_enterprise_names(settings.data_dir, labels):
            iri = minter.entity("enterprise", short).value
            short_names.setdefault(short, iri)
            enterprises.add(iri, short, None, "plan", core=True)
        for (kind, name), entry in sorted(labels.entries.items()):
            if kind == "enterprise" or (kind == "body" and body_class(entry.zh) == "Enterprise"):
                iri = minter.entity(kind, entry.zh).value
                enterprises.add(iri, name, None, "plan", core=True)
                if kind == "body":
                    short_names.setdefault(entry.zh, iri)
        _add_reference_legal_names(settings, minter, enterprises)
        platforms = PlatformIndex()
        for (kind, name), entry in sorted(labels.entries.items()):
            if kind != "platform":
                continue
            iri = minter.entity("platform", entry.zh).value
            typed = platform_class_and_level(entry.zh)
            platforms.add(
                iri, name, "plan", [typed[0]] if typed else (), typed[1] if typed else None
            )
            if name != entry.zh:
                continue
            hosts = [s for s in short_names if entry.zh.startswith(s)]
            host = short_names[max(hosts, key=len)] if hosts else None
            if typed is not None and host is not None:
                platforms.by_host.setdefault(host, []).append(
                    PlanPlatform(iri, host, typed[0], typed[1])
                )
        return cls(
            base=minter.base,
            minter=minter,
            enterprises=enterprises,
            platforms=platforms,
            hierarchy=ClassHierarchy.load(settings.ontology_dir),
        )

    # --- new IRIs -------------------------------------------------------------------------
    def enterprise_iri(self, name: str, code: str | None) -> str:
        """A stable IRI for an enterprise no rule links: by its code, else by its name."""
        if code:
            return f"{self.base}id/enterprise/uscc-{code}"
        return f"{self.base}id/enterprise/name-{_name_slug(name)}"

    def platform_iri(self, name: str) -> str:
        """A stable IRI for a platform no rule links, by its normalised name."""
        return f"{self.base}id/platform/name-{_name_slug(name)}"


def _name_slug(name: str) -> str:
    key = name_key(name)
    slug = pinyin_slug(key)[:SLUG_LENGTH].rstrip("-")
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}"


def _add_reference_legal_names(settings: Settings, minter: IriMinter, index: EntityIndex) -> None:
    """Legal names of data/reference/plan-enterprises-public.csv, for their plan short names."""
    import csv

    from tzkg.loaders.reference import PLAN_ENTERPRISES, REFERENCE_DIR

    path = settings.data_dir / REFERENCE_DIR / PLAN_ENTERPRISES
    if not path.exists():
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            short, legal = clean(row.get("plan_name") or ""), clean(row.get("legal_name") or "")
            if short and legal:
                index.add(minter.entity("enterprise", short).value, legal, None, "plan", core=True)
