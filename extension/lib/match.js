// Host normalisation and matching: the same rules as server/domains.py, held together by the
// vectors in tests/vectors/hosts.json. Plain ES module with no dependencies, so it runs in the
// service worker, in content scripts and under `node --test`.
//
// International names go through the platform's URL parser (UTS #46, non-transitional), so the
// result is what the browser itself shows as the tab's host. Plain ASCII names take a shorter
// path that gives the same answer without building a URL.

const MAX_HOST_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
// Before any mapping; longer input is refused outright (as on the server).
const MAX_INPUT_LENGTH = 1024;

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const AUTHORITY_END = /[/?#\\]/;
const PORT = /^[0-9]*$/;
const EDGE_SPACE = /^[ \t\n\r\f]+|[ \t\n\r\f]+$/g;
// Control characters, the space, and the other White_Space code points: named in the message.
const WHITESPACE = /[\x00-\x20\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
// ASCII other than letters, digits, dot, hyphen and underscore (non-ASCII goes to IDNA).
const ASCII_BAD = /[^A-Za-z0-9._\-\u0080-\uffff]/;
const NON_ASCII = /[^\x00-\x7f]/;
const PUNYCODE_LABEL = /(^|\.)xn--/i;
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/;
const IPV6_CHARS = /^[0-9A-Fa-f:.]*$/;
const DIGITS = /^[0-9]+$/;
const OCTAL = /^[0-7]+$/;
const HEX = /^[0-9A-Fa-f]+$/;
const IPV4 = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
// The common case, checked in one pass: an ASCII name of valid labels, any case, one optional
// trailing dot, bare or after http(s)://, then the end or a path, query or fragment. Its last
// label must not look like a number (that is the IPv4 path).
const PLAIN_LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?';
const PLAIN_URL = new RegExp(`^(?:https?://)?((?:${PLAIN_LABEL}\\.)*${PLAIN_LABEL}\\.?)(?:[/?#\\\\]|$)`);
const NUMBER_LIKE = /(?:^|\.)(?:[0-9]+|0[xX][0-9A-Fa-f]*)\.?$/;

function shown(text) {
  return JSON.stringify(text.length <= 80 ? text : text.slice(0, 77) + '...');
}

function invalid(text, reason) {
  return new Error(`${shown(text)} is not a valid host: ${reason}`);
}

// --- splitting a URL or host string ---------------------------------------------------------

function checkPort(text, port) {
  if (!PORT.test(port)) {
    throw invalid(text, `the port ${JSON.stringify(port.slice(0, 10))} is not a number`);
  }
  if (port && Number(port) > 65535) {
    throw invalid(text, `the port ${port.slice(0, 10)} is over 65535`);
  }
}

function split(text) {
  let s = text.replace(EDGE_SPACE, '');
  const scheme = SCHEME.exec(s);
  if (scheme) s = s.slice(scheme[0].length);
  else if (s.startsWith('//')) s = s.slice(2);
  const end = s.search(AUTHORITY_END);
  const authority = end < 0 ? s : s.slice(0, end);
  const hostport = authority.slice(authority.lastIndexOf('@') + 1);

  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    if (close < 0) throw invalid(text, "'[' without a closing ']'");
    const rest = hostport.slice(close + 1);
    if (rest && !rest.startsWith(':')) {
      throw invalid(text, `unexpected ${JSON.stringify(rest.slice(0, 10))} after ']'`);
    }
    checkPort(text, rest.slice(1));
    return { host: hostport.slice(1, close), ipv6: true };
  }
  if (hostport.split(':').length > 2) return { host: hostport, ipv6: true }; // IPv6 without brackets
  const colon = hostport.indexOf(':');
  if (colon < 0) return { host: hostport, ipv6: false };
  checkPort(text, hostport.slice(colon + 1));
  return { host: hostport.slice(0, colon), ipv6: false };
}

// --- IP addresses, as the WHATWG URL standard parses them ----------------------------------

function ipv4Number(part) {
  let radix = 10;
  let digits = DIGITS;
  if (part.length >= 2 && (part.startsWith('0x') || part.startsWith('0X'))) {
    part = part.slice(2);
    radix = 16;
    digits = HEX;
  } else if (part.length >= 2 && part[0] === '0') {
    part = part.slice(1);
    radix = 8;
    digits = OCTAL;
  }
  if (part === '') return 0;
  if (!digits.test(part)) return null;
  return parseInt(part, radix);
}

function endsInNumber(host) {
  const parts = host.split('.');
  if (parts[parts.length - 1] === '') {
    if (parts.length === 1) return false;
    parts.pop();
  }
  const last = parts[parts.length - 1];
  if (DIGITS.test(last)) return true;
  return last !== '' && ipv4Number(last) !== null;
}

function parseIpv4(text, host) {
  const parts = host.split('.');
  if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
  const notIpv4 = () => invalid(text, 'it ends in a number but is not an IPv4 address');
  if (parts.length > 4) throw notIpv4();
  const numbers = parts.map((part) => (part === '' ? null : ipv4Number(part)));
  if (numbers.includes(null)) throw notIpv4();
  const last = numbers[numbers.length - 1];
  if (numbers.slice(0, -1).some((n) => n > 255) || last >= 256 ** (5 - numbers.length)) {
    throw invalid(text, 'an IPv4 address part is out of range');
  }
  let address = last;
  numbers.slice(0, -1).forEach((n, i) => { address += n * 256 ** (3 - i); });
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}

function parseIpv6(text, inner) {
  if (IPV6_CHARS.test(inner)) {
    try {
      return new URL(`http://[${inner}]/`).hostname;
    } catch {
      // reported below
    }
  }
  throw invalid(text, 'not a valid IPv6 address');
}

// --- the checks every name must pass --------------------------------------------------------

function checkDnsShape(text, host) {
  if (host === '') throw invalid(text, 'it is empty');
  if (host.length > MAX_HOST_LENGTH) {
    throw invalid(text, `it is ${host.length} characters long, over ${MAX_HOST_LENGTH}`);
  }
  for (const label of host.split('.')) {
    if (label === '') {
      throw invalid(text, 'it has an empty label (two dots in a row, or a leading dot)');
    }
    if (label.length > MAX_LABEL_LENGTH) {
      const size = `${label.length} characters, over ${MAX_LABEL_LENGTH}`;
      throw invalid(text, `the label ${shown(label)} is ${size}`);
    }
    if (!LABEL.test(label)) {
      const bad = ASCII_BAD.exec(label);
      if (bad) throw invalid(text, `${JSON.stringify(bad[0])} is not allowed in a host name`);
      throw invalid(text, `the label ${JSON.stringify(label)} starts or ends with a hyphen`);
    }
  }
}

// --- the full path ---------------------------------------------------------------------------

// What normalizeHost answers, for any input; throws an Error saying why it is not a host.
function normalizeAnyHost(text) {
  if (typeof text !== 'string') {
    throw new Error(`a host must be text, not ${text === null ? 'null' : typeof text}`);
  }
  if (text.replace(EDGE_SPACE, '') === '') throw new Error('the host is empty');
  const parts = split(text);
  let { host } = parts;
  if (host === '') throw invalid(text, 'it has no host name');
  // Counted in code points, as on the server.
  if (host.length > MAX_INPUT_LENGTH && [...host].length > MAX_INPUT_LENGTH) {
    throw invalid(text, `it is ${[...host].length} characters long, over ${MAX_HOST_LENGTH}`);
  }
  if (WHITESPACE.test(host)) throw invalid(text, 'it contains whitespace or a control character');
  if (parts.ipv6) return parseIpv6(text, host);
  const bad = ASCII_BAD.exec(host);
  if (bad) throw invalid(text, `${JSON.stringify(bad[0])} is not allowed in a host name`);
  if (NON_ASCII.test(host) || PUNYCODE_LABEL.test(host)) {
    try {
      host = new URL(`http://${host}/`).hostname;
    } catch {
      throw invalid(text, 'it is not a valid international name');
    }
  } else {
    host = host.toLowerCase();
  }
  if (endsInNumber(host)) return parseIpv4(text, host);
  if (host.endsWith('.')) host = host.slice(0, -1);
  checkDnsShape(text, host);
  return host;
}

// --- the short path --------------------------------------------------------------------------

// The normalised host when `text` is a plain ASCII name, bare or in an http(s) URL without
// userinfo or port (what tabs mostly hold), else null. It gives what normalizeAnyHost gives,
// only sooner.
function plainHost(text) {
  if (typeof text !== 'string') return null;
  const found = PLAIN_URL.exec(text);
  if (found === null) return null;
  const host = found[1];
  if (NUMBER_LIKE.test(host)) return null;
  const name = (host.endsWith('.') ? host.slice(0, -1) : host).toLowerCase();
  if (name.length > MAX_HOST_LENGTH) return null;
  if (PUNYCODE_LABEL.test(name)) {
    for (const label of name.split('.')) {
      if (label.startsWith('xn--') && !isPlainPunycodeLabel(label)) return null;
    }
  }
  return name;
}

// Punycode labels seen before, and whether each is valid on its own and free of right-to-left
// text. Such a label is valid in any name of ASCII labels, so the URL parser need not see the
// whole name again; right-to-left text brings in the Bidi rule, which looks at every label, so
// names holding it always take the full path. Cleared when full: a few labels (top-level domains
// such as xn--p1ai) make up most of what is seen.
const plainPunycodeLabels = new Map();
const MAX_REMEMBERED_LABELS = 2000;

function isPlainPunycodeLabel(label) {
  let plain = plainPunycodeLabels.get(label);
  if (plain === undefined) {
    const codePoints = decodePunycode(label.slice(4));
    plain = codePoints !== null && !codePoints.some(isRightToLeftBlock) && urlKeepsLabel(label);
    if (plainPunycodeLabels.size >= MAX_REMEMBERED_LABELS) plainPunycodeLabels.clear();
    plainPunycodeLabels.set(label, plain);
  }
  return plain;
}

function urlKeepsLabel(label) {
  try {
    return new URL(`http://${label}/`).hostname === label;
  } catch {
    return false;
  }
}

// The blocks that hold every character of Bidi_Class R, AL or AN (the Bidi rule's trigger).
function isRightToLeftBlock(cp) {
  return (cp >= 0x0590 && cp <= 0x08ff)
    || (cp >= 0xfb1d && cp <= 0xfdff)
    || (cp >= 0xfe70 && cp <= 0xfeff)
    || (cp >= 0x10800 && cp <= 0x10fff)
    || (cp >= 0x1e800 && cp <= 0x1efff);
}

// RFC 3492 decoding of the part after "xn--": the code points, or null if it is not Punycode.
function decodePunycode(input) {
  const BASE = 36;
  const T_MIN = 1;
  const T_MAX = 26;
  const MAX_INT = 0x7fffffff;
  const delimiter = input.lastIndexOf('-');
  const output = [];
  for (let j = 0; j < Math.max(delimiter, 0); j += 1) output.push(input.charCodeAt(j));
  let n = 128;
  let i = 0;
  let bias = 72;
  for (let at = delimiter > 0 ? delimiter + 1 : 0; at < input.length;) {
    const oldI = i;
    let w = 1;
    for (let k = BASE; ; k += BASE) {
      if (at >= input.length) return null;
      const c = input.charCodeAt(at);
      at += 1;
      let digit = BASE;
      if (c >= 0x30 && c <= 0x39) digit = c - 22;
      else if (c >= 0x61 && c <= 0x7a) digit = c - 0x61;
      if (digit >= BASE || digit > Math.floor((MAX_INT - i) / w)) return null;
      i += digit * w;
      const t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
      if (digit < t) break;
      if (w > Math.floor(MAX_INT / (BASE - t))) return null;
      w *= BASE - t;
    }
    const length = output.length + 1;
    let delta = oldI === 0 ? Math.floor((i - oldI) / 700) : Math.floor((i - oldI) / 2);
    delta += Math.floor(delta / length);
    let k = 0;
    while (delta > ((BASE - T_MIN) * T_MAX) >> 1) {
      delta = Math.floor(delta / (BASE - T_MIN));
      k += BASE;
    }
    bias = k + Math.floor(((BASE - T_MIN + 1) * delta) / (delta + 38));
    n += Math.floor(i / length);
    i %= length;
    if (n > 0x10ffff) return null;
    output.splice(i, 0, n);
    i += 1;
  }
  return output;
}

// --- public API -----------------------------------------------------------------------------

/**
 * The normalised host of a host name or URL: lower case, ASCII (Punycode), no port or trailing
 * dot. IPv4 addresses come back dotted-decimal, IPv6 addresses in brackets. Throws an Error
 * saying why when the input is not a valid host.
 */
export function normalizeHost(text) {
  return plainHost(text) ?? normalizeAnyHost(text);
}

function isNormalIp(host) {
  return host.startsWith('[') || IPV4.test(host);
}

/** Whether `host` is an IPv4 or IPv6 address (false for anything that is not a valid host). */
export function isIpAddress(host) {
  try {
    return isNormalIp(normalizeHost(host));
  } catch {
    return false;
  }
}

/**
 * The slug of the longest listed host that `hostOrUrl` is or is under, or null. `hosts` maps
 * normalised hosts to slugs (the index's `hosts`: plain rules only). IP addresses, single labels
 * and anything that is not a valid host give null: an odd tab must never break the extension.
 * For pages, use matchUrl(url, index): it also applies the index's exact and path rules and
 * says which rule matched.
 */
export function matchHost(hostOrUrl, hosts) {
  if (!hosts) return null;
  let host = plainHost(hostOrUrl); // never an IP address
  if (host === null) {
    try {
      host = normalizeAnyHost(hostOrUrl);
    } catch {
      return null;
    }
    if (isNormalIp(host)) return null;
  }
  let dot = host.indexOf('.');
  if (dot < 0) return null;
  let candidate = host;
  while (dot >= 0) {
    const slug = hosts[candidate];
    // Inherited members of Object.prototype are never strings; the own-property check is only
    // paid on a hit.
    if (typeof slug === 'string' && Object.prototype.hasOwnProperty.call(hosts, candidate)) {
      return slug;
    }
    candidate = candidate.slice(dot + 1);
    dot = candidate.indexOf('.');
  }
  return null;
}

// --- rules: plain, exact-host and path-prefix ----------------------------------------------
//
// The index holds `hosts: {host: slug}` (plain rules: the host and every subdomain, any path)
// and `rules: [{host, slug, scope: 'exact'} | {host, slug, path: '/search'}]` (the others). An
// exact rule is for that host only, any path; a path rule is for the host and its subdomains
// when the URL's path starts with the prefix at a segment boundary: '/search' matches '/search',
// '/search/about' and '/search?q=x', not '/searchengine'. As server/domains.py.

export const SUBDOMAINS = 'subdomains';
export const EXACT = 'exact';
const MAX_PATH_LENGTH = 200;
const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
const SINGLE_DOT = new Set(['.', '%2e']);
const DOUBLE_DOT = new Set(['..', '.%2e', '%2e.', '%2e%2e']);
const TAB_NEWLINE = /[\t\n\r]/g;
const QUERY_OR_FRAGMENT = /[?#]/;

// Whether `path` is a prefix a curator may list (server/domains.py check_path says why not).
function isListablePath(path) {
  if (typeof path !== 'string' || !path.startsWith('/') || path === '/') return false;
  if (path.length > MAX_PATH_LENGTH || !PATH_CHARS.test(path) || path.endsWith('/')) return false;
  return path.slice(1).split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

function resolveDots(path) {
  const segments = path.slice(1).split('/');
  const out = [];
  const last = segments.length - 1;
  segments.forEach((segment, i) => {
    const lowered = segment.toLowerCase();
    if (DOUBLE_DOT.has(lowered)) {
      out.pop();
      if (i === last) out.push('');
    } else if (SINGLE_DOT.has(lowered)) {
      if (i === last) out.push('');
    } else {
      out.push(segment);
    }
  });
  return `/${out.join('/')}`;
}

/**
 * The path of a URL as the browser's URL parser gives it, for matching path rules: null when
 * `text` is only a host (with or without a port), '/' for a URL without a path. Backslashes
 * count as '/', tabs and newlines are dropped, '.' and '..' segments are resolved,
 * percent-encoding is left as it is. The host is not checked here.
 */
export function urlPath(text) {
  if (typeof text !== 'string') return null;
  let s = text.replace(EDGE_SPACE, '');
  const scheme = SCHEME.exec(s);
  const isUrl = scheme !== null || s.startsWith('//');
  if (scheme) s = s.slice(scheme[0].length);
  else if (isUrl) s = s.slice(2);
  const end = s.search(AUTHORITY_END);
  if (end < 0) return isUrl ? '/' : null;
  let rest = s.slice(end).replace(TAB_NEWLINE, '');
  const cut = rest.search(QUERY_OR_FRAGMENT);
  if (cut >= 0) rest = rest.slice(0, cut);
  rest = rest.replaceAll('\\', '/');
  return rest === '' ? '/' : resolveDots(rest);
}

function pathMatches(prefix, path) {
  return path.startsWith(prefix) && (path.length === prefix.length || path[prefix.length] === '/');
}

// A valid rule of the index's `rules`, frozen, or null for anything malformed (skipped: an odd
// entry must never break the extension; the server refuses it before it gets here).
function readRule(item) {
  if (item === null || typeof item !== 'object') return null;
  const { host, slug } = item;
  const scope = item.scope ?? SUBDOMAINS;
  const path = item.path ?? '';
  if (typeof host !== 'string' || typeof slug !== 'string' || slug === '') return null;
  if (scope !== SUBDOMAINS && scope !== EXACT) return null;
  if (path !== '' && (scope === EXACT || !isListablePath(path))) return null;
  try {
    if (normalizeAnyHost(host) !== host || isNormalIp(host) || !host.includes('.')) return null;
  } catch {
    return null;
  }
  return Object.freeze({ slug, host, scope, path });
}

// The index's `rules`: {exact: Map host -> rule, subdomains: Map host -> {paths (longest
// first), plain}}. Compiled once per rules array.
const compiledRules = new WeakMap();
const NO_RULES = { exact: new Map(), subdomains: new Map() };

function compileRules(rules) {
  if (!Array.isArray(rules) || rules.length === 0) return NO_RULES;
  let compiled = compiledRules.get(rules);
  if (compiled) return compiled;
  compiled = { exact: new Map(), subdomains: new Map() };
  const seen = new Set();
  for (const item of rules) {
    const rule = readRule(item);
    if (rule === null) continue;
    const key = `${rule.host}${rule.path}`;
    if (seen.has(key)) continue; // listed twice: the first one counts
    seen.add(key);
    if (rule.scope === EXACT) {
      compiled.exact.set(rule.host, rule);
      continue;
    }
    let listed = compiled.subdomains.get(rule.host);
    if (!listed) {
      listed = { paths: [], plain: null };
      compiled.subdomains.set(rule.host, listed);
    }
    if (rule.path) listed.paths.push(rule);
    else listed.plain = rule;
  }
  for (const listed of compiled.subdomains.values()) {
    listed.paths.sort((a, b) => b.path.length - a.path.length || (a.path < b.path ? -1 : 1));
  }
  compiledRules.set(rules, compiled);
  return compiled;
}

function findRule(listed, path) {
  if (path !== null) {
    for (const rule of listed.paths) if (pathMatches(rule.path, path)) return rule;
  }
  return listed.plain;
}

/**
 * The rule that a page URL (or a host) falls under, with its platform, or null:
 * `{slug, host, scope, path}` where `host` is the listed host that matched, `scope` is
 * 'subdomains' or 'exact' and `path` the rule's path prefix ('' for none).
 *
 * `index` is the index (or any object with its `hosts` and, optionally, `rules`); it is read,
 * never changed, and its `rules` array is compiled once (do not change it in place). Most
 * specific first: an exact rule for the full host; then, from the full host down to two
 * labels, each listed host's path rules (the longest matching prefix first), then its plain
 * rule. A bare host, or `{hostOnly: true}`, is a lookup by host alone: path rules do not apply.
 * Never throws: IP addresses, single labels and invalid input give null.
 */
export function matchUrl(hostOrUrl, index, { hostOnly = false } = {}) {
  if (!index || typeof index !== 'object') return null;
  let host = plainHost(hostOrUrl); // never an IP address
  if (host === null) {
    try {
      host = normalizeAnyHost(hostOrUrl);
    } catch {
      return null;
    }
    if (isNormalIp(host)) return null;
  }
  let dot = host.indexOf('.');
  if (dot < 0) return null;
  const { exact, subdomains } = compileRules(index.rules);
  const exactRule = exact.size ? exact.get(host) : undefined;
  if (exactRule) return exactRule;
  const path = hostOnly ? null : urlPath(hostOrUrl);
  const hosts = index.hosts && typeof index.hosts === 'object' ? index.hosts : {};
  let candidate = host;
  while (dot >= 0) {
    if (subdomains.size) {
      const listed = subdomains.get(candidate);
      const rule = listed ? findRule(listed, path) : null;
      if (rule) return rule;
    }
    const slug = hosts[candidate];
    if (typeof slug === 'string' && Object.prototype.hasOwnProperty.call(hosts, candidate)) {
      return { slug, host: candidate, scope: SUBDOMAINS, path: '' };
    }
    candidate = candidate.slice(dot + 1);
    dot = candidate.indexOf('.');
  }
  return null;
}
