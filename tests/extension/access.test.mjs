import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  DYNAMIC_SCRIPT_ID,
  accessDiff,
  currentAccess,
  listedSites,
  rulePatterns,
  syncContentScripts,
} from '../../extension/lib/access.js';
import { readJson } from './helpers.mjs';

const INDEX = {
  hosts: { 'facebook.com': 'facebook', 'fb.com': 'facebook', 'grok.com': 'grok' },
  rules: [
    { host: 'www.amazon.com', slug: 'amazon', scope: 'exact' },
    { host: 'www.google.com', slug: 'google-search', path: '/search' },
    { host: 'www.google.com', slug: 'google-search', path: '/webhp' },
  ],
  platforms: {},
};
const GOOGLE = ['http://www.google.com/*', 'https://www.google.com/*', 'http://*.www.google.com/*', 'https://*.www.google.com/*'];
const GROK = ['http://grok.com/*', 'https://grok.com/*', 'http://*.grok.com/*', 'https://*.grok.com/*'];
const MANIFEST = [...rulePatterns('facebook.com'), ...rulePatterns('fb.com'), ...rulePatterns('www.amazon.com', 'exact')];

test('each listed host once, with the patterns its rule needs (exact: the host alone)', () => {
  assert.deepEqual(listedSites(INDEX), [
    { host: 'facebook.com', slug: 'facebook', patterns: ['*://facebook.com/*', '*://*.facebook.com/*'] },
    { host: 'fb.com', slug: 'facebook', patterns: ['*://fb.com/*', '*://*.fb.com/*'] },
    { host: 'grok.com', slug: 'grok', patterns: ['*://grok.com/*', '*://*.grok.com/*'] },
    { host: 'www.amazon.com', slug: 'amazon', patterns: ['*://www.amazon.com/*'] },
    { host: 'www.google.com', slug: 'google-search', patterns: ['*://www.google.com/*', '*://*.www.google.com/*'] },
  ]);
  assert.deepEqual(listedSites(null), []);
  assert.deepEqual(listedSites({ hosts: null, rules: [null, 5] }), []);
});

test('the diff: withdrawn manifest sites and sites new in the index, asked for together', async () => {
  const granted = new Set([...MANIFEST, ...GOOGLE]);
  granted.delete('*://*.facebook.com/*'); // "on click" / withdrawn for subdomains
  const diff = await accessDiff(listedSites(INDEX), MANIFEST, async (p) => granted.has(p));
  assert.deepEqual(diff.missing, [
    { host: 'facebook.com', slug: 'facebook', patterns: ['*://*.facebook.com/*'], isNew: false },
    { host: 'grok.com', slug: 'grok', patterns: GROK, isNew: true },
  ]);
  // Manifest patterns as they are; new ones scheme by scheme (optional http://*/* and https://*/*).
  assert.deepEqual(diff.origins, ['*://*.facebook.com/*', ...GROK].sort());
  // Granted but not in the manifest: the registered content script must cover these.
  assert.deepEqual(diff.dynamic, [...GOOGLE].sort());
});

test('everything granted: nothing missing, nothing asked', async () => {
  const diff = await accessDiff(listedSites(INDEX), MANIFEST, async () => true);
  assert.deepEqual(diff.missing, []);
  assert.deepEqual(diff.origins, []);
});

test('the shipped manifest covers every site of the bundled index: a fresh install asks for nothing', async () => {
  const manifest = readJson('manifest.json');
  const inManifest = new Set(manifest.host_permissions);
  const diff = await accessDiff(listedSites(readJson('data/index.json')), manifest.host_permissions,
    async (p) => inManifest.has(p));
  assert.deepEqual(diff.missing, []);
  assert.deepEqual(diff.dynamic, []);
});

function fakeChrome(grantedPatterns, manifestPatterns) {
  const calls = [];
  let registered = [];
  return {
    calls,
    get registered() {
      return registered;
    },
    runtime: { getManifest: () => ({ host_permissions: manifestPatterns }) },
    permissions: { contains: async ({ origins }) => origins.every((o) => grantedPatterns.has(o)) },
    scripting: {
      getRegisteredContentScripts: async ({ ids }) => registered.filter((s) => ids.includes(s.id)),
      registerContentScripts: async (scripts) => {
        calls.push(['register', scripts]);
        registered = scripts.map((s) => ({ ...s }));
      },
      updateContentScripts: async (scripts) => {
        calls.push(['update', scripts]);
        registered = registered.map((s) => ({ ...s, ...scripts.find((u) => u.id === s.id) }));
      },
      unregisterContentScripts: async ({ ids }) => {
        calls.push(['unregister', ids]);
        registered = registered.filter((s) => !ids.includes(s.id));
      },
    },
  };
}

test('the content script for new sites: registered once granted, updated, unregistered when removed', async () => {
  const granted = new Set(MANIFEST);
  const api = fakeChrome(granted, MANIFEST);
  assert.deepEqual(await syncContentScripts(INDEX, api), []);
  assert.deepEqual(api.calls, [], 'nothing granted beyond the manifest: nothing registered');

  for (const p of GROK) granted.add(p);
  assert.deepEqual(await syncContentScripts(INDEX, api), [...GROK].sort());
  assert.equal(api.calls[0][0], 'register');
  assert.deepEqual(api.calls[0][1], [{
    id: DYNAMIC_SCRIPT_ID,
    js: ['content/overlay.js'],
    matches: [...GROK].sort(),
    runAt: 'document_start',
    persistAcrossSessions: true,
  }]);
  await syncContentScripts(INDEX, api);
  assert.equal(api.calls.length, 1, 'unchanged: no call');

  for (const p of GOOGLE) granted.add(p);
  await syncContentScripts(INDEX, api);
  assert.equal(api.calls[1][0], 'update');
  assert.equal(api.registered[0].matches.length, 8);

  // The user withdraws them (or a sync drops the platforms): the script goes.
  for (const p of [...GROK, ...GOOGLE]) granted.delete(p);
  await syncContentScripts(INDEX, api);
  assert.deepEqual(api.calls[2], ['unregister', [DYNAMIC_SCRIPT_ID]]);
  assert.deepEqual(api.registered, []);
});

test('currentAccess asks the browser per origin, so one withdrawn pattern is noticed', async () => {
  const granted = new Set(MANIFEST);
  granted.delete('*://fb.com/*');
  const access = await currentAccess({ hosts: { 'fb.com': 'facebook' } }, fakeChrome(granted, MANIFEST));
  assert.deepEqual(access.origins, ['*://fb.com/*']);
});
