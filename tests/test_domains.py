"""server/domains.py: the shared vectors, the Public Suffix List rules, and properties."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from server.domains import (
    check_listable,
    is_ip_address,
    is_public_suffix,
    is_single_label,
    match_host,
    normalize_host,
    registrable_domain,
)

VECTORS = json.loads((Path(__file__).parent / "vectors" / "hosts.json").read_text("utf-8"))
HOSTS = VECTORS["hosts"]


def _id(case: dict) -> str:
    return ascii(case["input"])[:60]


def test_vectors_are_plentiful_and_well_formed():
    assert len(VECTORS["cases"]) >= 70
    for case in VECTORS["cases"] + VECTORS["normalize"]:
        assert isinstance(case["input"], str)
        kinds = ("expected" in case) + ("normalized" in case) + (case.get("error") is True)
        assert kinds == 1, case
    inputs = [case["input"] for case in VECTORS["cases"]]
    assert len(inputs) == len(set(inputs)), "a case is listed twice"


@pytest.mark.parametrize("host", sorted(HOSTS))
def test_vector_hosts_are_normalised(host):
    assert normalize_host(host) == host


@pytest.mark.parametrize("case", VECTORS["cases"], ids=_id)
def test_match_vector(case):
    if case.get("error"):
        with pytest.raises(ValueError):
            match_host(case["input"], HOSTS)
    else:
        assert match_host(case["input"], HOSTS) == case["expected"]


@pytest.mark.parametrize("case", VECTORS["normalize"], ids=_id)
def test_normalize_vector(case):
    if case.get("error"):
        with pytest.raises(ValueError, match=r"\S"):
            normalize_host(case["input"])
    else:
        host = normalize_host(case["input"])
        assert host == case["normalized"]
        assert normalize_host(host) == host


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("a..b", "empty label"),
        ("x" * 64 + ".com", "64 characters, over 63"),
        (".".join(["a" * 60] * 5), "over 253"),
        ("face book.com", "whitespace"),
        ("face$book.com", "'\\$' is not allowed"),
        ("-a.com", "hyphen"),
        ("xn--a.com", "xn--a"),
        ("example.com:99999", "port"),
        ("foo.123", "IPv4"),
        ("[::1", "'\\['"),
    ],
)
def test_normalize_explains_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        normalize_host(text)


@pytest.mark.parametrize("value", [None, 42, b"facebook.com", ["facebook.com"]])
def test_normalize_refuses_what_is_not_text(value):
    with pytest.raises(ValueError, match="must be text"):
        normalize_host(value)


def test_ip_and_single_label():
    assert is_ip_address("127.0.0.1")
    assert is_ip_address("0x7f.1")
    assert is_ip_address("http://[::1]:8080/")
    assert not is_ip_address("facebook.com")
    assert not is_ip_address("1.2.3.4.5")
    assert is_single_label("localhost")
    assert is_single_label("LOCALHOST.")
    assert not is_single_label("facebook.com")
    assert not is_single_label("127.0.0.1")
    assert not is_single_label("a..b")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("facebook.com", "facebook.com"),
        ("www.facebook.com", "facebook.com"),
        ("https://m.facebook.com/x", "facebook.com"),
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("www.b\u00fccher.example", "xn--bcher-kva.example"),
        ("alice.github.io", "alice.github.io"),
        ("www.alice.github.io", "alice.github.io"),
        ("www.ck", "www.ck"),  # an exception to the *.ck wildcard rule
        ("a.b.foo.ck", "b.foo.ck"),
        ("com", None),
        ("co.uk", None),
        ("github.io", None),
        ("foo.ck", None),
        ("localhost", None),
        ("127.0.0.1", None),
        ("[::1]", None),
    ],
)
def test_registrable_domain(host, expected):
    assert registrable_domain(host) == expected


def test_registrable_domain_refuses_invalid_hosts():
    with pytest.raises(ValueError):
        registrable_domain("a..b")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("com", True),
        ("co.uk", True),
        ("gov.uk", True),
        ("CO.UK.", True),
        ("foo.ck", True),  # *.ck
        ("xn--p1ai", True),  # .рф
        ("\u0440\u0444", True),
        ("github.io", False),  # private section
        ("blogspot.com", False),  # private section
        ("facebook.com", False),
        ("www.ck", False),
        ("127.0.0.1", False),
        ("[::1]", False),
    ],
)
def test_is_public_suffix(host, expected):
    assert is_public_suffix(host) is expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("facebook.com", "facebook.com"),
        ("https://WWW.Facebook.com/", "www.facebook.com"),
        ("github.io", "github.io"),
        ("blogspot.com", "blogspot.com"),
        ("b\u00fccher.example", "xn--bcher-kva.example"),
        ("bbc.co.uk", "bbc.co.uk"),
    ],
)
def test_check_listable_accepts(host, expected):
    assert check_listable(host) == expected


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("com", "'com' is a public suffix"),
        ("co.uk", "'co.uk' is a public suffix"),
        ("gov.uk", "public suffix"),
        ("foo.ck", "public suffix"),
        ("127.0.0.1", "'127.0.0.1' is an IP address"),
        ("[::1]", "IP address"),
        ("localhost", "'localhost' is a single label"),
        ("a..b", "empty label"),
        ("", "empty"),
        ("face book.com", "whitespace"),
    ],
)
def test_check_listable_refuses_with_reason(host, message):
    with pytest.raises(ValueError, match=message):
        check_listable(host)


def test_match_prefers_the_longest_listed_host():
    hosts = {"google.com": "google-search", "sites.google.com": "google-sites"}
    assert match_host("a.sites.google.com", hosts) == "google-sites"
    assert match_host("a.google.com", hosts) == "google-search"
    assert match_host("google.com.sites", hosts) is None


# --- properties -------------------------------------------------------------------------------

LABEL_CHARS = string.ascii_letters + string.digits + "-_" + "\u00fc\u00df\u0430\u03c3\u65e5\u00ad"
labels = st.text(alphabet=LABEL_CHARS, min_size=0, max_size=70)
hostlike = st.builds(
    lambda prefix, parts, suffix: prefix + ".".join(parts) + suffix,
    st.sampled_from(["", "", "https://", "http://user@", "//", "xn--", "[", "XN--"]),
    st.lists(labels, min_size=1, max_size=6),
    st.sampled_from(["", "", ".", "..", ":443", ":", ":x", "/path?q#f", "]", "\u3002com"]),
)
ip_like = st.builds(
    lambda parts, sep: sep.join(parts),
    st.lists(
        st.sampled_from(["0", "1", "255", "256", "0x7f", "010", "09", "", "ffff", "::"]),
        min_size=1,
        max_size=9,
    ),
    st.sampled_from([".", ":"]),
)
anything = st.one_of(st.text(), st.text(alphabet=string.printable), hostlike, ip_like)


@settings(max_examples=600, deadline=None)
@given(anything)
@example("xn--" + "a" * 59 + ".com")
@example("\u00ad" * 2000 + ".com")
@example("\u0301")
@example("1\u05d0.com")
def test_normalize_only_raises_value_error_and_is_idempotent(text):
    try:
        host = normalize_host(text)
    except ValueError as error:
        assert str(error)
        return
    assert normalize_host(host) == host
    assert host == host.lower() and host.isascii()
    assert len(host) <= 253 or host.startswith("[")


@settings(max_examples=300, deadline=None)
@given(anything)
def test_other_functions_only_raise_value_error(text):
    hosts = {"facebook.com": "facebook", "a.b": "ab"}
    for function in (match_host, check_listable, registrable_domain, is_public_suffix):
        try:
            function(text, hosts) if function is match_host else function(text)
        except ValueError:
            pass
    assert isinstance(is_ip_address(text), bool)
    assert isinstance(is_single_label(text), bool)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="abcxyz0-", min_size=1, max_size=5), min_size=2, max_size=5))
def test_a_listed_host_matches_itself_and_its_subdomains_only(parts):
    listed = ".".join(parts)
    try:
        listed = normalize_host(listed)
    except ValueError:
        return
    if is_ip_address(listed):
        return
    hosts = {listed: "slug"}
    assert match_host(listed, hosts) == "slug"
    assert match_host("www." + listed, hosts) == "slug"
    assert match_host("x" + listed, hosts) is None
    assert match_host(listed + ".evil.example", hosts) is None
