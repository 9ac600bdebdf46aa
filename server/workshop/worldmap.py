"""The world map of one scope: countries shaded by claims located there, and flows of work.

A flow runs from a country where work is done to the country where the platform it is done
for is based (`hq_country`), one per (place, platform) of each claim, so the direction of the
hidden labour, mostly from the global South to the North, shows at a glance.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from . import i18n
from .atlas import Atlas, atlas
from .scope import Scope

# Upper bounds of the shading classes shade-1 .. shade-4; shade-5 is anything above.
SHADE_LIMITS = (1, 3, 6, 10)


def shade(count: int) -> int:
    if count <= 0:
        return 0
    for level, limit in enumerate(SHADE_LIMITS, 1):
        if count <= limit:
            return level
    return len(SHADE_LIMITS) + 1


def legend_ranges() -> list[tuple[int, str]]:
    """(level, label) for each shade above 0: "1", "2-3", "4-6", "7-10", "11+"."""
    ranges, low = [], 1
    for level, high in enumerate(SHADE_LIMITS, 1):
        ranges.append((level, str(low) if low == high else f"{low}–{high}"))
        low = high + 1
    ranges.append((len(SHADE_LIMITS) + 1, f"{low}+"))
    return ranges


@dataclass
class Flow:
    origin: str
    target: str
    count: int
    path: str
    width: float


@dataclass
class CountryRow:
    code: str
    name: str
    claims: int
    platforms: list[str] = field(default_factory=list)  # names of platforms based there


@dataclass
class WorldMap:
    atlas: Atlas
    counts: dict[str, int]  # claims located in each country
    hq: dict[str, list[str]]  # country -> names of the scope's platforms based there
    flows: list[Flow]
    unlocated: int  # claims with no country (worldwide figures)
    rows: list[CountryRow]
    dots: list[tuple[str, tuple[float, float]]]  # small countries (no outline) that have a mark

    @property
    def origins(self) -> list[tuple[str, tuple[float, float]]]:
        """Where each flow starts, once per country."""
        codes = sorted({flow.origin for flow in self.flows})
        return [(code, self.atlas.points[code]) for code in codes]

    def shade_of(self, code: str | None) -> int:
        return shade(self.counts.get(code or "", 0))


def flow_path(start: tuple[float, float], end: tuple[float, float], gap: float = 7.0) -> str:
    """A curve bowing northwards (up), like a flight path, that stops `gap` short of the end
    so its arrowhead shows beside the mark of the platform's country."""
    (x1, y1), (x2, y2) = start, end
    distance = math.hypot(x2 - x1, y2 - y1)
    nx, ny = -(y2 - y1) / distance, (x2 - x1) / distance
    if ny > 0:  # take the normal that points up the page
        nx, ny = -nx, -ny
    bend = 0.22 * distance
    cx, cy = (x1 + x2) / 2 + nx * bend, (y1 + y2) / 2 + ny * bend
    # Pull the end back along the curve's final direction (from the control point).
    tail = math.hypot(x2 - cx, y2 - cy)
    if tail > 2 * gap:
        x2, y2 = x2 - (x2 - cx) / tail * gap, y2 - (y2 - cy) / tail * gap
    return f"M{x1:.1f} {y1:.1f}Q{cx:.1f} {cy:.1f} {x2:.1f} {y2:.1f}"


def world_map(scope: Scope, language: str) -> WorldMap:
    world = atlas()
    counts: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    unlocated = 0
    for claim in scope.claims:
        countries = list(dict.fromkeys(loc["country"] for loc in claim["locations"]))
        if not countries:
            unlocated += 1
        counts.update(countries)
        for platform in scope.platforms_of(claim):
            target = platform.get("hq_country")
            for origin in countries:
                if target and origin != target:
                    pairs[(origin, target)] += 1
    hq: dict[str, list[str]] = defaultdict(list)
    for platform in scope.platforms:
        if platform.get("hq_country"):
            hq[platform["hq_country"]].append(platform["name"])
    flows = []
    for (origin, target), count in sorted(pairs.items(), key=lambda item: (-item[1], item[0])):
        start, end = world.point(origin), world.point(target)
        if start is None or end is None or start == end:
            continue
        flows.append(Flow(origin=origin, target=target, count=count,
                          path=flow_path(start, end), width=round(0.8 + 0.9 * math.sqrt(count), 2)))
    codes = set(counts) | set(hq)
    rows = sorted(
        (CountryRow(code=code, name=i18n.country_name(code, language), claims=counts.get(code, 0),
                    platforms=sorted(hq.get(code, []), key=str.casefold)) for code in codes),
        key=lambda row: (-row.claims, row.name),
    )
    outlined = {shape.code for shape in world.shapes if shape.code}
    dots = [(code, world.points[code]) for code in sorted(codes)
            if code not in outlined and code in world.points]
    return WorldMap(atlas=world, counts=dict(counts), hq=dict(hq), flows=flows,
                    unlocated=unlocated, rows=rows, dots=dots)


def claims_in(scope: Scope, code: str) -> list[dict[str, Any]]:
    return [c for c in scope.claims if any(loc["country"] == code for loc in c["locations"])]
