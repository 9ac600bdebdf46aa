"""The bundled world map: country outlines from a TopoJSON file, projected to SVG paths.

The geometry is `server/static/workshop/countries-110m.json` from the npm package world-atlas
(Natural Earth 1:110m admin-0 countries, see `server/static/workshop/GEOMETRY.md`), and
`small-countries.json`: a point for each country too small for the 1:110m file (Singapore,
Malta, ...), computed from the same package's 1:50m file by `update_geometry.py`. Both are read
once and projected once per process; nothing comes from the network.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry

STATIC = Path(__file__).resolve().parent.parent / "static" / "workshop"
GEOMETRY_FILE = STATIC / "countries-110m.json"
SMALL_COUNTRIES_FILE = STATIC / "small-countries.json"
WIDTH = 1000.0
LEFT_OUT = {"010"}  # Antarctica: no claim is located there, and it takes a third of the height

# Equal Earth projection (Šavrič, Patterson, Jenny 2018): equal-area, so Africa and South
# America keep their true size next to Europe and North America.
_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3) / 2


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """Project degrees to Equal Earth units (x east, y north)."""
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(_M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = (2 * math.sqrt(3) * lam * math.cos(theta)) / (
        3 * (9 * _A4 * t6 * t2 + 7 * _A3 * t6 + 3 * _A2 * t2 + _A1))
    y = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    return x, y


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """The topology's arcs as lists of (lon, lat), undoing quantisation and delta encoding."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(p[0], p[1]) for p in arc]
        arcs.append(points)
    return arcs


Point = tuple[float, float]


def ring_points(ring: list[int], arcs: list[list[Point]]) -> list[Point]:
    """Stitch a ring from arc indexes (a negative index ~i is arc i reversed)."""
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def _clip(ring: list[Point], edge: float, keep_west: bool) -> list[Point]:
    """Sutherland-Hodgman: the part of a ring on one side of the meridian `edge`."""
    def inside(point: tuple[float, float]) -> bool:
        return point[0] <= edge if keep_west else point[0] >= edge

    out: list[tuple[float, float]] = []
    for current, following in zip(ring, ring[1:] + ring[:1], strict=True):
        if inside(current) != inside(following):
            t = (edge - current[0]) / (following[0] - current[0])
            crossing = (edge, current[1] + t * (following[1] - current[1]))
            out.extend([current, crossing] if inside(current) else [crossing])
        elif inside(current):
            out.append(current)
    return out


def split_at_antimeridian(ring: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """A ring that jumps across longitude 180 (Russia's far east, Fiji) as pieces on each side."""
    if all(abs(b[0] - a[0]) <= 180 for a, b in zip(ring, ring[1:], strict=False)):
        return [ring]
    unwrapped = [ring[0]]
    offset = 0.0
    for previous, point in zip(ring, ring[1:], strict=False):
        step = point[0] - previous[0]
        offset += -360 if step > 180 else 360 if step < -180 else 0
        unwrapped.append((point[0] + offset, point[1]))
    pieces = []
    for shift in (-360, 0, 360):
        moved = [(lon + shift, lat) for lon, lat in unwrapped]
        piece = _clip(_clip(moved, 180, keep_west=True), -180, keep_west=False)
        if len(piece) >= 3 and abs(signed_area(piece)) > 1e-9:
            pieces.append(piece)
    return pieces


def polygons_of(geometry: dict[str, Any]) -> list[list[list[int]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return geometry["arcs"]
    return []


def signed_area(points: list[tuple[float, float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1],
                                                               strict=True)) / 2


def ring_centroid(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Area-weighted centroid of a closed ring (its vertex mean when it has no area)."""
    area = signed_area(points)
    if abs(area) < 1e-12:
        return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return cx / (6 * area), cy / (6 * area)


def alpha2_of(numeric: str | None) -> str | None:
    """ISO 3166-1 numeric ("404") to alpha-2 ("KE"); None for shapes with no ISO code."""
    if not numeric:
        return None
    country = pycountry.countries.get(numeric=numeric)
    return country.alpha_2 if country else None


@dataclass(frozen=True)
class Shape:
    code: str | None  # ISO alpha-2, None for areas without one (Kosovo, N. Cyprus, ...)
    name: str  # the name in the geometry file (English)
    path: str  # SVG path data in map units
    centroid: tuple[float, float]  # of the largest polygon, so France's is in Europe


@dataclass(frozen=True)
class Atlas:
    shapes: tuple[Shape, ...]
    points: dict[str, tuple[float, float]]  # every mapped country's centroid, small ones too
    width: float
    height: float
    origin: tuple[float, float]  # the projected (x, y) at the frame's top left corner
    scale: float  # frame units per projected unit

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        """A longitude and latitude in the map's frame (x right, y down)."""
        x, y = equal_earth(lon, lat)
        return (x - self.origin[0]) * self.scale, (self.origin[1] - y) * self.scale

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:.0f} {self.height:.0f}"

    def point(self, code: str) -> tuple[float, float] | None:
        return self.points.get(code)


def _tenths(value: int) -> str:
    text = f"{abs(value) // 10}.{abs(value) % 10}" if value % 10 else str(abs(value) // 10)
    if text.startswith("0."):
        text = text[1:]
    return ("-" if value < 0 else "") + text


def _path(rings: list[list[tuple[float, float]]]) -> str:
    """SVG path data with relative moves in tenths of a unit: a third the size of absolute."""
    parts = []
    for ring in rings:
        tenths = [(round(x * 10), round(y * 10)) for x, y in ring]
        x0, y0 = tenths[0]
        steps = []
        for (xa, ya), (xb, yb) in zip(tenths, tenths[1:], strict=False):
            if (xa, ya) != (xb, yb):
                steps.append(f"{_tenths(xb - xa)} {_tenths(yb - ya)}")
        if steps:
            parts.append(f"M{_tenths(x0)} {_tenths(y0)}l{' '.join(steps)}z")
    return "".join(parts)


def build_atlas(topology: dict[str, Any], small: dict[str, list[float]]) -> Atlas:
    """Project every country of `topology` (and the `small` points) into an SVG frame."""
    arcs = decode_arcs(topology)
    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("id") in LEFT_OUT:
            continue
        polygons = []
        for polygon in polygons_of(geometry):
            outer, *holes = [ring_points(ring, arcs) for ring in polygon]
            hole_pieces = [piece for hole in holes for piece in split_at_antimeridian(hole)]
            for index, piece in enumerate(split_at_antimeridian(outer)):
                # Holes go with the first piece: none of the 1:110m holes crosses longitude 180.
                rings = [piece] + (hole_pieces if index == 0 else [])
                polygons.append([[equal_earth(lon, lat) for lon, lat in ring] for ring in rings])
        if polygons:
            countries.append((geometry, polygons))
    small_points = {code: equal_earth(lon, lat) for code, (lon, lat) in sorted(small.items())}
    every = [p for _, polygons in countries for polygon in polygons for ring in polygon
             for p in ring] + list(small_points.values())
    min_x, max_x = min(p[0] for p in every), max(p[0] for p in every)
    min_y, max_y = min(p[1] for p in every), max(p[1] for p in every)
    scale = WIDTH / (max_x - min_x)

    def frame(point: tuple[float, float]) -> tuple[float, float]:
        return (point[0] - min_x) * scale, (max_y - point[1]) * scale  # SVG's y points down

    shapes = []
    points: dict[str, tuple[float, float]] = {}
    for geometry, polygons in countries:
        framed = [[[frame(p) for p in ring] for ring in polygon] for polygon in polygons]
        largest = max(framed, key=lambda polygon: abs(signed_area(polygon[0])))
        centroid = ring_centroid(largest[0])
        code = alpha2_of(geometry.get("id"))
        shapes.append(Shape(code=code, name=geometry.get("properties", {}).get("name", ""),
                            path=_path([ring for polygon in framed for ring in polygon]),
                            centroid=(round(centroid[0], 1), round(centroid[1], 1))))
        if code:
            points[code] = shapes[-1].centroid
    for code, point in small_points.items():
        x, y = frame(point)
        points.setdefault(code, (round(x, 1), round(y, 1)))
    height = (max_y - min_y) * scale
    return Atlas(shapes=tuple(shapes), points=points, width=WIDTH, height=math.ceil(height),
                 origin=(min_x, max_y), scale=scale)


@lru_cache(maxsize=1)
def atlas() -> Atlas:
    """The projected world map of the bundled files, built once per process."""
    topology = json.loads(GEOMETRY_FILE.read_text(encoding="utf-8"))
    small = json.loads(SMALL_COUNTRIES_FILE.read_text(encoding="utf-8"))["points"]
    return build_atlas(topology, small)
