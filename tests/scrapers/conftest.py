"""Scraper test fixtures: the known snapshot, an offline network, a polite session."""

from __future__ import annotations

import pytest
import responses
from scraper_helpers import SleepRecorder, expected

from scrapers.base import Known
from scrapers.http import PoliteSession


@pytest.fixture
def known() -> Known:
    return Known.from_dict(expected("known.json"))


@pytest.fixture(autouse=True)
def offline():
    """Every request goes to `responses`: one that no test registered fails instead of leaving."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def slept() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def http(slept):
    """A polite session with no cache, no per-host delay and a recorded sleep."""
    with PoliteSession(delay=0, backoff_factor=0.01, sleep=slept) as session:
        yield session
