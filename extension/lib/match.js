// Host normalisation and matching: the same rules as server/domains.py, held together by the
// vectors in tests/vectors/hosts.json. Plain ES module with no dependencies, so it runs in the
// service worker, in content scripts and under `node --test`.
//
// International names go through the platform's URL parser (UTS #46, non-transitional), so the
// result is what the browser itself shows as the tab's host. Plain ASCII names take a shorter
// path that gives the same answer without building a URL.

export const MAX_HOST_LENGTH = 253;
export const MAX_LABEL_LENGTH = 63;
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

function shown(text) {
  return JSON.stringify(text.length <= 80 ? text : text.slice(0, 77) + '...');
}

function invalid(text, reason) {
  return new Error(`${shown(text)} is not a valid host: ${reason}`);
}

function codePointLength(text) {
  let n = 0;
  for (const _ of text) n += 1; // eslint-disable-line no-unused-vars
  return n;
}

// --- splitting a URL or host string ---------------------------------------------------------

function checkPort(text, port) {
  if (!PORT.test(port)) throw invalid(text, `the port ${JSON.stringify(port.slice(0, 10))} is not a number`);
  if (port && Number(port) > 65535) throw invalid(text, `the port ${port.slice(0, 10)} is over 65535`);
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
    if (rest && !rest.startsWith(':')) throw invalid(text, `unexpected ${JSON.stringify(rest.slice(0, 10))} after ']'`);
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
  if (host.length > MAX_HOST_LENGTH) throw invalid(text, `it is ${host.length} characters long, over ${MAX_HOST_LENGTH}`);
  for (const label of host.split('.')) {
    if (label === '') throw invalid(text, 'it has an empty label (two dots in a row, or a leading dot)');
    if (label.length > MAX_LABEL_LENGTH) {
      throw invalid(text, `the label ${shown(label)} is ${label.length} characters, over ${MAX_LABEL_LENGTH}`);
    }
    if (!LABEL.test(label)) {
      const bad = ASCII_BAD.exec(label);
      if (bad) throw invalid(text, `${JSON.stringify(bad[0])} is not allowed in a host name`);
      throw invalid(text, `the label ${JSON.stringify(label)} starts or ends with a hyphen`);
    }
  }
}

// --- public API -----------------------------------------------------------------------------

/**
 * The normalised host of a host name or URL: lower case, ASCII (Punycode), no port or trailing
 * dot. IPv4 addresses come back dotted-decimal, IPv6 addresses in brackets. Throws an Error
 * saying why when the input is not a valid host.
 */
export function normalizeHost(text) {
  if (typeof text !== 'string') throw new Error(`a host must be text, not ${text === null ? 'null' : typeof text}`);
  if (text.replace(EDGE_SPACE, '') === '') throw new Error('the host is empty');
  let { host, ipv6 } = split(text);
  if (host === '') throw invalid(text, 'it has no host name');
  if (host.length > MAX_INPUT_LENGTH && codePointLength(host) > MAX_INPUT_LENGTH) {
    throw invalid(text, `it is ${codePointLength(host)} characters long, over ${MAX_HOST_LENGTH}`);
  }
  if (WHITESPACE.test(host)) throw invalid(text, 'it contains whitespace or a control character');
  if (ipv6) return parseIpv6(text, host);
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
 * normalised hosts to slugs (the index's `hosts`). IP addresses, single labels and anything
 * that is not a valid host give null: an odd tab must never break the extension.
 */
export function matchHost(hostOrUrl, hosts) {
  let host;
  try {
    host = normalizeHost(hostOrUrl);
  } catch {
    return null;
  }
  if (isNormalIp(host) || !hosts) return null;
  let dot = host.indexOf('.');
  if (dot < 0) return null;
  let candidate = host;
  while (dot >= 0) {
    if (Object.prototype.hasOwnProperty.call(hosts, candidate)) {
      const slug = hosts[candidate];
      if (typeof slug === 'string') return slug;
    }
    candidate = candidate.slice(dot + 1);
    dot = candidate.indexOf('.');
  }
  return null;
}
