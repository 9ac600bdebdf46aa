// extension/lib/match.js against the shared vectors (tests/vectors/hosts.json), which
// tests/test_domains.py runs against server/domains.py.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';

import { isIpAddress, matchHost, matchUrl, normalizeHost, urlPath } from '../../extension/lib/match.js';

const vectors = JSON.parse(readFileSync(new URL('../vectors/hosts.json', import.meta.url), 'utf8'));

test('the vectors are plentiful and well formed', () => {
  assert.ok(vectors.cases.length >= 70);
  for (const c of [...vectors.cases, ...vectors.normalize]) {
    assert.equal(typeof c.input, 'string');
    assert.equal(
      Number('expected' in c) + Number('normalized' in c) + Number(c.error === true),
      1,
      JSON.stringify(c),
    );
  }
});

test('every listed host in the vectors is already normalised', () => {
  for (const host of Object.keys(vectors.hosts)) assert.equal(normalizeHost(host), host);
});

for (const c of vectors.cases) {
  const name = `match ${JSON.stringify(c.input)}${c.note ? ` (${c.note})` : ''}`;
  test(name, () => {
    if (c.error) {
      assert.throws(() => normalizeHost(c.input), Error);
      assert.equal(matchHost(c.input, vectors.hosts), null, 'matchHost never throws');
    } else {
      assert.equal(matchHost(c.input, vectors.hosts), c.expected);
    }
  });
}

for (const c of vectors.normalize) {
  test(`normalize ${JSON.stringify(c.input)}`, () => {
    if (c.error) {
      assert.throws(() => normalizeHost(c.input), (error) => error instanceof Error && error.message.length > 0);
    } else {
      const host = normalizeHost(c.input);
      assert.equal(host, c.normalized);
      assert.equal(normalizeHost(host), host, 'normalising twice changes nothing');
    }
  });
}

test('error messages say what is wrong', () => {
  assert.throws(() => normalizeHost('a..b'), /empty label/);
  assert.throws(() => normalizeHost(`${'x'.repeat(64)}.com`), /64 characters, over 63/);
  assert.throws(() => normalizeHost('face book.com'), /whitespace/);
  assert.throws(() => normalizeHost('example.com:99999'), /port/);
  assert.throws(() => normalizeHost(''), /empty/);
});

test('matchHost returns null, never throws, on odd input', () => {
  for (const input of [undefined, null, 42, {}, [], 'about:blank', 'chrome://extensions/', 'file:///etc/hosts', 'data:text/html,hi']) {
    assert.equal(matchHost(input, vectors.hosts), null);
  }
  assert.equal(matchHost('facebook.com', null), null);
});

test('inherited object keys are not listed hosts', () => {
  assert.equal(matchHost('constructor.toString', {}), null);
  assert.equal(matchHost('a.__proto__.com', { 'x.com': 'x' }), null);
  assert.equal(matchHost('hasownproperty.com', {}), null);
});

test('isIpAddress', () => {
  assert.equal(isIpAddress('127.0.0.1'), true);
  assert.equal(isIpAddress('0x7f.1'), true);
  assert.equal(isIpAddress('http://[::1]:8080/'), true);
  assert.equal(isIpAddress('facebook.com'), false);
  assert.equal(isIpAddress('localhost'), false);
  assert.equal(isIpAddress('1.2.3.4.5'), false);
  assert.equal(isIpAddress(''), false);
});

// --- rules with scopes: the vectors' "rules" section, as tests/test_domains.py runs it --------

const ruleVectors = vectors.rules;
const ruleIndex = { hosts: ruleVectors.hosts, rules: ruleVectors.rules };

test('the rule vectors are plentiful and well formed', () => {
  assert.ok(ruleVectors.cases.length >= 70);
  for (const c of ruleVectors.cases) {
    assert.equal(typeof c.input, 'string');
    assert.notEqual('expected' in c, c.error === true, JSON.stringify(c));
    assert.equal('rule' in c, Boolean(c.expected), JSON.stringify(c));
  }
});

for (const c of ruleVectors.cases) {
  const options = c.host_only ? { hostOnly: true } : undefined;
  const name = `matchUrl ${JSON.stringify(c.input)}${c.host_only ? ' (host only)' : ''}${c.note ? ` (${c.note})` : ''}`;
  test(name, () => {
    const found = matchUrl(c.input, ruleIndex, options);
    if (c.error || c.expected === null) {
      assert.equal(found, null);
      if (c.error) assert.throws(() => normalizeHost(c.input), Error);
      return;
    }
    assert.deepEqual(found, { slug: c.expected, ...c.rule });
  });
}

for (const c of ruleVectors.paths) {
  test(`urlPath ${JSON.stringify(c.input)}`, () => {
    assert.equal(urlPath(c.input), c.path);
  });
}

for (const c of ruleVectors.invalid_rules) {
  test(`a malformed rule is skipped: ${c.note}`, () => {
    assert.equal(matchUrl(c.probe, { hosts: {}, rules: [c.rule] }), null);
    // The same rule with a valid path and host would match: the probe is a fair one.
    const fixed = { host: 'example.org', slug: 'x', scope: 'exact' };
    assert.equal(matchUrl('https://example.org/', { hosts: {}, rules: [c.rule, fixed] })?.slug, 'x');
  });
}

test('the rules are read from the index as given and compiled once', () => {
  const rules = [{ host: 'www.google.com', slug: 'google-search', path: '/search' }];
  const index = { hosts: { 'google.com': 'google' }, rules };
  const first = matchUrl('https://www.google.com/search?q=1', index);
  assert.equal(first.slug, 'google-search');
  assert.ok(Object.isFrozen(first), 'a listed rule cannot be changed by a caller');
  assert.equal(matchUrl('https://www.google.com/search', index), first, 'the same rule object');
  assert.deepEqual(matchUrl('https://www.google.com/maps', index),
    { slug: 'google', host: 'google.com', scope: 'subdomains', path: '' });
  // A new rules array (a new index after a sync) is read afresh.
  const next = { hosts: {}, rules: [{ host: 'www.google.com', slug: 'other', path: '/search' }] };
  assert.equal(matchUrl('https://www.google.com/search', next).slug, 'other');
});

test('a host and path listed twice: the first rule counts', () => {
  const rules = [
    { host: 'google.com', slug: 'a', path: '/search' },
    { host: 'google.com', slug: 'b', path: '/search' },
  ];
  assert.equal(matchUrl('https://google.com/search', { hosts: {}, rules }).slug, 'a');
});

test('matchUrl returns null, never throws, on odd input or an odd index', () => {
  for (const input of [undefined, null, 42, {}, [], 'about:blank', 'chrome://extensions/', 'file:///etc/hosts', 'https:///x']) {
    assert.equal(matchUrl(input, ruleIndex), null);
  }
  for (const index of [null, undefined, 42, 'x', {}, { hosts: null }, { rules: 'x' }, { rules: [null, 1, 'a', {}] }]) {
    assert.equal(matchUrl('https://www.google.com/search', index), null);
  }
  assert.equal(matchUrl('https://constructor.toString/x', { hosts: {}, rules: [] }), null);
  assert.equal(matchUrl('https://a.__proto__.com/', { hosts: { 'x.com': 'x' } }), null);
});

test('matchHost keeps its answer: the slug of the plain rules, paths and rules aside', () => {
  assert.equal(matchHost('https://www.google.com/search', { 'google.com': 'google-search' }), 'google-search');
  assert.equal(matchHost('https://aws.amazon.com/', ruleVectors.hosts), null);
  for (const c of vectors.cases) {
    if (!c.error) assert.equal(matchUrl(c.input, { hosts: vectors.hosts })?.slug ?? null, c.expected);
  }
});
