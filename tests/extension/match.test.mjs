// extension/lib/match.js against the shared vectors (tests/vectors/hosts.json), which
// tests/test_domains.py runs against server/domains.py.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';

import { isIpAddress, matchHost, normalizeHost } from '../../extension/lib/match.js';

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
