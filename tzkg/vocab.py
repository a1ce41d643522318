"""Namespaces and the ontology terms the loaders write (the single list of `tzo:` names).

Every `tzo:` term used anywhere in code must be listed here and declared in
`ontology/tzkg.ttl`; `tests/test_ontology.py` checks both directions.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

TZO = "https://w3id.org/tzkg/ontology#"
"""The ontology namespace. It is fixed (the ontology is a published artefact)."""

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
LEGAL = "http://www.w3.org/ns/legal#"
ADMS = "http://www.w3.org/ns/adms#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
DCT = "http://purl.org/dc/terms/"
ELI = "http://data.europa.eu/eli/ontology#"
TIME = "http://www.w3.org/2006/time#"
SCHEMA = "https://schema.org/"
QB = "http://purl.org/linked-data/cube#"
DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"

PREFIXES: dict[str, str] = {
    "tzo": TZO,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "org": ORG,
    "legal": LEGAL,
    "adms": ADMS,
    "prov": PROV,
    "oa": OA,
    "dct": DCT,
    "eli": ELI,
    "time": TIME,
    "schema": SCHEMA,
    "qb": QB,
    "dcat": DCAT,
    "void": VOID,
}

# --- tzo classes -------------------------------------------------------------------------
CLASSES = [
    # the document
    "Plan",
    "Section",
    "Paragraph",
    "Meeting",
    "SourceSpan",
    # taxonomies
    "IndustrialCluster",
    "IndustrialField",
    "KeyTechnology",
    "FocusArea",
    "Indicator",
    "PlatformLevel",
    "TargetKind",
    "Recurrence",
    "ValueBound",
    "ProgrammeKind",
    # organisations
    "Enterprise",
    "ResearchOrganization",
    "PublicBody",
    "GovernmentDepartment",
    "LocalGovernment",
    "AdministrativeCommittee",
    "FinancialRegulator",
    "CoordinationBody",
    # platforms
    "InnovationPlatform",
    "Laboratory",
    "KeyLaboratory",
    "NationalKeyLaboratory",
    "ProvincialKeyLaboratory",
    "TechnologyCentre",
    "EnterpriseTechnologyCentre",
    "NationalEnterpriseTechnologyCentre",
    "ProvincialEnterpriseTechnologyCentre",
    "RDCentre",
    "ProvincialRDCentre",
    "EngineeringCentre",
    "ProvincialEngineeringCentre",
    "InnovationCentre",
    "IndustryInnovationCentre",
    "ResearchInstitute",
    "ResearchCentre",
    "NewTypeRDInstitution",
    "Incubator",
    "MakerSpace",
    "PublicServicePlatform",
    # places
    "AdministrativeDivision",
    "CountyLevelDivision",
    "Township",
    "Zone",
    "IndustrialPark",
    "DevelopmentZone",
    "HighTechZone",
    # measures, targets, programmes
    "KeyMeasure",
    "Target",
    "Programme",
    "WorkMechanism",
    # rosters
    "Designation",
    "RosterRow",
]

OBJECT_PROPERTIES = [
    # document
    "approvedAt",
    "promulgatedBy",
    "hasSection",
    "section",
    # industry
    "inCluster",
    "hasField",
    "coreZone",
    "reliesOn",
    "hasLeadEnterprise",
    "isLeadEnterpriseOf",
    "hasBackboneEnterprise",
    "isBackboneEnterpriseOf",
    "hasEnterprise",
    "enterpriseOf",
    "hasKeyTechnology",
    "hasFocusArea",
    "hasResearchPartner",
    "isResearchPartnerOf",
    # platforms
    "supports",
    "supportedBy",
    "hostedBy",
    "hosts",
    "level",
    # places and organisations
    "locatedIn",
    "administeredWith",
    # measures and targets
    "leadDepartment",
    "isLeadDepartmentOf",
    "responsibleDepartment",
    "isResponsibleDepartmentOf",
    "involvedBody",
    "hasTarget",
    "targetOf",
    "indicator",
    "targetKind",
    "recurrence",
    "bound",
    "hasProgramme",
    "programmeKind",
    "establishes",
    # rosters
    "hasDesignation",
    "designationKind",
    "describes",
]

DATA_PROPERTIES = [
    "order",
    "text",
    "deadlineYear",
    "isAspirational",
    "periodStartYear",
    "periodEndYear",
    "divisionCode",
    "uscc",
    "sourceFile",
    "sha256",
    # rosters
    "designationYear",
    "rowNumber",
    "rowsRead",
    "rowsLoaded",
    "rowsRejected",
]

# --- individuals declared in the ontology --------------------------------------------------
INDIVIDUALS = [
    "National",
    "Provincial",
    "Municipal",  # PlatformLevel
    "Stock",
    "Flow",
    "Increase",  # TargetKind
    "Annual",  # Recurrence
    "Exact",
    "Range",
    "AtLeast",
    "AtMost",  # ValueBound
    "TalentProgramme",
    "FinanceProgramme",
    "EnterpriseProgramme",  # ProgrammeKind
]

TZO_TERMS = frozenset(CLASSES + OBJECT_PROPERTIES + DATA_PROPERTIES + INDIVIDUALS)


def tzo(name: str) -> NamedNode:
    """The IRI of an ontology term; raises KeyError for a term the ontology does not declare."""
    if name not in TZO_TERMS:
        raise KeyError(f"tzo:{name} is not declared in tzkg.vocab")
    return NamedNode(TZO + name)


def iri(namespace: str, local: str) -> NamedNode:
    """A NamedNode in one of the reused namespaces."""
    return NamedNode(namespace + local)


A = NamedNode(RDF + "type")
LABEL = NamedNode(RDFS + "label")
PREF_LABEL = NamedNode(SKOS + "prefLabel")
ALT_LABEL = NamedNode(SKOS + "altLabel")
