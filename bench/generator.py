"""A seeded generator of realistic city, project and indicator data, written as N-Triples.

Same seed and size, same bytes. The data uses the project's own vocabulary
(``ascf:`` terms of ``ontology/def.ttl``) and links to the real framework
concepts, countries and statuses (see :mod:`bench.vocabulary`):

- cities (``ascf:City``) in the ASEAN countries, with a population, WGS84
  coordinates and a GeoSPARQL point, and their ASCN membership;
- partner organisations (``ascf:Organisation``);
- smart city projects linked to a city, sub-areas (and for most, their focus
  area: the rest is left to the build's property-chain inference), outcomes,
  enablers, example solutions, partners, a status, dates and a budget;
- yearly indicator observations per city, in the RDF Data Cube vocabulary
  (``qb:Observation`` with ``sdmx-dimension:refArea``/``refPeriod``), since
  our ontology has no terms for indicators.

No blank nodes: budgets, memberships and geometries get fragment IRIs of their
owner, so that answers compare exactly across engines. The data is synthetic
and lives only under the bench output folder, never in ``data/``.
"""

import json
import math
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TextIO

from ascf_graph.core.slugs import slugify
from bench.vocabulary import (
    ASCF,
    ASCN,
    DCT,
    GEO,
    ID,
    ORG,
    QB,
    RDF_TYPE,
    RDFS,
    SDMX_DIMENSION,
    SDMX_MEASURE,
    SKOS,
    WGS,
    XSD,
    Vocabulary,
)

SOURCE = "urn:ascf-graph:bench:synthetic"
DATASET = ID + "dataset/bench-city-indicators"
YEARS = tuple(range(2024, 2014, -1))
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}

#: Rough latitude and longitude boxes of the member countries, by IRI slug.
_COUNTRY_BOXES: dict[str, tuple[float, float, float, float]] = {
    "brunei-darussalam": (4.0, 5.0, 114.0, 115.3),
    "cambodia": (10.5, 14.5, 102.5, 107.5),
    "indonesia": (-8.5, 5.5, 95.5, 140.5),
    "lao-pdr": (14.0, 22.0, 100.2, 107.5),
    "malaysia": (1.3, 6.7, 100.0, 119.0),
    "myanmar": (10.0, 28.0, 92.5, 101.0),
    "philippines": (5.0, 18.5, 117.0, 126.5),
    "singapore": (1.25, 1.45, 103.65, 104.0),
    "thailand": (6.0, 20.0, 97.5, 105.5),
    "timor-leste": (-9.4, -8.2, 124.1, 127.3),
    "viet-nam": (8.6, 23.3, 102.2, 109.4),
}
_ASEAN_BOX = (-9.0, 28.0, 92.5, 140.5)

_SYLLABLES = (
    "ba",
    "da",
    "ka",
    "la",
    "ma",
    "na",
    "pa",
    "ra",
    "sa",
    "ta",
    "wa",
    "ya",
    "ban",
    "bu",
    "chi",
    "do",
    "gan",
    "ha",
    "ja",
    "kam",
    "lu",
    "mi",
    "ngu",
    "pen",
    "pho",
    "ri",
    "se",
    "song",
    "su",
    "tha",
    "to",
    "vi",
    "yen",
    "an",
    "ang",
    "bin",
    "hoi",
    "kot",
    "nam",
    "tan",
)
_CITY_WORDS = ("", "", "", "Kota ", "Muang ", "San ", "Tan ", "Bandar ")

_TOPICS: dict[str, tuple[str, ...]] = {
    "civic-and-social": ("Digital Identity", "Citizen Services", "Heritage", "Tourism"),
    "health-and-well-being": ("Telehealth", "Hospital", "Elderly Care", "Clinic"),
    "safety-and-security": ("Flood Early Warning", "Emergency Response", "CCTV", "Fire Safety"),
    "quality-environment": ("Flood Control", "Air Quality", "Waste Sorting", "River Cleanup"),
    "built-infrastructure": ("Smart Traffic", "Bus Rapid Transit", "Water Supply", "Street Light"),
    "industry-and-innovation": ("Startup Hub", "Digital Payment", "Innovation District", "Port"),
}
_PREFIXES = ("Smart", "Integrated", "Green", "Resilient", "Digital", "Community", "Open")
_KINDS = ("System", "Platform", "Programme", "Centre", "Network", "Pilot", "Masterplan")
_PARTNER_KINDS = (
    "Development Bank",
    "University",
    "Telecom",
    "Foundation",
    "Ministry of Transport",
    "Engineering Group",
    "Energy Company",
    "Consultancy",
)
_CURRENCIES = ("USD", "USD", "USD", "SGD", "THB", "MYR", "IDR", "PHP", "VND")
_SCOPES = ("city proper", "metropolitan area", "municipality")

#: Indicator label, unit word and the focus area it relates to (by slug).
_INDICATORS: tuple[tuple[str, str], ...] = (
    ("PM2.5 annual mean concentration", "quality-environment"),
    ("Share of waste recycled", "quality-environment"),
    ("Green space per inhabitant", "quality-environment"),
    ("Households with piped water", "built-infrastructure"),
    ("Public transport trips per inhabitant", "built-infrastructure"),
    ("Road traffic deaths per 100000", "safety-and-security"),
    ("Flood events", "safety-and-security"),
    ("Emergency response time", "safety-and-security"),
    ("Hospital beds per 1000", "health-and-well-being"),
    ("Life expectancy at birth", "health-and-well-being"),
    ("Online public services", "civic-and-social"),
    ("Voter turnout in local elections", "civic-and-social"),
    ("Broadband subscriptions per 100", "industry-and-innovation"),
    ("New firms registered", "industry-and-innovation"),
    ("Unemployment rate", "industry-and-innovation"),
    ("Tourist arrivals", "civic-and-social"),
)


#: IRIs sampled per kind for the mix's parameters: enough that every run of the plan asks
#: about resources no run before it asked about (see ``bench.workload``).
SAMPLES = 500


@dataclass
class Manifest:
    """What was generated: counts, and samples of IRIs for the query mix's parameters."""

    seed: int
    target_triples: int
    #: How many IRIs were sampled per kind (a manifest from before this field had 200).
    samples: int = 200
    triples: int = 0
    cities: int = 0
    projects: int = 0
    partners: int = 0
    observations: int = 0
    sample_cities: list[str] = field(default_factory=list)
    sample_projects: list[str] = field(default_factory=list)
    sample_partners: list[str] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    title_words: list[str] = field(default_factory=list)

    def write(self, path: Path) -> None:
        """Save as JSON beside the data."""
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> "Manifest":
        """Load a manifest written by :meth:`write`."""
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def parse_size(text: str) -> int:
    """``10k`` -> 10000, ``1M`` -> 1000000, ``2500`` -> 2500.

    >>> parse_size("10k"), parse_size("1M"), parse_size("2500")
    (10000, 1000000, 2500)
    """
    key = text.strip().lower()
    if key in SIZES:
        return SIZES[key]
    multiplier = {"k": 1_000, "m": 1_000_000}.get(key[-1:], 1)
    number = key[:-1] if multiplier != 1 else key
    if not number.isdigit() or int(number) <= 0:
        raise ValueError(f"size {text!r}: use a number of triples such as 10k, 100k, 1M, 10M")
    return int(number) * multiplier


def size_label(triples: int) -> str:
    """``10000`` -> ``10k``, ``1000000`` -> ``1M``.

    >>> size_label(10_000), size_label(1_000_000), size_label(2500)
    ('10k', '1M', '2500')
    """
    if triples % 1_000_000 == 0:
        return f"{triples // 1_000_000}M"
    if triples % 1_000 == 0:
        return f"{triples // 1_000}k"
    return str(triples)


class _Writer:
    """Writes N-Triples lines and counts them."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.count = 0

    def iri(self, s: str, p: str, o: str) -> None:
        self.out.write(f"<{s}> <{p}> <{o}> .\n")
        self.count += 1

    def literal(self, s: str, p: str, value: str, datatype: str | None = None) -> None:
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        suffix = f"^^<{datatype}>" if datatype else ""
        self.out.write(f'<{s}> <{p}> "{escaped}"{suffix} .\n')
        self.count += 1

    def text(self, s: str, p: str, value: str) -> None:
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        self.out.write(f'<{s}> <{p}> "{escaped}"@en .\n')
        self.count += 1


def generate(vocabulary: Vocabulary, triples: int, seed: int, out: Path) -> Manifest:
    """Write about ``triples`` triples of synthetic data to ``out`` (N-Triples); return counts.

    Cities, partners and projects take a fixed share of the size; yearly
    indicator observations fill the rest, so the count lands within one
    observation (6 triples) of ``triples``.
    """
    rng = random.Random(seed)
    manifest = Manifest(seed=seed, target_triples=triples)
    city_count = max(5, triples // 400)
    partner_count = max(5, triples // 200)
    project_count = max(10, triples // 40)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="\n") as handle:
        writer = _Writer(handle)
        cities = list(_cities(rng, vocabulary, city_count, writer))
        partners = list(_partners(rng, partner_count, writer))
        indicators = _indicators(writer)
        projects = _projects(
            rng, vocabulary, project_count, cities=cities, partners=partners, writer=writer
        )
        observed = _observations(
            rng, triples, cities=cities, indicators=indicators, writer=writer, manifest=manifest
        )
        manifest.triples = writer.count
    manifest.cities = len(cities)
    manifest.partners = len(partners)
    manifest.projects = len(projects)
    sampler = random.Random(seed + 1)
    manifest.samples = SAMPLES
    manifest.sample_cities = sampler.sample(cities, min(SAMPLES, len(cities)))
    manifest.sample_projects = sampler.sample(projects, min(SAMPLES, len(projects)))
    manifest.sample_partners = sampler.sample(partners, min(SAMPLES, len(partners)))
    # Questions name indicators that have observations: at tiny sizes some have none.
    manifest.indicators = [i for i in indicators if i in observed] or indicators
    manifest.title_words = sorted({word for words in _TOPICS.values() for word in words})
    return manifest


def _city_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        stem = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
        name = rng.choice(_CITY_WORDS) + stem.capitalize()
        if name not in taken:
            taken.add(name)
            return name
        name = f"{name} {len(taken)}"
        if name not in taken:
            taken.add(name)
            return name


def _cities(
    rng: random.Random, vocabulary: Vocabulary, count: int, writer: _Writer
) -> Iterator[str]:
    taken: set[str] = set()
    for _ in range(count):
        name = _city_name(rng, taken)
        city = f"{ID}city/{slugify(name)}"
        country = rng.choice(vocabulary.countries)
        south, north, west, east = _COUNTRY_BOXES.get(country.rsplit("/", 1)[-1], _ASEAN_BOX)
        lat = round(rng.uniform(south, north), 4)
        lon = round(rng.uniform(west, east), 4)
        population = int(math.exp(rng.uniform(math.log(20_000), math.log(12_000_000))))
        writer.iri(city, RDF_TYPE, ASCF + "City")
        writer.text(city, RDFS + "label", name)
        writer.iri(city, ASCF + "country", country)
        writer.literal(city, ASCF + "population", str(population), XSD + "integer")
        writer.literal(city, ASCF + "populationYear", str(rng.choice(YEARS)), XSD + "gYear")
        writer.literal(city, ASCF + "populationScope", rng.choice(_SCOPES))
        writer.literal(city, WGS + "lat", f"{lat}", XSD + "decimal")
        writer.literal(city, WGS + "long", f"{lon}", XSD + "decimal")
        geometry = f"{city}#geometry"
        writer.iri(city, GEO + "hasGeometry", geometry)
        writer.iri(geometry, RDF_TYPE, GEO + "Geometry")
        writer.literal(geometry, GEO + "asWKT", f"POINT({lon} {lat})", GEO + "wktLiteral")
        membership = f"{city}#membership-ascn"
        writer.iri(city, ORG + "hasMembership", membership)
        writer.iri(membership, RDF_TYPE, ASCF + "NetworkMembership")
        writer.iri(membership, ORG + "organization", ASCN)
        writer.literal(membership, ASCF + "joinedYear", str(rng.randint(2018, 2025)), XSD + "gYear")
        writer.iri(city, DCT + "source", SOURCE)
        yield city


def _partners(rng: random.Random, count: int, writer: _Writer) -> Iterator[str]:
    taken: set[str] = set()
    for index in range(count):
        stem = "".join(rng.choice(_SYLLABLES) for _ in range(2)).capitalize()
        name = f"{stem} {rng.choice(_PARTNER_KINDS)}"
        if name in taken:
            name = f"{name} {index}"
        taken.add(name)
        partner = f"{ID}organisation/{slugify(name)}"
        writer.iri(partner, RDF_TYPE, ASCF + "Organisation")
        writer.text(partner, RDFS + "label", name)
        writer.iri(partner, DCT + "source", SOURCE)
        yield partner


def _indicators(writer: _Writer) -> list[str]:
    writer.iri(DATASET, RDF_TYPE, QB + "DataSet")
    writer.text(DATASET, RDFS + "label", "City indicators (synthetic benchmark data)")
    indicators = []
    for label, focus_area in _INDICATORS:
        indicator = f"{ID}indicator/{slugify(label)}"
        writer.iri(indicator, RDF_TYPE, SKOS + "Concept")
        writer.text(indicator, SKOS + "prefLabel", label)
        writer.iri(indicator, SKOS + "related", f"{ID}focus-area/{focus_area}")
        indicators.append(indicator)
    return indicators


def _projects(
    rng: random.Random,
    vocabulary: Vocabulary,
    count: int,
    *,
    cities: list[str],
    partners: list[str],
    writer: _Writer,
) -> list[str]:
    projects: list[str] = []
    taken: set[str] = set()
    for index in range(count):
        city = cities[min(int(len(cities) * rng.random() ** 2), len(cities) - 1)]
        sub_areas = rng.sample(vocabulary.sub_areas, rng.choice((1, 1, 1, 2)))
        focus_slug = sub_areas[0].focus_area.rsplit("/", 1)[-1]
        topic = rng.choice(_TOPICS.get(focus_slug, ("Urban",)))
        title = f"{rng.choice(_PREFIXES)} {topic} {rng.choice(_KINDS)}"
        slug = f"{city.rsplit('/', 1)[-1]}-{slugify(title)}"
        if slug in taken:
            slug = f"{slug}-{index}"
        taken.add(slug)
        project = f"{ID}project/{slug}"
        writer.iri(project, RDF_TYPE, ASCF + "SmartCityProject")
        writer.text(project, RDFS + "label", title)
        writer.text(
            project,
            DCT + "description",
            f"A {topic.lower()} {rng.choice(_KINDS).lower()} that the city runs "
            f"with {rng.randint(1, 9)} districts, started as a pilot.",
        )
        writer.iri(project, ASCF + "city", city)
        # Six projects in ten name focus areas too, and then those of all their sub-areas
        # (the shapes want a project's sub-areas under the focus areas it names).
        names_focus_areas = rng.random() < 0.6
        stated_focus_areas: set[str] = set()
        for sub_area in sub_areas:
            writer.iri(project, ASCF + "subArea", sub_area.iri)
            if names_focus_areas and sub_area.focus_area not in stated_focus_areas:
                stated_focus_areas.add(sub_area.focus_area)
                writer.iri(project, ASCF + "focusArea", sub_area.focus_area)
        for outcome in rng.sample(vocabulary.outcomes, rng.randint(1, 2)):
            writer.iri(project, ASCF + "targetsOutcome", outcome)
        for enabler in rng.sample(vocabulary.enablers, rng.randint(0, 2)):
            writer.iri(project, ASCF + "usesEnabler", enabler)
        if rng.random() < 0.4:
            writer.iri(project, ASCF + "usesSolution", rng.choice(vocabulary.solutions))
        status = rng.choice(vocabulary.statuses)
        writer.iri(project, ASCF + "status", status)
        # Dates in step with the status, as the recommended shapes want: a completed
        # project ended in the past, a planned one starts later.
        if status.endswith("/planned"):
            start_year = rng.randint(2026, 2030)
        else:
            start_year = rng.randint(2012, 2022)
        start = f"{start_year}-{rng.randint(1, 12):02d}-01"
        writer.literal(project, ASCF + "startDate", start, XSD + "date")
        if status.endswith("/completed") or rng.random() < 0.7:
            last = 2024 if status.endswith("/completed") else start_year + 6
            end_year = rng.randint(min(start_year + 1, last), last)
            end = f"{end_year}-{rng.randint(1, 12):02d}-28"
            writer.literal(project, ASCF + "endDate", end, XSD + "date")
        budget = f"{project}#budget"
        writer.iri(project, ASCF + "budget", budget)
        writer.iri(budget, RDF_TYPE, ASCF + "MonetaryAmount")
        amount = round(math.exp(rng.uniform(math.log(50_000), math.log(500_000_000))), 2)
        writer.literal(budget, ASCF + "amount", f"{amount:.2f}", XSD + "decimal")
        writer.literal(budget, ASCF + "currency", rng.choice(_CURRENCIES))
        for partner in rng.sample(partners, rng.randint(0, 3)):
            writer.iri(project, ASCF + "partner", partner)
        writer.iri(project, DCT + "source", SOURCE)
        projects.append(project)
    return projects


def _observations(
    rng: random.Random,
    target: int,
    *,
    cities: list[str],
    indicators: list[str],
    writer: _Writer,
    manifest: Manifest,
) -> set[str]:
    """Fill up to ``target`` triples with yearly observations, latest years first;
    the indicators observed."""
    per_observation = 6
    remaining = max(0, target - writer.count) // per_observation
    pairs = [(year, indicator) for year in YEARS for indicator in indicators]
    per_city = min(len(pairs), math.ceil(remaining / len(cities))) if remaining else 0
    bases: dict[tuple[str, str], float] = {}
    observed: set[str] = set()
    for city in cities:
        for year, indicator in pairs[:per_city]:
            if writer.count + per_observation > target:
                return observed
            observed.add(indicator)
            base = bases.setdefault((city, indicator), rng.uniform(1, 100))
            value = round(base * (1 + 0.03 * (year - YEARS[-1])) * rng.uniform(0.9, 1.1), 2)
            city_slug = city.rsplit("/", 1)[-1]
            observation = f"{ID}observation/{city_slug}/{indicator.rsplit('/', 1)[-1]}/{year}"
            writer.iri(observation, RDF_TYPE, QB + "Observation")
            writer.iri(observation, QB + "dataSet", DATASET)
            writer.iri(observation, SDMX_DIMENSION + "refArea", city)
            writer.literal(observation, SDMX_DIMENSION + "refPeriod", str(year), XSD + "gYear")
            writer.iri(observation, QB + "measureType", indicator)
            writer.literal(observation, SDMX_MEASURE + "obsValue", f"{value:.2f}", XSD + "decimal")
            manifest.observations += 1
    return observed
