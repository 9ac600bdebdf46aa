import { test } from 'node:test';
import assert from 'node:assert/strict';

import { overlayFacts, overlaySummaries } from '../../extension/lib/overlay-facts.js';
import { createTranslator } from '../../extension/lib/i18n.js';
import { moderatorOverlayLine } from '../../extension/lib/moderators.js';
import { readJson } from './helpers.mjs';

const english = readJson('_locales/en/messages.json');
const translators = {
  en: createTranslator(english),
  fr: createTranslator(readJson('_locales/fr/messages.json'), english),
};

test('the precomputed facts equal overlayFacts for every platform of the bundled record, in English and French', () => {
  const data = readJson('data/export.json');
  const summaries = overlaySummaries(data, translators);
  assert.deepEqual(Object.keys(summaries), data.platforms.map((platform) => platform.slug));
  let kinds = 0;
  for (const platform of data.platforms) {
    const summary = summaries[platform.slug];
    assert.equal(summary.name, platform.name);
    for (const [lang, t] of Object.entries(translators)) {
      const expected = overlayFacts(data, platform.slug, lang, t);
      assert.deepEqual(summary.facts[lang], Object.fromEntries(expected), `${platform.slug} ${lang}`);
      // Kinds in the same order as overlayFacts gives them.
      assert.deepEqual(Object.keys(summary.facts[lang]), [...expected.keys()], `${platform.slug} ${lang}`);
      kinds += expected.size;
      // The language line from the summary alone is the one the whole record gives.
      for (const code of ['de', 'fr', 'nl', 'ja', '']) {
        assert.equal(
          moderatorOverlayLine(summary, code, lang, t),
          moderatorOverlayLine(platform, code, lang, t),
          `${platform.slug} ${lang} ${code}`,
        );
      }
    }
  }
  assert.ok(kinds > 40, `${kinds} kinds compared`);
  // Some platform has a language line to compare, else the check above proves little.
  assert.ok(data.platforms.some((platform) => moderatorOverlayLine(platform, 'de', 'en', translators.en)));
});

test('worked out a few platforms at a time, the summaries are the same', () => {
  const data = readJson('data/export.json');
  const whole = overlaySummaries(data, translators);
  const slugs = data.platforms.map((platform) => platform.slug);
  const pieced = {};
  for (let i = 0; i < slugs.length; i += 6) Object.assign(pieced, overlaySummaries(data, translators, slugs.slice(i, i + 6)));
  assert.deepEqual(pieced, whole);
  assert.deepEqual(Object.keys(overlaySummaries(data, translators, [slugs[3], 'unknown'])), [slugs[3]]);
});

test('the precomputed facts survive storage (plain JSON) and are far smaller than the record', () => {
  const data = readJson('data/export.json');
  const summaries = overlaySummaries(data, translators);
  assert.deepEqual(JSON.parse(JSON.stringify(summaries)), summaries);
  const largest = Math.max(...Object.values(summaries).map((summary) => JSON.stringify(summary).length));
  const record = JSON.stringify(data).length;
  assert.ok(largest * 20 < record, `largest platform ${largest} bytes, record ${record} bytes`);
});

test('a claim on two platforms counts on both, a platform without claims has no facts, bad entries are skipped', () => {
  const source = { url: 'https://news.example/a', title: 't', publisher: 'News', published: '2024', quote: 'q', language: 'en', is_copy: false };
  const data = {
    platforms: [
      { slug: 'one', name: 'One', moderators: [{ language: 'de', count: 10, period: { start: '2024-01', end: '2024-06' }, period_label: 'H1 2024', source }] },
      { slug: 'two', name: 'Two' },
      { slug: 'one', name: 'Duplicate' },
      null,
      { name: 'No slug' },
      { slug: 'empty', name: 'Empty' },
    ],
    vendors: [{ slug: 'acme', name: 'Acme' }],
    claims: [
      { id: 'shared', kind: 'labelling', summary: 'Shared.', translations: { fr: 'Partagé.' }, platforms: ['one', 'two', 'one'],
        vendors: ['acme', 'ghost'], locations: [{ country: 'KE' }], observed: { start: '2023', end: null },
        evidence: 'academic_study', last_verified: '2025-01-01', sources: [source] },
      { id: 'stray', kind: 'moderation', summary: 'Nowhere.', platforms: ['unlisted'], sources: [source] },
      'not a claim',
      { id: 'no-platforms', kind: 'moderation', summary: 'x', sources: [] },
    ],
  };
  const summaries = overlaySummaries(data, translators);
  assert.deepEqual(Object.keys(summaries), ['one', 'two', 'empty']);
  assert.equal(summaries.one.name, 'One');
  assert.deepEqual(summaries.empty.facts, { en: {}, fr: {} });
  assert.deepEqual(summaries.two.moderators, []);
  for (const slug of ['one', 'two', 'empty']) {
    for (const [lang, t] of Object.entries(translators)) {
      assert.deepEqual(summaries[slug].facts[lang], Object.fromEntries(overlayFacts(data, slug, lang, t)), `${slug} ${lang}`);
    }
  }
  assert.deepEqual(summaries.two.facts.en.labelling.who, ['Acme', 'ghost']);
  assert.equal(summaries.two.facts.fr.labelling.summary, 'Partagé.');
  assert.deepEqual(overlaySummaries(null, translators), {});
  assert.deepEqual(overlaySummaries({ platforms: 'x' }, translators), {});
});
