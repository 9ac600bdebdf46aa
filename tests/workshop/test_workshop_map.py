"""The bundled world map: its geometry, the shading, the flows and the country pages."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter

import pytest

from server.workshop.atlas import (
    GEOMETRY_FILE,
    SMALL_COUNTRIES_FILE,
    atlas,
    equal_earth,
    split_at_antimeridian,
)
from server.workshop.worldmap import shade

NOTE = GEOMETRY_FILE.parent / "GEOMETRY.md"


def test_the_geometry_files_are_the_ones_the_note_describes():
    note = NOTE.read_text(encoding="utf-8")
    assert "world-atlas" in note and "ISC" in note and "Natural Earth" in note
    assert "python -m server.workshop.update_geometry" in note
    for path in (GEOMETRY_FILE, SMALL_COUNTRIES_FILE):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert f"| {path.name} | {digest} |" in note, path.name
    topology = json.loads(GEOMETRY_FILE.read_text(encoding="utf-8"))
    assert topology["type"] == "Topology" and "countries" in topology["objects"]


def test_every_country_is_projected_with_a_centroid_inside_its_mainland():
    world = atlas()
    codes = [shape.code for shape in world.shapes if shape.code]
    assert len(world.shapes) >= 170 and len(codes) == len(set(codes))
    assert "AQ" not in codes  # Antarctica is left out

    def inside(code, west, south, east, north):
        x, y = world.point(code)
        left, top = world.project(west, north)
        right, bottom = world.project(east, south)
        return left <= x <= right and top <= y <= bottom

    assert inside("FR", -5, 42, 8, 51.5)  # not pulled towards French Guiana
    assert inside("US", -125, 25, -67, 49)  # the contiguous states, not Alaska
    assert inside("KE", 34, -5, 42, 5)
    assert inside("PH", 117, 5, 127, 19)
    assert inside("SG", 103, 1, 105, 2)  # too small for the 1:110m file: a dot
    for x, y in world.points.values():
        assert 0 <= x <= world.width and 0 <= y <= world.height


def test_no_outline_jumps_across_the_map():
    # A ring crossing longitude 180 (Russia, Fiji) drawn unsplit makes a line across the world.
    for shape in atlas().shapes:
        for steps in re.findall(r"M[^l]*l([^z]*)z", shape.path):
            for dx in re.findall(r"(-?[\d.]+) -?[\d.]+", steps):
                assert abs(float(dx)) < 300, shape.name


def test_split_at_antimeridian_keeps_both_sides():
    ring = [(170.0, 60.0), (-170.0, 60.0), (-170.0, 70.0), (170.0, 70.0)]
    pieces = split_at_antimeridian(ring)
    assert len(pieces) == 2
    assert {round(max(abs(x) for x, _ in piece)) for piece in pieces} == {180}
    assert split_at_antimeridian([(0, 0), (1, 0), (1, 1)]) == [[(0, 0), (1, 0), (1, 1)]]


def test_equal_earth_is_centred_and_symmetric():
    assert equal_earth(0, 0) == (0.0, 0.0)
    x, y = equal_earth(120, 45)
    assert equal_earth(-120, -45) == pytest.approx((-x, -y))
    assert x > 0 and y > 0


def test_countries_are_shaded_by_their_published_claims(wclient, export):
    located = Counter(country for claim in export["claims"]
                      for country in {loc["country"] for loc in claim["locations"]})
    html = wclient.get("/workshop/map").get_data(as_text=True)
    for code, count in located.items():
        match = re.search(rf'data-country="{code}">\s*<(?:path|circle) class="country (?:dot )?'
                          rf'shade-(\d)', html)
        assert match, code
        assert int(match.group(1)) == shade(count) > 0
    assert re.search(r'data-country="BR">\s*<path class="country shade-0"', html)
    worldwide = sum(1 for claim in export["claims"] if not claim["locations"])
    assert f"{worldwide} claims are worldwide figures" in html


def test_flows_run_from_the_work_to_the_platforms_home(wclient):
    html = wclient.get("/workshop/map").get_data(as_text=True)
    flows = {(a, b): int(n) for a, b, n in re.findall(
        r'data-from="(\w+)" data-to="(\w+)" data-count="(\d+)"', html)}
    # Kenya: a claim about Facebook and Instagram counts for each, then Facebook and ChatGPT.
    assert flows[("KE", "US")] == 4
    assert flows[("KE", "SG")] == 1
    assert ("CO", "SG") in flows and ("BD", "US") in flows and ("PH", "US") in flows
    assert not [pair for pair in flows if pair[0] == pair[1]]
    assert not [pair for pair in flows if pair[0] == "US"]
    assert 'marker-end="url(#arrow)"' in html and '<marker id="arrow"' in html
    # Tiktok is based in Singapore, too small for an outline: it is a linked dot.
    assert re.search(r'data-country="SG">\s*<circle class="country dot', html)


def test_each_country_links_to_its_claims(wclient, export):
    html = wclient.get("/workshop/map").get_data(as_text=True)
    assert 'href="/workshop/map/KE"' in html and 'href="/workshop/map/FR"' in html
    kenya = wclient.get("/workshop/map/ke")
    assert kenya.status_code == 200
    page = kenya.get_data(as_text=True)
    expected = {c["id"] for c in export["claims"]
                if any(loc["country"] == "KE" for loc in c["locations"])}
    assert set(re.findall(r'id="claim-([\w-]+)"', page)) == expected
    assert "<h1>Kenya</h1>" in page
    usa = wclient.get("/workshop/map/US").get_data(as_text=True)
    assert "Platforms based there" in usa and "Facebook" in usa
    singapore = wclient.get("/workshop/map/SG?lang=fr").get_data(as_text=True)
    assert "<h1>Singapour</h1>" in singapore and "TikTok" in singapore
    assert wclient.get("/workshop/map/XX").status_code == 404
    assert wclient.get("/workshop/map/KEN").status_code == 404


def test_the_map_is_drawn_on_the_server_without_scripts(wclient):
    html = wclient.get("/workshop/map").get_data(as_text=True)
    svg = html[html.index("<svg class=\"world-map\""):html.index("</svg>")]
    assert "<script" not in svg and "<image" not in svg and "http" not in svg.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    assert svg.count("<path class=\"country") >= 170


def test_a_country_page_lists_the_companies_working_there(wclient, export):
    html = wclient.get("/workshop/map/KE?lang=en").get_data(as_text=True)
    assert "Companies doing the work here" in html
    assert 'data-vendor="sama"' in html
    sama = next(v for v in export["vendors"] if v["slug"] == "sama")
    cities = [s["city"] for s in sama["sites"] if s["country"] == "KE" and s.get("city")]
    row = html[html.index('data-vendor="sama"'):].split("</li>")[0]
    for city in cities:
        assert city in row
    assert "Facebook" in row  # a claim located in Kenya names Sama for Facebook
    # A company with no claim nor site in a country is not listed there.
    assert 'data-vendor="sama"' not in wclient.get("/workshop/map/IE").get_data(as_text=True)


def test_the_supply_chain_runs_from_platform_to_company_to_country(wclient, export):
    html = wclient.get("/workshop/chain?lang=en").get_data(as_text=True)
    for platform in export["platforms"]:
        claims = [c for c in export["claims"] if platform["slug"] in c["platforms"]]
        named = {v for c in claims for v in c["vendors"]}
        if not named:
            continue
        section = html[html.index(f'id="chain-{platform["slug"]}"'):].split("</section>")[0]
        for vendor in named:
            row = section[section.index(f'data-vendor="{vendor}"'):].split("</tr>")[0]
            countries = {loc["country"] for c in claims if vendor in c["vendors"]
                         for loc in c["locations"]}
            for code in countries:
                assert f'href="/workshop/map/{code}?lang=en"' in row
    assert "Chaîne de sous-traitance" in wclient.get("/workshop/chain?lang=fr").get_data(
        as_text=True)


def test_a_chart_per_platform_across_languages(wclient, export):
    html = wclient.get("/workshop/languages?lang=en").get_data(as_text=True)
    charted = 0
    for platform in export["platforms"]:
        rows = [m for m in platform["moderators"] if m["language"] not in ("total", "none")]
        if not rows:
            assert f'data-platform="{platform["slug"]}"' not in html
            continue
        charted += 1
        section = html[html.index(f'data-platform="{platform["slug"]}"'):].split("</section>")[0]
        shown = re.findall(r'<tr data-language="(\w+)">.*?<span class="count">([^<]+)</span>',
                           section, re.S)
        assert shown, platform["slug"]
        label = re.search(r'<span class="note">\(([^)]+)\)</span>', section).group(1)
        expected = sorted(((m["language"], m["count"]) for m in rows
                           if m["period_label"] == label), key=lambda r: (-r[1], r[0]))
        assert [(code, int(count.replace(",", ""))) for code, count in shown] == expected
        # The period charted is the one giving the most languages.
        assert len(expected) == max(
            sum(1 for m in rows if m["period_label"] == p) for p in {m["period_label"]
                                                                       for m in rows})
    assert charted >= 2
    french = wclient.get("/workshop/languages?lang=fr").get_data(as_text=True)
    assert "Qui modère votre langue" in french and "anglais" in french
