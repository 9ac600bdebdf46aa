"""Regenerate the workshop map's geometry from the npm package world-atlas.

    .venv/bin/python -m server.workshop.update_geometry [--version 2.0.2]

Needs npm and the npm registry. Writes into server/static/workshop/:
- countries-110m.json: the package's file, byte for byte;
- small-countries.json: a point (longitude, latitude) for each country of the package's 1:50m
  file that the 1:110m file leaves out (Singapore, Malta, Bahrain, ...), so a claim located there
  still shows on the map.
Then prints the checksums to copy into GEOMETRY.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from .atlas import (
    STATIC,
    alpha2_of,
    decode_arcs,
    polygons_of,
    ring_centroid,
    ring_points,
    signed_area,
)

PACKAGE = "world-atlas"


def fetch_package(version: str, folder: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed to fetch the world-atlas package.")
    output = subprocess.run(  # noqa: S603 (a fixed command: npm pack of one named package)
        [npm, "pack", f"{PACKAGE}@{version}", "--pack-destination", str(folder), "--silent"],
        check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]
    return folder / output


def read_member(archive: Path, name: str) -> bytes:
    with tarfile.open(archive, "r:gz") as tar:
        member = tar.extractfile(f"package/{name}")
        if member is None:
            raise SystemExit(f"{name} is missing from {archive.name}")
        return member.read()


def small_country_points(fine: dict, coarse: dict) -> dict[str, list[float]]:
    """Centroids (of the largest polygon) of the countries in `fine` missing from `coarse`."""
    present = {g.get("id") for g in coarse["objects"]["countries"]["geometries"]}
    arcs = decode_arcs(fine)
    points = {}
    for geometry in fine["objects"]["countries"]["geometries"]:
        code = alpha2_of(geometry.get("id"))
        if code is None or geometry.get("id") in present:
            continue
        rings = [ring_points(polygon[0], arcs) for polygon in polygons_of(geometry)]
        if not rings:
            continue
        lon, lat = ring_centroid(max(rings, key=lambda ring: abs(signed_area(ring))))
        points[code] = [round(lon, 2), round(lat, 2)]
    return dict(sorted(points.items()))


def small_countries_text(small: dict) -> str:
    """The small-countries file: one country a line, so a diff shows what changed."""
    lines = [f"  {json.dumps(code)}: {json.dumps(point)}"
             for code, point in small["points"].items()]
    return ("{\n" + f' "source": {json.dumps(small["source"], ensure_ascii=False)},\n'
            + ' "points": {\n' + ",\n".join(lines) + "\n }\n}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="2.0.2", help="world-atlas version (default 2.0.2)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        archive = fetch_package(args.version, Path(folder))
        coarse_bytes = read_member(archive, "countries-110m.json")
        fine = json.loads(read_member(archive, "countries-50m.json"))
        licence = read_member(archive, "LICENSE").decode("utf-8")
    coarse = json.loads(coarse_bytes)
    (STATIC / "countries-110m.json").write_bytes(coarse_bytes)
    small = {
        "source": f"centroids computed from countries-50m.json of {PACKAGE}@{args.version} "
                  "(Natural Earth 1:50m admin-0) for the countries countries-110m.json leaves out",
        "points": small_country_points(fine, coarse),
    }
    small_text = small_countries_text(small)
    (STATIC / "small-countries.json").write_text(small_text, encoding="utf-8")
    print(f"{PACKAGE}@{args.version}: wrote countries-110m.json and small-countries.json "
          f"({len(small['points'])} points) to {STATIC}")
    print(f"sha256 countries-110m.json  {hashlib.sha256(coarse_bytes).hexdigest()}")
    print(f"sha256 small-countries.json {hashlib.sha256(small_text.encode()).hexdigest()}")
    print("\nThe package's licence:\n" + licence)


if __name__ == "__main__":
    main()
