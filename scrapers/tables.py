"""Reading the tabular files the DSA publishes (CSV, XLSX, ZIP bundles of either) into rows of text.

Shared by dsa_reports and dsa_tdb. Pure: bytes in, rows out; errors are MalformedInput naming
what is wrong and where.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from scrapers.base import MalformedInput

ZIP_MAX_MEMBERS = 500
ZIP_MAX_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class Table:
    """One sheet or CSV file: its name and its rows, every cell a stripped string."""

    name: str
    rows: list[list[str]]


def sniff_format(data: bytes) -> str:
    """'csv', 'xlsx', 'zip' or 'json' from the file's first bytes; MalformedInput otherwise."""
    head = data[:512].lstrip()
    if not data.strip():
        raise MalformedInput("the file is empty")
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile as exc:
            raise MalformedInput(f"a damaged or truncated ZIP/XLSX file ({exc})") from exc
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return "xlsx"
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise MalformedInput("an old Excel (.xls) file: save it as XLSX or CSV and try again")
    if head.startswith(b"%PDF"):
        raise MalformedInput("a PDF, not a data file: look for the CSV or XLSX version")
    lowered = head.lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered[:200]:
        raise MalformedInput("an HTML page, not a data file (an error page or a login wall?)")
    if head.startswith((b"{", b"[")):
        return "json"
    return "csv"


def read_tables(data: bytes, name: str = "file") -> list[Table]:
    """Every table in a CSV, XLSX or ZIP bundle (CSV and XLSX members)."""
    try:
        kind = sniff_format(data)
    except MalformedInput as exc:
        raise MalformedInput(str(exc), source=name) from None
    if kind == "csv":
        return [Table(name, read_csv(data, name))]
    if kind == "xlsx":
        return read_xlsx(data, name)
    if kind == "zip":
        return list(_read_zip(data, name))
    raise MalformedInput(f"expected CSV, XLSX or ZIP, got {kind.upper()}", source=name)


def _read_zip(data: bytes, name: str) -> Iterator[Table]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > ZIP_MAX_MEMBERS:
            raise MalformedInput(f"{len(members)} files in the ZIP, too many for a report",
                                 source=name)
        if sum(m.file_size for m in members) > ZIP_MAX_BYTES:
            raise MalformedInput(f"the ZIP unpacks to more than {ZIP_MAX_BYTES} bytes", source=name)
        found = False
        for member in sorted(members, key=lambda m: m.filename):
            lower = member.filename.lower()
            if lower.startswith("__macosx/") or not lower.endswith((".csv", ".xlsx")):
                continue
            found = True
            try:
                content = archive.read(member)
            except (zipfile.BadZipFile, OSError) as exc:
                raise MalformedInput(f"cannot unpack {member.filename} ({exc})",
                                     source=name) from exc
            yield from read_tables(content, member.filename)
        if not found:
            raise MalformedInput("the ZIP holds no CSV or XLSX file", source=name)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as spreadsheets on Windows write it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_csv(data: bytes, name: str = "file") -> list[list[str]]:
    """Rows of a CSV whose delimiter (comma, semicolon or tab) is guessed from its shape."""
    text = decode_text(data)
    delimiter = _guess_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append([cell.strip() for cell in row])
    except csv.Error as exc:
        raise MalformedInput(f"broken CSV at line {reader.line_num} ({exc})", source=name) from exc
    return rows


def _guess_delimiter(text: str) -> str:
    sample = text.splitlines()[:40]
    best, best_width = ",", 0
    for delimiter in (",", ";", "\t"):
        try:
            widths = [len(r) for r in csv.reader(sample, delimiter=delimiter) if len(r) > 1]
        except csv.Error:
            continue
        if not widths:
            continue
        width, _count = Counter(widths).most_common(1)[0]
        if width > best_width:
            best, best_width = delimiter, width
    return best


def read_xlsx(data: bytes, name: str = "file") -> list[Table]:
    """Every sheet of a workbook as rows of text (merged cells come out blank, as in CSV)."""
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # Files written by other tools trigger openpyxl style/extension warnings; harmless here.
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise MalformedInput(f"a damaged or truncated XLSX file ({exc})", source=name) from exc
    try:
        tables = []
        for sheet in workbook.worksheets:
            rows = [[cell_text(value) for value in row]
                    for row in sheet.iter_rows(values_only=True)]
            tables.append(Table(f"{name}:{sheet.title}", rows))
        return tables
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def column_key(label: str) -> str:
    """A header label reduced to compare: lower case, single spaces, no trailing punctuation."""
    return " ".join(label.replace("\u00a0", " ").split()).lower().strip(" :*")
