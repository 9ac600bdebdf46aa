import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  SYNC_ALARM,
  ensureSyncAlarm,
  forgetServerData,
  isValidIndex,
  platformForUrl,
  readIndex,
  syncIndex,
  validateIndex,
} from '../../extension/lib/index-store.js';
import { memoryStorage, readJson } from './helpers.mjs';

function sampleIndex(version = 'v1') {
  return {
    version,
    generated_at: '2026-11-26T12:00:00Z',
    hosts: { 'facebook.com': 'facebook', 'fb.com': 'facebook', 'sites.google.com': 'google-sites', 'google.com': 'google' },
    platforms: {
      facebook: {
        name: 'Facebook',
        owner: 'Meta Platforms, Inc.',
        total: 3,
        counts: { moderation: 2, labelling: 0, engagement: 1, microwork: 0 },
        headlines: { moderation: { en: 'TIME reported ...', fr: 'Selon TIME ...' }, engagement: { en: '...' } },
      },
      google: { name: 'Google', owner: 'Google LLC', total: 1, counts: { labelling: 1 }, headlines: {} },
      'google-sites': { name: 'Google Sites', owner: null, total: 0, counts: {}, headlines: {} },
    },
  };
}

test('the bundled index is valid', () => {
  assert.deepEqual(validateIndex(readJson('data/index.json')), []);
});

test('a well-formed index is valid', () => {
  assert.deepEqual(validateIndex(sampleIndex()), []);
});

test('malformed indexes are rejected with a reason', () => {
  const cases = [
    [null, /not an object/],
    [[], /not an object/],
    ['{"version": 1}', /not an object/],
    [{ ...sampleIndex(), version: '' }, /version/],
    [{ ...sampleIndex(), generated_at: 'yesterday' }, /generated_at/],
    [{ ...sampleIndex(), hosts: [] }, /hosts/],
    [{ ...sampleIndex(), platforms: null }, /platforms/],
    [{ ...sampleIndex(), hosts: { 'facebook.com': 'nobody' } }, /unknown platform/],
    [{ ...sampleIndex(), hosts: { 'Face Book': 'facebook' } }, /not a host name/],
    [{ ...sampleIndex(), hosts: { localhost: 'facebook' } }, /not a host name/],
  ];
  const withPlatform = (change) => {
    const index = sampleIndex();
    change(index.platforms.facebook, index);
    return index;
  };
  cases.push(
    [withPlatform((p) => { p.name = ''; }), /name/],
    [withPlatform((p) => { p.total = -1; }), /total/],
    [withPlatform((p) => { p.total = '3'; }), /total/],
    [withPlatform((p) => { p.counts = [1, 2]; }), /counts/],
    [withPlatform((p) => { p.counts.moderation = 1.5; }), /counts.moderation/],
    [withPlatform((p) => { p.headlines.moderation = { en: { html: '<b>' } }; }), /headlines.moderation/],
    [withPlatform((p, index) => { index.platforms['Bad Slug'] = p; }), /slug/],
  );
  for (const [index, reason] of cases) {
    const problems = validateIndex(index);
    assert.ok(problems.length > 0, `accepted ${JSON.stringify(index)?.slice(0, 80)}`);
    assert.match(problems.join('; '), reason);
    assert.equal(isValidIndex(index), false);
  }
});

test('tab URLs are matched locally to the longest listed host', () => {
  const index = sampleIndex();
  assert.deepEqual(
    { ...platformForUrl('https://www.facebook.com/groups/1?x=y', index), platform: undefined },
    { slug: 'facebook', host: 'facebook.com', path: '', platform: undefined },
  );
  assert.equal(platformForUrl('https://m.fb.com/', index).host, 'fb.com');
  assert.equal(platformForUrl('https://sites.google.com/view/x', index).slug, 'google-sites');
  assert.equal(platformForUrl('https://sites.google.com/view/x', index).host, 'sites.google.com');
  assert.equal(platformForUrl('https://mail.google.com/', index).host, 'google.com');
  for (const url of [
    'https://example.org/',
    'https://notfacebook.com/',
    'https://facebook.com.evil.example/',
    'http://127.0.0.1:8000/',
    'chrome://extensions/',
    'about:blank',
    'file:///home/facebook.com/index.html',
    'not a url',
    undefined,
  ]) {
    assert.equal(platformForUrl(url, index), null, String(url));
  }
});

test('tab URLs are matched on the full URL: exact-host and path rules, most specific first', () => {
  const index = sampleIndex();
  index.platforms.gmail = { ...index.platforms.facebook, name: 'Gmail' };
  index.platforms['google-search'] = { ...index.platforms.facebook, name: 'Google Search' };
  index.rules = [
    { host: 'mail.google.com', slug: 'gmail', scope: 'exact' },
    { host: 'www.google.com', slug: 'google-search', path: '/search' },
  ];
  assert.equal(validateIndex(index).length, 0, validateIndex(index).join('; '));
  assert.equal(platformForUrl('https://mail.google.com/mail/u/0/', index).slug, 'gmail');
  assert.equal(platformForUrl('https://mail.google.com/mail/u/0/', index).host, 'mail.google.com');
  const search = platformForUrl('https://www.google.com/search?q=moderators', index);
  assert.deepEqual([search.slug, search.host, search.path], ['google-search', 'www.google.com', '/search']);
  // Not the search: the plain google.com rule (or nothing) answers, never Google Search.
  assert.notEqual(platformForUrl('https://www.google.com/maps', index)?.slug, 'google-search');
  assert.notEqual(platformForUrl('https://www.google.com/searchengine', index)?.slug, 'google-search');
  // A rule naming a platform the index does not have makes the index invalid.
  index.rules.push({ host: 'docs.google.com', slug: 'nowhere', scope: 'exact' });
  assert.match(validateIndex(index).join('; '), /docs.google.com/);
});

test('the stored index wins over the bundled one, if it is valid', async () => {
  const bundled = sampleIndex('bundled');
  const loadBundled = async () => bundled;
  assert.equal((await readIndex(memoryStorage(), loadBundled)).origin, 'bundled');
  const stored = await readIndex(memoryStorage({ index: sampleIndex('server') }), loadBundled);
  assert.deepEqual([stored.origin, stored.index.version], ['server', 'server']);
  const broken = await readIndex(memoryStorage({ index: { version: 'broken' } }), loadBundled);
  assert.deepEqual([broken.origin, broken.index.version], ['bundled', 'bundled']);
});

function fakeFetch(...answers) {
  const calls = [];
  const fetchImpl = async (url, options) => {
    calls.push({ url, options });
    const answer = answers.shift();
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { fetchImpl, calls };
}

const json = (body, status = 200, headers = {}) =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
const clock = () => new Date('2026-11-26T12:00:00Z');

test('sync stores a new index with its ETag, then sends If-None-Match', async () => {
  const storage = memoryStorage({ serverUrl: 'http://127.0.0.1:8000/' });
  const { fetchImpl, calls } = fakeFetch(json(sampleIndex('v2'), 200, { ETag: '"v2"' }), new Response(null, { status: 304 }));

  const first = await syncIndex({ storage, fetchImpl, now: clock });
  assert.deepEqual(first, { at: '2026-11-26T12:00:00.000Z', serverUrl: 'http://127.0.0.1:8000/', result: 'ok', version: 'v2' });
  assert.equal(calls[0].url, 'http://127.0.0.1:8000/api/v1/index');
  assert.equal(calls[0].options.headers['If-None-Match'], undefined);
  assert.equal(calls[0].options.credentials, 'omit');
  assert.equal(storage.data.index.version, 'v2');
  assert.equal(storage.data.indexEtag, '"v2"');

  const second = await syncIndex({ storage, fetchImpl, now: clock });
  assert.equal(second.result, 'not-modified');
  assert.equal(calls[1].options.headers['If-None-Match'], '"v2"');
  assert.equal(storage.data.index.version, 'v2');
  assert.deepEqual(storage.data.lastSync, second);
});

test('a failed or invalid sync keeps the last good index and says why', async () => {
  const good = sampleIndex('good');
  const answers = [
    [json({ error: { code: 'oops', message: 'boom' } }, 500), /HTTP 500/],
    [json('<html>not json</html>'), /not JSON/],
    [json({ ...good, hosts: 'everything' }), /invalid index: hosts/],
    [new TypeError('Failed to fetch'), /Failed to fetch/],
  ];
  for (const [answer, reason] of answers) {
    const storage = memoryStorage({ serverUrl: 'https://btf.example/', index: good, indexEtag: '"good"' });
    const { fetchImpl } = fakeFetch(answer);
    const result = await syncIndex({ storage, fetchImpl, now: clock });
    assert.equal(result.result, 'error');
    assert.match(result.message, reason);
    assert.equal(storage.data.index.version, 'good');
    assert.equal(storage.data.indexEtag, '"good"');
    assert.deepEqual(storage.data.lastSync, result);
  }
});

test('sync asks nothing without a server, and sends nothing about the user', async () => {
  const { fetchImpl, calls } = fakeFetch();
  const result = await syncIndex({ storage: memoryStorage(), fetchImpl, now: clock });
  assert.equal(result.result, 'no-server');
  assert.equal(calls.length, 0);

  const storage = memoryStorage({ serverUrl: 'https://btf.example/base/', hiddenSites: ['facebook.com'] });
  const fetched = fakeFetch(json(sampleIndex()));
  await syncIndex({ storage, fetchImpl: fetched.fetchImpl, now: clock });
  const [{ url, options }] = fetched.calls;
  assert.equal(url, 'https://btf.example/base/api/v1/index');
  assert.equal(options.body, undefined);
  assert.deepEqual(Object.keys(options.headers), ['Accept']);
  assert.equal(options.referrerPolicy, 'no-referrer');
});

test('an index from a server the user has since replaced is not stored', async () => {
  const storage = memoryStorage({ serverUrl: 'https://old.example/' });
  const fetchImpl = async () => {
    await storage.set({ serverUrl: 'https://new.example/' });
    return json(sampleIndex('old'));
  };
  const result = await syncIndex({ storage, fetchImpl, now: clock });
  assert.equal(result.result, 'error');
  assert.equal(storage.data.index, undefined);
});

test('forgetting the server drops its index, sync record and cached details only', async () => {
  const storage = memoryStorage({
    index: sampleIndex(),
    indexEtag: '"x"',
    lastSync: { result: 'ok' },
    'details:facebook:en': { data: {} },
    hiddenSites: ['facebook.com'],
    overlaysEnabled: false,
  });
  await forgetServerData(storage);
  assert.deepEqual(Object.keys(storage.data).sort(), ['hiddenSites', 'overlaysEnabled']);
});

test('the daily alarm is created only when missing', async () => {
  const created = [];
  const alarms = {
    existing: null,
    async get(name) {
      return name === SYNC_ALARM ? this.existing : null;
    },
    async create(name, info) {
      created.push([name, info]);
      this.existing = { name, ...info };
    },
  };
  await ensureSyncAlarm(alarms);
  await ensureSyncAlarm(alarms);
  assert.deepEqual(created, [[SYNC_ALARM, { delayInMinutes: 1440, periodInMinutes: 1440 }]]);
});
