"""Helpers for the scraper tests: fixtures on disk, JSON forms of records and drafts."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import responses

FIXTURES = Path(__file__).parent.parent / "fixtures" / "scrapers"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def expected(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def as_json(items) -> list:
    """Records or drafts in the JSON form the expected files hold."""
    out = []
    for item in items:
        if hasattr(item, "fingerprint"):
            out.append({**item.as_row(), "fingerprint": item.fingerprint})
        else:
            out.append(dataclasses.asdict(item))
    return json.loads(json.dumps(out, ensure_ascii=False))


class SleepRecorder:
    """Stands in for time.sleep: records what the session asked to wait, waits for nothing."""

    def __init__(self):
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def allow_robots(mock, origin: str, text: str = "User-agent: *\nAllow: /\n") -> None:
    mock.add(responses.GET, f"{origin}/robots.txt", body=text, status=200)
