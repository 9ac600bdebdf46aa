import { test } from 'node:test';
import assert from 'node:assert/strict';

import { overlayFacts } from '../../extension/lib/overlay-facts.js';
import { createTranslator } from '../../extension/lib/i18n.js';
import { pickHeadline } from '../../extension/lib/format.js';
import { readJson } from './helpers.mjs';

const en = createTranslator(readJson('_locales/en/messages.json'));
const fr = createTranslator(readJson('_locales/fr/messages.json'), readJson('_locales/en/messages.json'));

const source = (publisher, url) => ({ url, title: 't', publisher, published: '2023-02', quote: 'q', language: 'en', is_copy: false });

const DATA = {
  platforms: [{ slug: 'facebook', name: 'Facebook' }],
  vendors: [{ slug: 'sama', name: 'Sama', hq_country: 'US' }, { slug: 'majorel', name: 'Majorel', hq_country: 'LU' }],
  claims: [
    {
      id: 'old-moderation', kind: 'moderation', summary: 'Older.', platforms: ['facebook'], vendors: ['sama'],
      // Both allegations: the one verified last heads the kind (record.test.mjs has the ranking).
      locations: [{ country: 'KE' }], observed: { start: '2019' , end: '2020' }, evidence: 'allegation',
      last_verified: '2024-01-01', sources: [source('Time', 'https://time.example/a')],
    },
    {
      id: 'new-moderation', kind: 'moderation', summary: 'Newer.', translations: { fr: 'Plus récent.' },
      platforms: ['facebook'], vendors: ['sama', 'majorel'],
      locations: [{ country: 'KE', city: 'Nairobi' }, { country: 'ke' }, { country: 'MA' }],
      observed: { start: '2022-02', end: null }, evidence: 'allegation', last_verified: '2025-06-01',
      sources: [source('Bad', 'javascript:alert(1)'), source('The Guardian', 'https://guardian.example/b')],
    },
    {
      id: 'labelling', kind: 'labelling', summary: 'Labels.', platforms: ['facebook'], vendors: [],
      locations: [], observed: null, evidence: 'company_statement', last_verified: '2025-01-01',
      sources: [source('Meta', 'ftp://meta.example/report')],
    },
  ],
};

test('each kind: the headline claim with who, where, when, how sure and its http(s) source', () => {
  const facts = overlayFacts(DATA, 'facebook', 'en', en);
  assert.deepEqual([...facts.keys()], ['moderation', 'labelling']);
  assert.deepEqual(facts.get('moderation'), {
    claim: 'new-moderation',
    summary: 'Newer.',
    who: ['Sama', 'Majorel'],
    where: ['Kenya', 'Morocco'],
    when: 'since February 2022',
    evidence: 'allegation',
    sure: 'Allegation',
    allegation: true,
    publisher: 'The Guardian',
    url: 'https://guardian.example/b',
  });
  const labelling = facts.get('labelling');
  assert.deepEqual([labelling.who, labelling.where, labelling.when], [[], [], '']);
  assert.equal(labelling.allegation, false);
  assert.equal(labelling.sure, 'Company statement');
  // A non-http link is never passed on as a link; the publisher's name still shows.
  assert.equal(labelling.url, '');
  assert.equal(labelling.publisher, 'Meta');
});

test('in French: summary, countries, period and evidence in French', () => {
  const facts = overlayFacts(DATA, 'facebook', 'fr', fr).get('moderation');
  assert.equal(facts.summary, 'Plus récent.');
  assert.deepEqual(facts.where, ['Kenya', 'Maroc']);
  assert.match(facts.when, /février 2022/);
  assert.equal(facts.sure, fr('evidenceAllegation'));
});

test('an unknown platform has no facts', () => {
  assert.equal(overlayFacts(DATA, 'nowhere', 'en', en).size, 0);
  assert.equal(overlayFacts(null, 'facebook', 'en', en).size, 0);
});

test('the bundled record and index agree: each kind of each listed platform has facts and the same headline', () => {
  const data = readJson('data/export.json');
  const index = readJson('data/index.json');
  let checked = 0;
  for (const [slug, platform] of Object.entries(index.platforms)) {
    const facts = overlayFacts(data, slug, 'en', en);
    for (const [kind, count] of Object.entries(platform.counts)) {
      if (!count) continue;
      assert.ok(facts.has(kind), `${slug} ${kind}`);
      assert.equal(facts.get(kind).summary, pickHeadline(platform.headlines[kind], 'en'), `${slug} ${kind}`);
      assert.ok(facts.get(kind).sure, `${slug} ${kind} says how sure`);
      checked += 1;
    }
  }
  assert.ok(checked > 20, `${checked} kinds checked`);
});
