"""Host names: normalisation, matching against listed hosts, and what a curator may list.

These rules are shared with the extension (`extension/lib/match.js`); the vectors in
`tests/vectors/hosts.json` hold the two together, so a change here is a change there.

Normalisation follows what a browser's URL parser does with a host (the WHATWG URL standard:
UTS #46 mapping, non-transitional, Punycode, its IPv4 and IPv6 parsers), then keeps only
DNS-shaped names: labels of `a-z 0-9 _ -`, no label starting or ending with a hyphen, at most
63 characters a label and 253 in all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import idna
from flask_babel import gettext as _
from publicsuffixlist import PublicSuffixList

MAX_HOST_LENGTH = 253
MAX_LABEL_LENGTH = 63
# Before any mapping; longer input is refused outright (the mapping tables cap it too).
MAX_INPUT_LENGTH = 1024

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
_AUTHORITY_END = re.compile(r"[/?#\\]")
_PORT = re.compile(r"[0-9]*")
# Control characters, the space, and the other White_Space code points: named in the message.
_WHITESPACE = re.compile(
    r"[\x00-\x20\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
# ASCII other than letters, digits, dot, hyphen and underscore (non-ASCII goes to IDNA).
_ASCII_BAD = re.compile(r"[^A-Za-z0-9._\-\x80-\U0010ffff]")
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_\-]*[a-z0-9_])?")
_IPV6_CHARS = re.compile(r"[0-9A-Fa-f:.]*")
_HEX = "0123456789abcdefABCDEF"
_DIGITS = "0123456789"
_RTL = frozenset(("R", "AL", "AN"))


def _shown(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _invalid(text: str, reason: str) -> ValueError:
    """`reason` is already in the reader's language (messages are, English outside a request)."""
    return ValueError(_("%(host)s is not a valid host: %(reason)s", host=_shown(text),
                        reason=reason))


# --- splitting a URL or host string -------------------------------------------------------------


def _split(text: str) -> tuple[str, bool]:
    """The host part of `text` and whether it is an IPv6 literal (without its brackets)."""
    s = text.strip(" \t\n\r\f")
    scheme = _SCHEME.match(s)
    if scheme:
        s = s[scheme.end() :]
    elif s.startswith("//"):
        s = s[2:]
    authority = _AUTHORITY_END.split(s, maxsplit=1)[0]
    hostport = authority[authority.rfind("@") + 1 :]

    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            raise _invalid(text, _("'[' without a closing ']'"))
        host, rest = hostport[1:end], hostport[end + 1 :]
        if rest and not rest.startswith(":"):
            raise _invalid(text, _("unexpected %(text)s after ']'", text=repr(rest[:10])))
        _check_port(text, rest[1:])
        return host, True
    if hostport.count(":") >= 2:
        return hostport, True  # an IPv6 address written without brackets
    host, _colon, port = hostport.partition(":")
    _check_port(text, port)
    return host, False


def _check_port(text: str, port: str) -> None:
    if not _PORT.fullmatch(port):
        raise _invalid(text, _("the port %(port)s is not a number", port=repr(port[:10])))
    if port and int(port) > 65535:
        raise _invalid(text, _("the port %(port)s is over 65535", port=port[:10]))


# --- IP addresses, as the WHATWG URL standard parses them ------------------------------------


def _ipv4_number(part: str) -> int | None:
    radix = 10
    if len(part) >= 2 and part[:2] in ("0x", "0X"):
        part, radix = part[2:], 16
    elif len(part) >= 2 and part[0] == "0":
        part, radix = part[1:], 8
    if part == "":
        return 0
    allowed = {10: _DIGITS, 8: "01234567", 16: _HEX}[radix]
    if any(ch not in allowed for ch in part):
        return None
    return int(part, radix)


def _ends_in_number(host: str) -> bool:
    parts = host.split(".")
    if parts[-1] == "":
        if len(parts) == 1:
            return False
        parts.pop()
    last = parts[-1]
    if last and all(ch in _DIGITS for ch in last):
        return True
    return last != "" and _ipv4_number(last) is not None


def _parse_ipv4(text: str, host: str) -> str:
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if len(parts) > 4:
        raise _invalid(text, _("it ends in a number but is not an IPv4 address"))
    numbers = []
    for part in parts:
        number = _ipv4_number(part) if part else None
        if number is None:
            raise _invalid(text, _("it ends in a number but is not an IPv4 address"))
        numbers.append(number)
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise _invalid(text, _("an IPv4 address part is out of range"))
    address = numbers[-1]
    for i, n in enumerate(numbers[:-1]):
        address += n * 256 ** (3 - i)
    return ".".join(str((address >> shift) & 255) for shift in (24, 16, 8, 0))


def _parse_ipv6(text: str, s: str) -> str:
    if not _IPV6_CHARS.fullmatch(s):
        raise _invalid(text, _("not a valid IPv6 address"))
    fail = _invalid(text, _("not a valid IPv6 address"))
    address = [0] * 8
    piece, compress, i, n = 0, None, 0, len(s)
    if s.startswith(":"):
        if not s.startswith("::"):
            raise fail
        i, piece, compress = 2, 1, 1
    while i < n:
        if piece == 8:
            raise fail
        if s[i] == ":":
            if compress is not None:
                raise fail
            i += 1
            piece += 1
            compress = piece
            continue
        value = length = 0
        while length < 4 and i < n and s[i] in _HEX:
            value = value * 16 + int(s[i], 16)
            i += 1
            length += 1
        if i < n and s[i] == ".":
            if length == 0 or piece > 6:
                raise fail
            i -= length
            seen = 0
            while i < n:
                if seen > 0:
                    if s[i] == "." and seen < 4:
                        i += 1
                    else:
                        raise fail
                if i >= n or s[i] not in _DIGITS:
                    raise fail
                octet = -1  # no digit yet
                while i < n and s[i] in _DIGITS:
                    if octet == 0:
                        raise fail  # a leading zero
                    octet = int(s[i]) if octet < 0 else octet * 10 + int(s[i])
                    if octet > 255:
                        raise fail
                    i += 1
                address[piece] = address[piece] * 0x100 + octet
                seen += 1
                if seen in (2, 4):
                    piece += 1
            if seen != 4:
                raise fail
            break
        if i < n and s[i] == ":":
            i += 1
            if i >= n:
                raise fail
        elif i < n:
            raise fail
        address[piece] = value
        piece += 1
    if compress is not None:
        swaps, piece = piece - compress, 7
        while piece != 0 and swaps > 0:
            other = compress + swaps - 1
            address[piece], address[other] = address[other], address[piece]
            piece -= 1
            swaps -= 1
    elif piece != 8:
        raise fail
    return _serialise_ipv6(address)


def _serialise_ipv6(address: list[int]) -> str:
    # The first longest run of two or more zero pieces becomes "::".
    best_start, best_len, start = None, 1, None
    for i, value in enumerate([*address, 1]):
        if value == 0 and start is None:
            start = i
        elif value != 0 and start is not None:
            if i - start > best_len:
                best_start, best_len = start, i - start
            start = None
    out, i = [], 0
    while i < 8:
        if i == best_start:
            out.append("::" if i == 0 else ":")
            i += best_len
            continue
        out.append(f"{address[i]:x}")
        if i != 7:
            out.append(":")
        i += 1
    return "[" + "".join(out) + "]"


# --- international names ------------------------------------------------------------------------


def _check_known(text: str, unicode_text: str) -> None:
    # Direction and normalisation checks rest on this Python's Unicode data; a character it does
    # not know cannot be checked, so it is refused (before mapping too, which could hide it).
    for ch in unicode_text:
        if unicodedata.category(ch) == "Cn":
            raise _invalid(text, _("%(code)s is not a known character", code=f"U+{ord(ch):04X}"))


def _check_unicode_label(text: str, label: str) -> None:
    """UTS #46 validity for a label in Unicode form (the URL standard's options)."""
    if label.startswith("xn--"):
        raise _invalid(text, _("the label %(label)s starts with 'xn--' but is not Punycode",
                                label=repr(label)))
    _check_known(text, label)
    if unicodedata.category(label[0]).startswith("M"):
        raise _invalid(text, _("the label %(label)s starts with a combining mark",
                                label=repr(label)))
    for pos, ch in enumerate(label):
        if ch in "\u200c\u200d":
            try:
                allowed = idna.valid_contextj(label, pos)
            except ValueError:
                allowed = False
            if not allowed:
                raise _invalid(text, _("a zero-width joiner is not allowed where it is in "
                                        "%(label)s", label=repr(label)))


def _decode_alabel(text: str, label: str) -> str:
    try:
        decoded = label[4:].encode("ascii").decode("punycode")
    except (ValueError, IndexError, OverflowError) as exc:
        raise _invalid(text, _("the label %(label)s is not valid Punycode",
                                label=repr(label))) from exc
    if decoded == "" or decoded.isascii():
        raise _invalid(text, _("the label %(label)s is not a valid international label",
                                label=repr(label)))
    try:
        mapped = idna.uts46_remap(decoded, std3_rules=False)
    except ValueError:
        mapped = None
    if mapped != decoded:
        raise _invalid(text, _("the label %(label)s holds characters not allowed in host names",
                                label=repr(label)))
    _check_unicode_label(text, decoded)
    return decoded


def _to_ascii(text: str, host: str) -> str:
    """UTS #46 ToASCII as the URL standard runs it (non-transitional, no hyphen or STD3 checks)."""
    _check_known(text, host)
    try:
        mapped = idna.uts46_remap(host, std3_rules=False)
    except ValueError as exc:
        raise _invalid(text, _("it holds a character that is not allowed in host names")) \
            from exc
    unicode_labels, ascii_labels = [], []
    for label in mapped.split("."):
        if label.isascii():
            if label.startswith("xn--"):
                unicode_labels.append(_decode_alabel(text, label))
            else:
                unicode_labels.append(label)
            ascii_labels.append(label)
            continue
        _check_unicode_label(text, label)
        unicode_labels.append(label)
        ascii_labels.append("xn--" + label.encode("punycode").decode("ascii"))
    ascii_host = ".".join(ascii_labels)
    _check_bidi(text, ascii_host, unicode_labels)
    return ascii_host


def _check_bidi(text: str, ascii_host: str, labels: list[str]) -> None:
    # RFC 5893, as UTS #46 CheckBidi asks: once any label is right-to-left, every label must pass.
    if not any(unicodedata.bidirectional(ch) in _RTL for label in labels for ch in label):
        return
    # Only names that are otherwise well formed get this far (labels are short, none empty).
    _check_dns_shape(text, ascii_host.removesuffix("."))
    for label in labels:
        if not label:
            continue
        try:
            idna.check_bidi(label, check_ltr=True)
        except ValueError as exc:
            raise _invalid(text, _("the label %(label)s mixes writing directions",
                                    label=repr(label))) from exc


def _check_dns_shape(text: str, host: str) -> None:
    if host == "":
        raise _invalid(text, _("it is empty"))
    if len(host) > MAX_HOST_LENGTH:
        raise _invalid(text, _("it is %(length)s characters long, over %(max)s",
                                length=len(host), max=MAX_HOST_LENGTH))
    for label in host.split("."):
        if label == "":
            raise _invalid(text, _("it has an empty label (two dots in a row, or a leading dot)"))
        if len(label) > MAX_LABEL_LENGTH:
            raise _invalid(text, _("the label %(label)s is %(length)s characters, over %(max)s",
                                   label=_shown(label), length=len(label),
                                   max=MAX_LABEL_LENGTH))
        if not _LABEL.fullmatch(label):
            bad = _ASCII_BAD.search(label)
            if bad:
                raise _invalid(text, _("%(char)s is not allowed in a host name",
                                char=repr(bad.group())))
            raise _invalid(text, _("the label %(label)s starts or ends with a hyphen",
                                    label=repr(label)))


# --- public API -----------------------------------------------------------------------------------


def normalize_host(text: str) -> str:
    """The normalised host of a host name or URL: lower case, ASCII, no port; ValueError if invalid.

    IPv4 addresses come back dotted-decimal (`127.0.0.1`), IPv6 addresses in brackets (`[::1]`).
    """
    if not isinstance(text, str):
        raise ValueError(_("a host must be text, not %(type)s", type=type(text).__name__))
    if text.strip(" \t\n\r\f") == "":
        raise ValueError(_("the host is empty"))
    host, ipv6 = _split(text)
    if host == "":
        raise _invalid(text, _("it has no host name"))
    if len(host) > MAX_INPUT_LENGTH:
        raise _invalid(text, _("it is %(length)s characters long, over %(max)s",
                                length=len(host), max=MAX_HOST_LENGTH))
    if _WHITESPACE.search(host):
        raise _invalid(text, _("it contains whitespace or a control character"))
    if ipv6:
        return _parse_ipv6(text, host)
    bad = _ASCII_BAD.search(host)
    if bad:
        raise _invalid(text, _("%(char)s is not allowed in a host name",
                                char=repr(bad.group())))
    if not host.isascii() or any(label[:4].lower() == "xn--" for label in host.split(".")):
        host = _to_ascii(text, host)
    else:
        host = host.lower()
    if _ends_in_number(host):
        return _parse_ipv4(text, host)
    host = host.removesuffix(".")
    _check_dns_shape(text, host)
    return host


def is_ip_address(host: str) -> bool:
    """Whether `host` is an IPv4 or IPv6 address (False for anything that is not a valid host)."""
    try:
        host = normalize_host(host)
    except ValueError:
        return False
    return host.startswith("[") or host.rsplit(".", 1)[-1].isdigit()


def is_single_label(host: str) -> bool:
    """Whether `host` is a name of one label, like `localhost` (False for IPs and invalid hosts)."""
    try:
        host = normalize_host(host)
    except ValueError:
        return False
    return "." not in host and not host.startswith("[")


def _is_name(host: str) -> bool:
    """For a normalised host: a name of two labels or more (not an IP address)."""
    return "." in host and not host.startswith("[") and not host.rsplit(".", 1)[-1].isdigit()


@cache
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


@cache
def _icann_psl() -> PublicSuffixList:
    return PublicSuffixList(only_icann=True)


def registrable_domain(host: str) -> str | None:
    """The registrable domain (eTLD+1) of `host`, by the whole Public Suffix List.

    None when the host is itself a public suffix (of either section), an IP address or a single
    label. Private-section suffixes count here as browsers count them: `alice.github.io` is its
    own registrable domain. ValueError if the host is invalid.
    """
    host = normalize_host(host)
    if not _is_name(host):
        return None
    return _psl().privatesuffix(host)


def is_public_suffix(host: str) -> bool:
    """Whether `host` is a public suffix of the ICANN section (`com`, `co.uk`; not `github.io`).

    A top-level domain the list does not know counts as a public suffix, as the list's default
    rule says. ValueError if the host is invalid.
    """
    host = normalize_host(host)
    if host.startswith("[") or host.rsplit(".", 1)[-1].isdigit():
        return False
    return _icann_psl().is_public(host)


def match_host(host: str, hosts: Mapping[str, str]) -> str | None:
    """The slug of the longest listed host that `host` is or is under, or None.

    `hosts` maps normalised hosts to slugs. IP addresses and single labels never match.
    ValueError if `host` is not a valid host.
    """
    host = normalize_host(host)
    if not _is_name(host):
        return None
    labels = host.split(".")
    for start in range(len(labels) - 1):
        slug = hosts.get(".".join(labels[start:]))
        if slug is not None:
            return slug
    return None


def check_listable(host: str) -> str:
    """The normalised host, if a curator may list it; ValueError with the reason if not."""
    normalised = normalize_host(host)
    if is_ip_address(normalised):
        raise ValueError(_("%(host)s is an IP address; only host names can be listed",
                           host=_shown(normalised)))
    if "." not in normalised:
        # A top-level domain the list names gets the more telling message.
        if _icann_psl().is_public(normalised, accept_unknown=False):
            raise _public_suffix(normalised)
        raise ValueError(_("%(host)s is a single label; list a full name such as 'example.com'",
                           host=_shown(normalised)))
    if is_public_suffix(normalised):
        raise _public_suffix(normalised)
    return normalised


def _public_suffix(host: str) -> ValueError:
    return ValueError(_("%(host)s is a public suffix (ICANN section of the Public Suffix List) "
                        "shared by unrelated owners; list a domain under it instead",
                        host=_shown(host)))


# --- rules: plain, exact-host and path-prefix -----------------------------------------------------

SUBDOMAINS = "subdomains"
EXACT = "exact"
SCOPES = (SUBDOMAINS, EXACT)
MAX_PATH_LENGTH = 200
# What a path prefix may hold: unreserved characters, sub-delimiters, ':', '@' and '/'. No '%',
# so a prefix has one spelling, and no character a browser would percent-encode: whether a URL's
# path starts with the prefix then does not depend on how the URL spelt its other characters.
_PATH_CHARS = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/]*")
_SINGLE_DOT = (".", "%2e")
_DOUBLE_DOT = ("..", ".%2e", "%2e.", "%2e%2e")
_TAB_NEWLINE = re.compile(r"[\t\n\r]")


@dataclass(frozen=True, slots=True)
class Rule:
    """One listed rule, and what a match answers: which rule of which platform matched.

    `scope` is "subdomains" (the host and every subdomain) or "exact" (that host only); `path` is
    "" (any path) or a prefix such as "/search" that the URL's path must start with, at a segment
    boundary, on the host or any subdomain (a path rule is never exact). `host` is normalised.
    """

    host: str
    slug: str
    scope: str = SUBDOMAINS
    path: str = ""

    @property
    def plain(self) -> bool:
        """Whether this is a plain rule: the host and its subdomains, any path."""
        return self.scope == SUBDOMAINS and not self.path

    def entry(self) -> str | dict[str, str]:
        """The rule as the dataset's `domains` lists it: a host string, or an object."""
        if self.plain:
            return self.host
        item = {"host": self.host}
        if self.scope != SUBDOMAINS:
            item["scope"] = self.scope
        if self.path:
            item["path"] = self.path
        return item

    def index_entry(self) -> dict[str, str]:
        """The rule as the index's `rules` lists it (plain rules go to `hosts` instead)."""
        item = {"host": self.host, "slug": self.slug}
        if self.scope != SUBDOMAINS:
            item["scope"] = self.scope
        if self.path:
            item["path"] = self.path
        return item

    def sort_key(self) -> tuple[str, str, str]:
        return (self.host, self.path, self.scope)


def check_path(path: str) -> str:
    """A path prefix a curator may list, unchanged; ValueError with the reason if not.

    It starts with '/', is not '/' alone (that is the whole host: leave the path out), does not
    end with '/', has no empty, '.' or '..' segment, and holds only `A-Z a-z 0-9 - . _ ~ ! $ & ' (
    ) * + , ; = : @ /`, at most 200 characters.
    """
    if not isinstance(path, str):
        raise ValueError(_("a path must be text, not %(type)s", type=type(path).__name__))
    if not path.startswith("/"):
        raise ValueError(_("the path %(path)s must start with '/'", path=_shown(path)))
    if path == "/":
        raise ValueError(_("the path '/' is the whole host; leave the path out"))
    if len(path) > MAX_PATH_LENGTH:
        raise ValueError(_("the path is %(length)s characters long, over %(max)s",
                           length=len(path), max=MAX_PATH_LENGTH))
    if not _PATH_CHARS.fullmatch(path):
        bad = next(ch for ch in path if not _PATH_CHARS.fullmatch(ch))
        raise ValueError(_("%(char)s is not allowed in a path prefix (write characters as "
                           "themselves, without '%%', '?' or '#')", char=repr(bad)))
    if path.endswith("/"):
        raise ValueError(_("the path %(path)s ends with '/'; write %(prefix)s: a prefix always "
                           "matches whole segments", path=_shown(path),
                           prefix=_shown(path.rstrip("/"))))
    for segment in path[1:].split("/"):
        if segment == "":
            raise ValueError(_("the path %(path)s has an empty segment ('//')", path=_shown(path)))
        if segment in (".", ".."):
            raise ValueError(_("the path %(path)s has a %(segment)s segment", path=_shown(path),
                               segment=repr(segment)))
    return path


def check_rule(host: str, scope: str = SUBDOMAINS, path: str = "") -> tuple[str, str, str]:
    """(normalised host, scope, path) if a curator may list this rule; ValueError if not.

    A rule is plain (the host and its subdomains), exact (that host only) or has a path (the
    host and its subdomains, under that path): exact with a path is refused.
    """
    if scope not in SCOPES:
        raise ValueError(_("the scope %(scope)s is not one of %(scopes)s", scope=_shown(str(scope)),
                           scopes=", ".join(SCOPES)))
    host = check_listable(host)
    if path != "":
        check_path(path)
        if scope == EXACT:
            raise ValueError(_("a rule is either exact (that host only) or has a path (the host "
                               "and its subdomains, under that path), not both"))
    return host, scope, path


def rule_from_entry(entry: str | Mapping[str, str], slug: str) -> Rule:
    """The Rule for one item of a platform's `domains` (a host string or an object), checked.

    The host must already be normalised; ValueError says what is wrong otherwise.
    """
    if isinstance(entry, str):
        host, scope, path = entry, SUBDOMAINS, ""
    elif isinstance(entry, Mapping):
        unknown = set(entry) - {"host", "scope", "path"}
        if unknown:
            raise ValueError(_("unknown keys in a domain rule: %(keys)s",
                               keys=", ".join(sorted(unknown))))
        host = entry.get("host")
        scope = entry.get("scope", SUBDOMAINS)
        path = entry.get("path", "")
        if not isinstance(host, str):
            raise ValueError(_("a domain rule needs a 'host'"))
    else:
        raise ValueError(_("a domain rule is a host or an object, not %(type)s",
                           type=type(entry).__name__))
    listed, scope, path = check_rule(host, scope, path)
    if listed != host:
        raise ValueError(_("%(host)s: write it as %(listed)s", host=_shown(host), listed=listed))
    return Rule(listed, slug, scope, path)


def _index_rule(item: Rule | Mapping[str, str]) -> Rule:
    if isinstance(item, Rule):
        return item
    slug = item.get("slug")
    if not isinstance(slug, str) or not slug:
        raise ValueError(_("the rule %(rule)s has no slug", rule=repr(item)))
    return rule_from_entry({k: v for k, v in item.items() if k != "slug"}, slug)


def _resolve_dots(path: str) -> str:
    """A path with its '.' and '..' segments resolved, as a browser's URL parser does."""
    segments = path[1:].split("/")
    out: list[str] = []
    last = len(segments) - 1
    for i, segment in enumerate(segments):
        lowered = segment.lower()
        if lowered in _DOUBLE_DOT:
            if out:
                out.pop()
            if i == last:
                out.append("")
        elif lowered in _SINGLE_DOT:
            if i == last:
                out.append("")
        else:
            out.append(segment)
    return "/" + "/".join(out)


def url_path(text: str) -> str | None:
    """The path of a URL as a browser's URL parser gives it, for matching path rules.

    None when `text` is only a host (with or without a port): then no path is known. A URL with
    no path has the path '/'. Backslashes count as '/', tabs and newlines are dropped, '.' and '..'
    segments are resolved; percent-encoding is left as it is. The host is not checked here.
    """
    s = text.strip(" \t\n\r\f")
    scheme = _SCHEME.match(s)
    is_url = scheme is not None or s.startswith("//")
    s = s[scheme.end() :] if scheme else s[2:] if is_url else s
    end = _AUTHORITY_END.search(s)
    if end is None:
        return "/" if is_url else None
    rest = _TAB_NEWLINE.sub("", s[end.start() :])
    for mark in ("?", "#"):
        rest = rest.split(mark, 1)[0]
    rest = rest.replace("\\", "/")
    if rest == "":
        return "/"
    return _resolve_dots(rest)


def _path_matches(prefix: str, path: str) -> bool:
    return path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/")


class _HostRules:
    """The rules of one listed host for itself and its subdomains, in the order they are tried."""

    __slots__ = ("paths", "plain")

    def __init__(self) -> None:
        self.paths: list[Rule] = []  # longest prefix first
        self.plain: Rule | None = None

    def add(self, rule: Rule) -> None:
        if rule.path:
            self.paths.append(rule)
            self.paths.sort(key=lambda r: (-len(r.path), r.path))
        else:
            self.plain = rule

    def find(self, path: str | None) -> Rule | None:
        if path is not None:
            for rule in self.paths:
                if _path_matches(rule.path, path):
                    return rule
        return self.plain


class HostRules:
    """Compiled rules: the index's `hosts` (plain rules) and `rules` (exact and path rules).

    Matching, most specific first: an exact rule for the full host; then, from the full host
    down to two labels, each listed host's path rules (the longest matching prefix first) and
    then its plain rule. Path rules apply only when the path is known (a URL, not a bare host).
    IP addresses and single labels never match; no substring ever does.
    """

    def __init__(
        self,
        hosts: Mapping[str, str] | None = None,
        rules: Iterable[Rule | Mapping[str, str]] = (),
    ):
        self._exact: dict[str, Rule] = {}
        self._subdomains: dict[str, _HostRules] = {}
        self._listed: dict[tuple[str, str], Rule] = {}
        for host, slug in (hosts or {}).items():
            self.add(Rule(host, slug))
        for item in rules:
            self.add(_index_rule(item))

    @classmethod
    def from_index(cls, index: Mapping) -> HostRules:
        return cls(index.get("hosts") or {}, index.get("rules") or ())

    def add(self, rule: Rule) -> None:
        """Add one rule; ValueError if its host and path are listed already (in either scope)."""
        clash = self._listed.get((rule.host, rule.path))
        if clash is not None:
            raise ValueError(_("%(rule)s is listed twice (%(first)s, %(second)s)",
                               rule=f"{rule.host}{rule.path}", first=clash.slug,
                               second=rule.slug))
        if rule.scope == EXACT and rule.path:
            raise ValueError(_("%(rule)s: an exact rule has no path",
                               rule=f"{rule.host}{rule.path}"))
        self._listed[(rule.host, rule.path)] = rule
        if rule.scope == EXACT:
            self._exact[rule.host] = rule
        else:
            self._subdomains.setdefault(rule.host, _HostRules()).add(rule)

    def rules(self) -> list[Rule]:
        """Every rule, sorted by host, path and scope."""
        return sorted(self._listed.values(), key=Rule.sort_key)

    def match(self, host_or_url: str, *, host_only: bool = False) -> Rule | None:
        """The rule that `host_or_url` falls under, or None; ValueError if it has no valid host.

        A bare host (`www.google.com`), or `host_only=True`, is a lookup by host alone: path
        rules do not apply. A URL's path is compared as `url_path` gives it.
        """
        host = normalize_host(host_or_url)
        if not _is_name(host):
            return None
        exact = self._exact.get(host)
        if exact is not None:
            return exact
        path = None if host_only else url_path(host_or_url)
        labels = host.split(".")
        for start in range(len(labels) - 1):
            listed = self._subdomains.get(".".join(labels[start:]))
            if listed is not None:
                rule = listed.find(path)
                if rule is not None:
                    return rule
        return None


def match(
    host_or_url: str,
    hosts: Mapping[str, str] | None = None,
    rules: Iterable[Rule | Mapping[str, str]] = (),
    *,
    host_only: bool = False,
) -> Rule | None:
    """The rule (with its slug) that a host or URL falls under, by `HostRules`; None if none.

    For many lookups build a `HostRules` once instead. ValueError if the host is not valid or a
    rule is malformed.
    """
    return HostRules(hosts, rules).match(host_or_url, host_only=host_only)


def preview(
    rules: HostRules | Iterable[Rule | Mapping[str, str]], urls: Iterable[str]
) -> list[tuple[str, str | None]]:
    """For each example URL, the slug of the platform the rules give it, or None.

    For the curator form's preview: a URL that is not valid, or that nothing matches, gives None.
    """
    compiled = rules if isinstance(rules, HostRules) else HostRules(None, rules)
    answers = []
    for url in urls:
        try:
            rule = compiled.match(url)
        except ValueError:
            rule = None
        answers.append((url, rule.slug if rule else None))
    return answers
