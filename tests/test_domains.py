"""server/domains.py: the shared vectors, the Public Suffix List rules, and properties."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from server.domains import (
    HostRules,
    Rule,
    check_listable,
    check_path,
    check_rule,
    is_ip_address,
    is_public_suffix,
    is_single_label,
    match,
    match_host,
    normalize_host,
    preview,
    registrable_domain,
    rule_from_entry,
    url_path,
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


# --- rules with scopes: the shared vectors' "rules" section ------------------------------------

RULES = VECTORS["rules"]
COMPILED = HostRules(RULES["hosts"], RULES["rules"])


def test_rule_vectors_are_plentiful_and_well_formed():
    cases = RULES["cases"]
    assert len(cases) >= 70
    inputs = [(case["input"], case.get("host_only", False)) for case in cases]
    assert len(inputs) == len(set(inputs)), "a case is listed twice"
    for case in cases:
        assert isinstance(case["input"], str)
        assert ("expected" in case) != (case.get("error") is True), case
        assert ("rule" in case) == bool(case.get("expected")), case
    # Every rule and every listed host is used by at least one case that matches it.
    matched = {(c["rule"]["host"], c["rule"]["path"]) for c in cases if c.get("rule")}
    listed = {(r["host"], r.get("path", "")) for r in RULES["rules"]}
    listed |= {(host, "") for host in RULES["hosts"]}
    assert listed == matched


@pytest.mark.parametrize("case", RULES["cases"], ids=_id)
def test_rule_vector(case):
    host_only = case.get("host_only", False)
    if case.get("error"):
        with pytest.raises(ValueError):
            COMPILED.match(case["input"], host_only=host_only)
        return
    rule = COMPILED.match(case["input"], host_only=host_only)
    if case["expected"] is None:
        assert rule is None
    else:
        assert rule is not None
        assert rule.slug == case["expected"]
        assert {"host": rule.host, "scope": rule.scope, "path": rule.path} == case["rule"]
    # The one-call form gives the same answer.
    assert match(case["input"], RULES["hosts"], RULES["rules"], host_only=host_only) == rule


@pytest.mark.parametrize("case", RULES["paths"], ids=_id)
def test_url_path_vector(case):
    assert url_path(case["input"]) == case["path"]


@pytest.mark.parametrize("case", RULES["invalid_rules"], ids=lambda c: c["note"])
def test_invalid_rule_vector_is_refused(case):
    with pytest.raises(ValueError, match=r"\S"):
        HostRules(None, [case["rule"]])


def test_without_rules_match_is_match_host():
    for case in VECTORS["cases"]:
        if case.get("error"):
            continue
        rule = match(case["input"], HOSTS)
        assert (rule.slug if rule else None) == case["expected"], case


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("search", "must start with '/'"),
        ("/", "whole host"),
        ("/search/", "ends with '/'; write '/search'"),
        ("/a//b", "empty segment"),
        ("/a/../b", "'..' segment"),
        ("/a/./b", "'.' segment"),
        ("/se arch", "' ' is not allowed"),
        ("/caf%C3%A9", "'%' is not allowed"),
        ("/search?q", "'\\?' is not allowed"),
        ("/" + "a" * 200, "201 characters long, over 200"),
        (None, "must be text"),
    ],
)
def test_check_path_says_what_is_wrong(path, message):
    with pytest.raises(ValueError, match=message):
        check_path(path)


@pytest.mark.parametrize("path", ["/search", "/a/b-c_d.e~f", "/@user", "/wiki/Main_Page", "/x:y"])
def test_check_path_accepts(path):
    assert check_path(path) == path


def test_check_rule():
    assert check_rule("WWW.Google.com", path="/search") == (
        "www.google.com", "subdomains", "/search")
    assert check_rule("Mail.Google.com", "exact") == ("mail.google.com", "exact", "")
    assert check_rule("google.com") == ("google.com", "subdomains", "")
    with pytest.raises(ValueError, match="scope 'everything' is not one of subdomains, exact"):
        check_rule("google.com", "everything")
    with pytest.raises(ValueError, match="public suffix"):
        check_rule("co.uk", "exact")
    with pytest.raises(ValueError, match="must start"):
        check_rule("google.com", path="search")
    with pytest.raises(ValueError, match="either exact .* or has a path .*, not both"):
        check_rule("google.com", "exact", "/search")


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("google.com", Rule("google.com", "s")),
        ({"host": "mail.google.com", "scope": "exact"}, Rule("mail.google.com", "s", "exact")),
        ({"host": "google.com", "path": "/search"}, Rule("google.com", "s", path="/search")),
        ({"host": "google.com", "scope": "subdomains", "path": ""}, Rule("google.com", "s")),
    ],
)
def test_rule_from_entry_and_back(entry, expected):
    rule = rule_from_entry(entry, "s")
    assert rule == expected
    again = rule_from_entry(rule.entry(), "s")
    assert again == rule
    if isinstance(entry, str) or entry.get("scope", "subdomains") == "subdomains" and not entry.get(
        "path"
    ):
        assert rule.plain and rule.entry() == "google.com"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("WWW.google.com", "write it as www.google.com"),
        ({"host": "google.com", "paths": "/search"}, "unknown keys in a domain rule: paths"),
        ({"path": "/search"}, "needs a 'host'"),
        (42, "not int"),
        ({"host": "com", "scope": "exact"}, "public suffix"),
    ],
)
def test_rule_from_entry_refuses(entry, message):
    with pytest.raises(ValueError, match=message):
        rule_from_entry(entry, "s")


def test_index_entries():
    assert Rule("mail.google.com", "gmail", "exact").index_entry() == {
        "host": "mail.google.com", "slug": "gmail", "scope": "exact"}
    assert Rule("google.com", "gs", path="/search").index_entry() == {
        "host": "google.com", "slug": "gs", "path": "/search"}


def test_a_host_and_path_listed_twice_is_refused():
    with pytest.raises(ValueError, match="google.com/search is listed twice"):
        HostRules(None, [{"host": "google.com", "slug": "a", "path": "/search"},
                         {"host": "google.com", "slug": "b", "path": "/search"}])
    with pytest.raises(ValueError, match="mail.google.com is listed twice"):
        HostRules({"mail.google.com": "a"}, [{"host": "mail.google.com", "slug": "b",
                                             "scope": "exact"}])


def test_rules_lists_every_rule_in_order():
    listed = COMPILED.rules()
    assert len(listed) == len(RULES["hosts"]) + len(RULES["rules"])
    assert listed == sorted(listed, key=Rule.sort_key)
    rebuilt = HostRules(
        {r.host: r.slug for r in listed if r.plain},
        [r.index_entry() for r in listed if not r.plain],
    )
    for case in RULES["cases"]:
        if not case.get("error"):
            assert rebuilt.match(case["input"]) == COMPILED.match(case["input"])


def test_preview_answers_each_example_url():
    rules = [Rule(r["host"], r["slug"], r.get("scope", "subdomains"), r.get("path", ""))
             for r in RULES["rules"]]
    urls = [
        "https://www.google.com/search?q=x",
        "https://mail.google.com/mail/u/0/",
        "https://aws.amazon.com/",
        "https://www.amazon.com/dp/x",
        "not a url at all",
        "https://example.org/docs/api/x",
        "https://example.org/",  # example.org's plain rule is in `hosts`, not given here
    ]
    assert preview(rules, urls) == [
        (urls[0], "google-search"),
        (urls[1], None),
        (urls[2], None),
        (urls[3], "amazon"),
        (urls[4], None),
        (urls[5], "ex-api"),
        (urls[6], None),
    ]
    assert preview(COMPILED, urls[-1:]) == [(urls[-1], "ex-plain")]
    search = "https://www.google.com/search"
    assert preview([], [search]) == [(search, None)]


def test_preview_refuses_malformed_rules():
    with pytest.raises(ValueError, match="must start with '/'"):
        preview([{"host": "google.com", "slug": "g", "path": "search"}], ["https://google.com/"])


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="/.%2eEab\\?#\t", max_size=12))
def test_url_path_is_a_resolved_path(tail):
    path = url_path("https://example.org/" + tail)
    assert path.startswith("/")
    segments = path[1:].split("/")
    assert not any(s.lower() in (".", "..", "%2e", "%2e%2e", ".%2e", "%2e.") for s in segments)
    assert not any(ch in path for ch in "?#\\\t")
    # Resolving again changes nothing.
    assert url_path("https://example.org" + path) == path


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab/", min_size=1, max_size=8), st.text(alphabet="ab/.?", max_size=8))
def test_a_path_rule_matches_whole_segments_only(prefix_body, rest):
    prefix = "/" + prefix_body
    try:
        check_path(prefix)
    except ValueError:
        return
    rules = HostRules(None, [Rule("example.org", "p", path=prefix)])
    url = "https://example.org" + prefix + rest
    rule = rules.match(url)
    path = url_path(url)
    expected = path == prefix or path.startswith(prefix + "/")
    assert (rule is not None) == expected
    assert rules.match(url, host_only=True) is None
