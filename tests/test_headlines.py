"""The overlay's one line per kind: the best-established claim, not merely the newest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from server.index import _headline_order, headline_claim

VECTORS = json.loads((Path(__file__).parent / "vectors/headlines.json").read_text(encoding="utf-8"))


def _claim(key: str, evidence: str, verified: str, *, copy: bool = False) -> dict:
    return {"id": key, "evidence": evidence, "last_verified": verified,
            "observed": {"start": "2020", "end": None},
            "sources": [{"url": f"https://news.example/{key}", "is_copy": copy}]}


def test_an_allegation_or_a_copy_heads_a_kind_only_when_nothing_firmer_exists():
    reported = _claim("reported", "investigative_journalism", "2025-01-01")
    alleged = _claim("alleged", "allegation", "2026-12-01")
    copied = _claim("copied", "investigative_journalism", "2026-12-01", copy=True)
    ruled = _claim("ruled", "official_record", "2024-01-01")
    assert max([alleged, reported], key=_headline_order)["id"] == "reported"
    assert max([copied, reported], key=_headline_order)["id"] == "reported"
    assert max([copied, reported, ruled], key=_headline_order)["id"] == "ruled"
    assert max([alleged], key=_headline_order)["id"] == "alleged"
    newer = _claim("newer", "investigative_journalism", "2026-06-01")
    assert max([reported, newer], key=_headline_order)["id"] == "newer"


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda case: case["name"])
def test_the_shared_vectors(case):
    """The same cases the extension's record.js is held to (tests/extension/record.test.mjs)."""
    assert headline_claim(case["claims"])["id"] == case["headline"]
