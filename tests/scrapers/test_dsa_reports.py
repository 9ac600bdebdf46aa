"""DSA transparency reports: the human resources table, from CSV, XLSX and ZIP."""

from __future__ import annotations

import io
import zipfile

import pytest
import responses
from scraper_helpers import allow_robots, as_json, expected, fixture_bytes

from scrapers import dsa_reports
from scrapers.base import MalformedInput

FETCHED = "2026-11-26T12:00:00Z"
CSV_URL = "https://transparency.example.org/dsa/9_human_resources.csv"
XLSX_URL = "https://transparency.example.org/dsa/human_resources.xlsx"
HEADER = ("Applicability,Service,Reporting period,Section,Indicator,Scope,Value,"
          "Contextual information\n")
ROW = ("Only for VLOPs,Amazon Store,2026-01-01/2026-06-30,Human resources dedicated to content "
       "moderation ,Number of external moderators contracted by the provider,Total number,{},\n")


def parse_csv():
    return dsa_reports.parse(fixture_bytes("dsa_reports/9_human_resources.csv"),
                             source_url=CSV_URL, fetched_at=FETCHED)


def parse_xlsx():
    return dsa_reports.parse(fixture_bytes("dsa_reports/human_resources.xlsx"),
                             source_url=XLSX_URL, fetched_at=FETCHED)


def test_csv_parses_to_the_expected_records():
    assert as_json(parse_csv()) == expected("dsa_reports/9_human_resources.expected.json")


def test_xlsx_parses_to_the_expected_records():
    assert as_json(parse_xlsx()) == expected("dsa_reports/human_resources.expected.json")


def test_csv_quirks_are_normalised():
    records = parse_csv()
    facebook_internal = [r for r in records if r.service == "Facebook" and r.measure == "internal"]
    # Filled down from the merged cells above; thousands separator read; GR read as Greek.
    assert [(r.scope, r.value) for r in facebook_internal] == [
        ("total", 1430), ("de", 212), ("el", 35), ("fr", 1018)]
    assert all(r.period_start == "2026-01-01" and r.period_end == "2026-06-30" for r in records)
    assert {r.indicator for r in records} >= {"Number of internal moderators"}  # no trailing space
    assert "Own-initiative" not in {r.indicator for r in records}  # another section
    assert next(r for r in records if r.scope_label == "SE").value is None  # "N/A"
    assert next(r for r in records if r.service == "Instagram" and r.measure == "external"
                and r.scope == "total").value == 12310  # "12 310"


def test_the_real_example_row_parses():
    records = dsa_reports.parse((HEADER + ROW.format("33")).encode(), source_url=CSV_URL)
    assert [(r.service, r.measure, r.scope, r.value) for r in records] == [
        ("Amazon Store", "external", "total", 33)]


def test_a_zip_bundle_of_csv_parts_is_read():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("01_A421_Orders.csv", "Section,Indicator,Value\nOrders,Received,12\n")
        archive.writestr("09_A422AB_Human.csv", fixture_bytes("dsa_reports/9_human_resources.csv"))
    records = dsa_reports.parse(buffer.getvalue(), source_url=CSV_URL, fetched_at=FETCHED)
    assert [(r.service, r.measure, r.scope, r.value) for r in records] == [
        (r.service, r.measure, r.scope, r.value) for r in parse_csv()]
    assert records[0].table == "09_A422AB_Human.csv"


def test_semicolons_and_a_translated_header_are_read_by_position():
    text = ("Anwendbarkeit;Dienst;Berichtszeitraum;Abschnitt;Indikator;Umfang;Wert;Kontext\n"
            "Nur VLOPs;Beispiel;01.01.2026-30.06.2026;Personalressourcen für die Moderation von "
            "Inhalten;Anzahl der externen Moderatoren;Total number;1.204;\n")
    records = dsa_reports.parse(text.encode("cp1252"))
    assert [(r.service, r.measure, r.scope, r.value, r.period_end) for r in records] == [
        ("Beispiel", "external", "total", 1204, "2026-06-30")]


def test_proposals_from_the_csv(known):
    drafts = dsa_reports.to_proposals(parse_csv(), known)
    assert as_json(drafts) == expected("dsa_reports/9_human_resources.proposals.expected.json")
    # Amazon Store is not in the database: no proposal for it.
    assert {d.platform_slug for d in drafts} == {"facebook", "instagram"}


def test_proposals_from_the_xlsx(known):
    drafts = dsa_reports.to_proposals(parse_xlsx(), known)
    assert as_json(drafts) == expected("dsa_reports/human_resources.proposals.expected.json")


MODERATOR_KEYS = ["language", "count", "period", "period_label", "internal", "external", "note",
                  "source"]
SOURCE_KEYS = ["url", "title", "publisher", "published", "quote", "language", "is_copy"]


def test_a_proposal_holds_moderator_rows_in_the_dataset_shape(known):
    drafts = dsa_reports.to_proposals(parse_csv(), known)
    draft = next(d for d in drafts if d.platform_slug == "facebook")
    assert draft.kind == "moderators"
    rows = draft.payload["change"]["add"]
    assert all(list(row) == MODERATOR_KEYS for row in rows)
    assert all(list(row["source"]) == SOURCE_KEYS for row in rows)
    # The total first, then languages by code; GR and DK read as el and da; Swedish's "N/A"
    # is no figure, so there is no row for it.
    assert [(r["language"], r["count"], r["internal"], r["external"]) for r in rows] == [
        ("total", 16470, 1430, 15040), ("da", 88, None, 88), ("de", 1314, 212, 1102),
        ("el", 35, 35, None), ("fr", 1018, 1018, None)]
    assert rows[0]["period"] == {"start": "2026-01", "end": "2026-06"}
    assert rows[0]["period_label"] == "H1 2026"
    assert rows[0]["source"]["url"] == CSV_URL == draft.source_url
    assert all(len(r["source"]["quote"].split()) <= 40 for r in rows)
    # The quote is the cells as filed, figures as written.
    assert rows[2]["source"]["quote"] == ("Number of internal moderators | de | 212; Number of "
                                          "external moderators contracted by the provider | de "
                                          "| 1,102")


def test_the_reports_list_can_give_the_publication_date(known):
    records = dsa_reports.parse(fixture_bytes("dsa_reports/9_human_resources.csv"),
                                source_url=CSV_URL, published="2026-08-28")
    draft = dsa_reports.to_proposals(records, known)[0]
    assert {r["source"]["published"] for r in draft.payload["change"]["add"]} == {"2026-08-28"}
    assert draft.payload["change"]["to_check"] == ["title: the report's own title"]


def test_a_fractional_figure_is_no_head_count(known):
    text = HEADER + ROW.replace("Amazon Store", "YouTube").format("12.5")
    draft_rows = dsa_reports.to_proposals(dsa_reports.parse(text.encode(), source_url=CSV_URL),
                                          known)
    assert draft_rows == []


@pytest.mark.parametrize(("start", "end", "label"), [
    ("2026-01-01", "2026-06-30", "H1 2026"),
    ("2025-07-01", "2025-12-31", "H2 2025"),
    ("2023-08-28", "2023-12-31", "2023-08-28 to 2023-12-31"),
    ("2024-01-01", "2024-12-31", "January–December 2024"),
])
def test_period_labels(start, end, label):
    assert dsa_reports.short_period_label(start, end) == label


def test_fingerprints_do_not_depend_on_when_or_from_which_copy_it_was_fetched(known):
    first = dsa_reports.to_proposals(parse_csv(), known)
    again = dsa_reports.to_proposals(
        dsa_reports.parse(fixture_bytes("dsa_reports/9_human_resources.csv"),
                          source_url=CSV_URL, fetched_at="2027-01-01T00:00:00Z"), known)
    assert [d.fingerprint for d in first] == [d.fingerprint for d in again]


def test_a_truncated_csv_is_a_clear_error():
    with pytest.raises(MalformedInput, match=r"truncated.csv: row 4 stops before the Value "
                                             r"column \(is the file truncated\?\)"):
        dsa_reports.parse(fixture_bytes("dsa_reports/truncated.csv"), name="truncated.csv")


def test_a_csv_cut_inside_a_quoted_value_is_a_clear_error():
    data = (HEADER + ROW.format('"1,4')).encode()
    with pytest.raises(MalformedInput, match="broken CSV at line 2"):
        dsa_reports.parse(data, source_url=CSV_URL)


def test_a_truncated_xlsx_is_a_clear_error():
    data = fixture_bytes("dsa_reports/human_resources.xlsx")
    with pytest.raises(MalformedInput, match="damaged or truncated"):
        dsa_reports.parse(data[: len(data) // 2], source_url=XLSX_URL)


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (b"<!DOCTYPE html><html><body>Access denied</body></html>", "an HTML page"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, r"old Excel \(.xls\)"),
    (b"%PDF-1.7\n", "a PDF"),
    (b"name,value\nfoo,1\n", "no rows of the 'Human resources dedicated to content moderation'"),
])
def test_files_that_are_not_reports_are_named_as_such(data, message):
    with pytest.raises(MalformedInput, match=message):
        dsa_reports.parse(data, source_url=CSV_URL)


def test_a_value_that_is_not_a_number_names_its_row():
    with pytest.raises(MalformedInput, match=r"row 2: value 'about forty' is not a number"):
        dsa_reports.parse((HEADER + ROW.format("about forty")).encode())


def test_a_period_that_is_not_a_range_names_its_row():
    data = (HEADER + ROW.format("33").replace("2026-01-01/2026-06-30", "H1")).encode()
    with pytest.raises(MalformedInput, match=r"row 2: reporting period 'H1' is not a date range"):
        dsa_reports.parse(data)


@pytest.mark.parametrize(("text", "value"), [
    ("1,430", 1430), ("1.430", 1430), ("1 430", 1430), ("1\u00a0430", 1430), ("33", 33),
    ("12.5", 12.5), ("1,430.5", 1430.5), ("N/A", None), ("", None), ("-", None),
])
def test_numbers(text, value):
    assert dsa_reports.parse_number(text) == value


@pytest.mark.parametrize(("label", "scope"), [
    ("Total number", "total"), ("de", "de"), ("GR", "el"), ("DK", "da"), ("SE", "sv"),
    ("CZ", "cs"), ("EE", "et"), ("SI", "sl"), ("French", "fr"), ("Other languages",
                                                                  "Other languages"),
])
def test_scopes(label, scope):
    assert dsa_reports.normalise_scope(label) == scope


def test_fetch_goes_through_the_polite_session(offline, http):
    allow_robots(offline, "https://transparency.example.org")
    offline.add(responses.GET, CSV_URL, body=fixture_bytes("dsa_reports/9_human_resources.csv"))
    data = dsa_reports.fetch(http, dsa_reports.Report(CSV_URL, service="Facebook"))
    assert data == fixture_bytes("dsa_reports/9_human_resources.csv")


def test_a_truncated_download_names_the_file_and_the_problem(offline, http):
    allow_robots(offline, "https://transparency.example.org")
    data = fixture_bytes("dsa_reports/human_resources.xlsx")
    offline.add(responses.GET, XLSX_URL, body=data[:1000])
    with pytest.raises(MalformedInput, match=r"^human_resources.xlsx: a damaged or truncated"):
        dsa_reports.parse(dsa_reports.fetch(http, XLSX_URL), source_url=XLSX_URL)


def test_the_xlsx_fixture_is_what_make_xlsx_writes():
    import importlib.util

    from scraper_helpers import FIXTURES

    spec = importlib.util.spec_from_file_location("make_xlsx", FIXTURES / "make_xlsx.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    buffer = io.BytesIO()
    module.build().save(buffer)
    fresh = dsa_reports.parse(buffer.getvalue(), source_url=XLSX_URL, fetched_at=FETCHED)
    strip = [{**r, "sha256": None} for r in as_json(fresh)]
    assert strip == [{**r, "sha256": None} for r in as_json(parse_xlsx())]
