import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { forgetServerData, readExport, syncExport } from '../../extension/lib/index-store.js';
import {
  claimDate,
  filterClaims,
  headlineClaim,
  isValidExport,
  newestFirst,
  panelGroups,
  platformRecord,
  validateExport,
} from '../../extension/lib/record.js';
import { EXTENSION_DIR, memoryStorage, readJson } from './helpers.mjs';

const source = (published, extra = {}) => ({
  url: 'https://news.example/a',
  title: 'A headline',
  publisher: 'News',
  published,
  quote: 'words',
  language: 'en',
  is_copy: false,
  ...extra,
});

function claim(id, kind, extra = {}) {
  return {
    id,
    kind,
    summary: `${id} in English`,
    translations: { fr: `${id} en français` },
    platforms: ['facebook'],
    vendors: [],
    locations: [],
    workers: null,
    workers_basis: null,
    pay: null,
    observed: null,
    evidence: 'investigative_journalism',
    last_verified: '2026-01-01',
    sources: [source('2020')],
    responses: [],
    ...extra,
  };
}

function sampleExport(version = '2026-11-26T00:00:00Z') {
  return {
    licence: { name: 'CC BY-SA 4.0' },
    generated_at: version,
    platforms: [
      { slug: 'facebook', name: 'Facebook', owner: 'Meta', description: 'Social network', domains: ['facebook.com'] },
      { slug: 'tiktok', name: 'TikTok', owner: 'ByteDance', description: '', domains: ['tiktok.com'] },
    ],
    vendors: [
      { slug: 'sama', name: 'Sama', hq_country: 'US', website: 'https://www.sama.com/' },
      { slug: 'majorel', name: 'Majorel', hq_country: 'LU', website: 'https://www.majorel.com/' },
    ],
    claims: [
      claim('old-moderation', 'moderation', { sources: [source('2019-02')], last_verified: '2026-05-01' }),
      claim('new-moderation', 'moderation', {
        vendors: ['majorel', 'sama'],
        sources: [source('2024-03-01')],
        evidence: 'allegation',
        responses: [{ by: 'Meta', summary: 'Meta denied it.', translations: { fr: 'Meta a démenti.' }, source: source('2024-03-02') }],
      }),
      claim('mid-moderation', 'moderation', { sources: [source('2022')], last_verified: '2026-02-01' }),
      claim('labelling-one', 'labelling', { platforms: ['facebook', 'tiktok'] }),
      claim('tiktok-only', 'moderation', { platforms: ['tiktok'] }),
    ],
  };
}

test('the bundled record is valid, covers every platform of the bundled index, and is under budget', () => {
  const data = readJson('data/export.json');
  assert.deepEqual(validateExport(data), []);
  const index = readJson('data/index.json');
  const listed = new Set(data.platforms.map((p) => p.slug));
  for (const [slug, summary] of Object.entries(index.platforms)) {
    if (summary.total > 0) assert.ok(listed.has(slug), `${slug} is in the index but not in export.json`);
    const claims = data.claims.filter((c) => c.platforms.includes(slug));
    assert.equal(claims.length, summary.total, `${slug}: index and export disagree`);
  }
  for (const c of data.claims) {
    assert.ok(c.sources.length >= 1, `${c.id} has no source`);
    for (const s of c.sources) assert.ok(s.url && s.publisher, `${c.id} source without URL or publisher`);
  }
  const gzipped = gzipSync(readFileSync(join(EXTENSION_DIR, 'data/export.json'))).length;
  assert.ok(gzipped < 150 * 1024, `export.json is ${gzipped} bytes gzipped`);
});

test('malformed records are refused with a reason', () => {
  const cases = [
    [null, /not an object/],
    [{ ...sampleExport(), claims: 'all' }, /claims is not a list/],
    [{ ...sampleExport(), platforms: [{ name: 'x' }] }, /platforms\[0\] has no slug/],
    [{ ...sampleExport(), claims: [{ ...claim('a', 'moderation'), sources: 'x' }] }, /sources/],
    [{ ...sampleExport(), claims: [{ ...claim('a', 'moderation'), summary: '' }] }, /summary/],
  ];
  for (const [data, reason] of cases) {
    assert.match(validateExport(data).join('; '), reason);
    assert.equal(isValidExport(data), false);
  }
  assert.deepEqual(validateExport(sampleExport()), []);
});

test("a platform's record: its claims only, in the reader's language, vendors in order", () => {
  const fr = platformRecord(sampleExport(), 'facebook', 'fr');
  assert.deepEqual(fr.claims.map((c) => c.id), ['old-moderation', 'new-moderation', 'mid-moderation', 'labelling-one']);
  const alleged = fr.claims[1];
  assert.equal(alleged.summary, 'new-moderation en français');
  assert.deepEqual(alleged.vendors.map((v) => v.name), ['Majorel', 'Sama']);
  assert.equal(alleged.vendors[1].website, 'https://www.sama.com/');
  assert.equal(alleged.responses[0].summary, 'Meta a démenti.');
  assert.equal(platformRecord(sampleExport(), 'facebook', 'de').claims[0].summary, 'old-moderation in English');
  assert.deepEqual(platformRecord(sampleExport(), 'tiktok', 'en').claims.map((c) => c.id), ['labelling-one', 'tiktok-only']);
  assert.equal(platformRecord(sampleExport(), 'nowhere', 'en'), null);
});

test("groups by kind: the overlay's headline first, then newest first, with filters", () => {
  const { claims } = platformRecord(sampleExport(), 'facebook', 'en');
  // The headline is the best-established claim, then the one verified last (server/index.py),
  // whatever its date: the newer allegation does not become the headline.
  assert.equal(headlineClaim(claims.filter((c) => c.kind === 'moderation')).id, 'old-moderation');
  const copied = claim('copied', 'moderation', { sources: [{ ...source('2025'), is_copy: true }],
    last_verified: '2026-12-01' });
  const record = claim('record', 'moderation', { evidence: 'official_record', last_verified: '2025-01-01' });
  assert.equal(headlineClaim([copied, claims[0]]).id, 'old-moderation');
  assert.equal(headlineClaim([copied, claims[0], record]).id, 'record');
  assert.equal(headlineClaim([claims[1]]).id, 'new-moderation');
  assert.equal(claimDate(claims[1]), '2024-03-01');
  assert.deepEqual(newestFirst(claims).map((c) => c.id).slice(0, 2), ['new-moderation', 'mid-moderation']);

  const groups = panelGroups(claims);
  assert.deepEqual(groups.map((g) => [g.kind, g.total, g.claims.map((c) => c.id)]), [
    ['moderation', 3, ['old-moderation', 'new-moderation', 'mid-moderation']],
    ['labelling', 1, ['labelling-one']],
  ]);
  assert.deepEqual(panelGroups(claims, { kind: 'labelling' }).map((g) => g.kind), ['labelling']);
  const alleged = panelGroups(claims, { evidence: 'allegation' });
  assert.deepEqual(alleged.map((g) => [g.kind, g.total, g.claims.map((c) => c.id)]), [['moderation', 3, ['new-moderation']]]);
  assert.deepEqual(panelGroups(claims, { kind: 'engagement' }), []);
  assert.equal(filterClaims(claims, { kind: 'all', evidence: 'all' }).length, claims.length);
});

const json = (body, status = 200, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
const clock = () => new Date('2026-11-26T12:00:00Z');

test('the record syncs as one whole file with If-None-Match, and a bad answer keeps the last good one', async () => {
  const storage = memoryStorage({ serverUrl: 'https://btf.example/base/', hiddenSites: ['facebook'] });
  const calls = [];
  const answers = [
    json(sampleExport('v2'), 200, { ETag: '"e2"' }),
    new Response(null, { status: 304 }),
    json({ ...sampleExport('v3'), claims: 'none' }, 200, { ETag: '"e3"' }),
  ];
  const fetchImpl = async (url, options) => {
    calls.push({ url, options });
    return answers.shift();
  };
  const first = await syncExport({ storage, fetchImpl, now: clock });
  assert.deepEqual([first.result, first.version], ['ok', 'v2']);
  assert.equal(calls[0].url, 'https://btf.example/base/api/v1/export.json');
  assert.deepEqual(Object.keys(calls[0].options.headers), ['Accept']);
  assert.equal(calls[0].options.credentials, 'omit');
  assert.equal(storage.data.exportEtag, '"e2"');

  const second = await syncExport({ storage, fetchImpl, now: clock });
  assert.equal(second.result, 'not-modified');
  assert.equal(calls[1].options.headers['If-None-Match'], '"e2"');

  const third = await syncExport({ storage, fetchImpl, now: clock });
  assert.equal(third.result, 'error');
  assert.match(third.message, /invalid export: claims/);
  assert.equal(storage.data.export.generated_at, 'v2');
  assert.deepEqual(storage.data.lastExportSync, third);
  // Only whole files, never a request naming a site or a platform.
  assert.ok(calls.every((c) => c.url === 'https://btf.example/base/api/v1/export.json'));

  const { data, origin } = await readExport(storage, async () => sampleExport('bundled'));
  assert.deepEqual([origin, data.generated_at], ['server', 'v2']);
  await forgetServerData(storage);
  assert.deepEqual(Object.keys(storage.data).sort(), ['hiddenSites', 'serverUrl']);
  const fallback = await readExport(storage, async () => sampleExport('bundled'));
  assert.deepEqual([fallback.origin, fallback.data.generated_at], ['bundled', 'bundled']);
});

test('no server, no request', async () => {
  let called = false;
  const result = await syncExport({ storage: memoryStorage(), fetchImpl: async () => { called = true; }, now: clock });
  assert.equal(result.result, 'no-server');
  assert.equal(called, false);
});

// The same cases tests/test_headlines.py holds server/index.py to.
const headlineVectors = JSON.parse(readFileSync(new URL('../vectors/headlines.json', import.meta.url), 'utf8'));

test('the headline of a kind is the one the service picks (shared vectors)', () => {
  assert.ok(headlineVectors.cases.length >= 10);
  for (const c of headlineVectors.cases) {
    assert.equal(headlineClaim(c.claims).id, c.headline, c.name);
  }
});
