import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createTranslator } from '../../extension/lib/i18n.js';
import { actionKindLabel, claimsNaming, spanPeriods, vendorChain, whatYouCanDo } from '../../extension/lib/chain.js';
import { platformRecord } from '../../extension/lib/record.js';
import { readJson } from './helpers.mjs';

const en = createTranslator(readJson('_locales/en/messages.json'));
const fr = createTranslator(readJson('_locales/fr/messages.json'));

const claim = (id, vendors, locations, observed) => ({
  id,
  kind: 'moderation',
  summary: id,
  platforms: ['p'],
  vendors,
  locations,
  observed,
  evidence: 'investigative_journalism',
  last_verified: '2026-01-01',
  sources: [],
  responses: [],
});

const DATA = {
  platforms: [
    {
      slug: 'p',
      name: 'P',
      actions: [
        { kind: 'complaint', name: 'Complain', url: 'https://example.org/dsc', description: 'Complain.', translations: { fr: 'Se plaindre.' } },
        { kind: 'research', name: 'Bad link', url: 'javascript:alert(1)', description: 'No link.', translations: {} },
      ],
    },
  ],
  vendors: [
    {
      slug: 'sama',
      name: 'Sama',
      hq_country: 'US',
      website: 'https://sama.example/',
      actions: [
        { kind: 'worker_organisation', name: 'Union', url: 'https://union.example/', description: 'A union.', translations: { fr: 'Un syndicat.' } },
        { kind: 'complaint', name: 'Complain again', url: 'https://example.org/dsc', description: 'Same link.', translations: {} },
      ],
    },
    { slug: 'majorel', name: 'Majorel', hq_country: 'LU', website: 'https://majorel.example/', actions: [] },
    { slug: 'accenture', name: 'Accenture', hq_country: 'IE', website: 'https://a.example/', actions: [] },
  ],
  claims: [
    claim('c1', ['sama'], [{ country: 'KE', city: 'Nairobi' }], { start: '2019', end: '2023-03' }),
    claim('c2', ['sama', 'majorel'], [{ country: 'KE' }, { country: 'UG' }], { start: '2020-05', end: '2022' }),
    claim('c3', ['majorel'], [{ country: 'KE' }], { start: '2023-04', end: null }),
    claim('c4', [], [{ country: 'PH' }], { start: '2018', end: null }),
    claim('c5', ['accenture'], [], null),
  ],
};

test('vendors, countries and periods come from the claims naming them', () => {
  const record = platformRecord(DATA, 'p', 'en');
  const chain = vendorChain(record.claims);
  assert.deepEqual(chain.map((v) => v.slug), ['majorel', 'sama', 'accenture']);
  const sama = chain.find((v) => v.slug === 'sama');
  assert.deepEqual(sama.claims, ['c1', 'c2']);
  assert.deepEqual(sama.countries, [{ country: 'KE', claims: 2 }, { country: 'UG', claims: 1 }]);
  assert.deepEqual(sama.period, { start: '2019', end: '2023-03' });
  assert.equal(sama.hq_country, 'US');
  assert.equal(sama.website, 'https://sama.example/');
  // A claim still running keeps the vendor's period open.
  const majorel = chain.find((v) => v.slug === 'majorel');
  assert.deepEqual(majorel.period, { start: '2020-05', end: null });
  assert.deepEqual(majorel.countries.map((c) => c.country), ['KE', 'UG']);
  // No period, no place: nothing made up.
  const accenture = chain.find((v) => v.slug === 'accenture');
  assert.equal(accenture.period, null);
  assert.deepEqual(accenture.countries, []);
  // A claim naming no vendor adds none.
  assert.ok(!chain.some((v) => v.claims.includes('c4')));
  assert.deepEqual(claimsNaming(record.claims, 'majorel').map((c) => c.id), ['c2', 'c3']);
});

test('spanning periods', () => {
  assert.equal(spanPeriods([]), null);
  assert.equal(spanPeriods([null, { start: '' }]), null);
  assert.deepEqual(spanPeriods([{ start: '2021', end: '2021' }]), { start: '2021', end: '2021' });
  assert.deepEqual(spanPeriods([{ start: '2021-02', end: null }, { start: '2019', end: '2020' }]), { start: '2019', end: null });
});

test('what you can do: the platform\'s actions, then its vendors\', in the reader\'s language, links http(s) only', () => {
  const record = platformRecord(DATA, 'p', 'fr');
  const chain = vendorChain(record.claims);
  const { platform, vendors } = whatYouCanDo(DATA, 'p', chain, 'fr');
  assert.deepEqual(platform.map((a) => [a.kind, a.name, a.url, a.description]), [
    ['complaint', 'Complain', 'https://example.org/dsc', 'Se plaindre.'],
    ['research', 'Bad link', '', 'No link.'],
  ]);
  // Sama's own action, in French; its copy of the platform's complaint route is not repeated.
  assert.deepEqual(vendors.map((v) => [v.slug, v.actions.map((a) => [a.name, a.description])]), [
    ['sama', [['Union', 'Un syndicat.']]],
  ]);
  assert.equal(actionKindLabel('worker_organisation', en), 'Worker organisation');
  assert.equal(actionKindLabel('rating', fr), 'Évaluation');
  assert.equal(actionKindLabel('other', en), 'other');
});

test('the bundled record: every listed platform has actions; vendors come from its claims', () => {
  const data = readJson('data/export.json');
  for (const platform of data.platforms) {
    const record = platformRecord(data, platform.slug, 'en');
    const chain = vendorChain(record.claims);
    const named = new Set(record.claims.flatMap((c) => c.vendors.map((v) => v.slug)));
    assert.deepEqual(new Set(chain.map((v) => v.slug)), named, platform.slug);
    for (const vendor of chain) {
      assert.equal(vendor.claims.length, claimsNaming(record.claims, vendor.slug).length);
    }
    const { platform: own } = whatYouCanDo(data, platform.slug, chain, 'fr');
    assert.ok(own.length >= 1, `${platform.slug} has no action`);
    for (const action of own) assert.ok(action.url === '' || /^https?:/.test(action.url));
  }
});
