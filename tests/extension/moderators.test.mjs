import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createTranslator } from '../../extension/lib/i18n.js';
import {
  EU_LANGUAGES,
  languageContext,
  languageHistory,
  languagePhrase,
  moderatorOverlayLine,
  moderatorRows,
  moderatorSummary,
  readerLanguage,
  trendDirection,
} from '../../extension/lib/moderators.js';
import { readJson } from './helpers.mjs';

const en = createTranslator(readJson('_locales/en/messages.json'));
const fr = createTranslator(readJson('_locales/fr/messages.json'), readJson('_locales/en/messages.json'));

const source = (publisher) => ({ url: `https://example.org/${publisher}`, title: 't', publisher, published: '2024' });
const row = (language, count, start, end, label, extra = {}) => ({
  language,
  count,
  period: { start, end },
  period_label: label,
  internal: null,
  external: null,
  note: null,
  source: source(`${language}-${label}`),
  ...extra,
});

const PLATFORM = {
  slug: 'example',
  name: 'Example',
  moderators: [
    row('total', 6287, '2023-10', '2023-12', 'Oct–Dec 2023'),
    row('fr', 650, '2023-10', '2023-12', 'Oct–Dec 2023'),
    row('nl', 1, '2023-10', '2023-12', 'Oct–Dec 2023'),
    row('total', 6354, '2024-01', '2024-06', 'H1 2024'),
    row('en', 1498, '2024-01', '2024-06', 'H1 2024'),
    row('fr', 634, '2024-01', '2024-06', 'H1 2024'),
    row('de', 597, '2024-01', '2024-06', 'H1 2024'),
    row('nl', 1, '2024-01', '2024-06', 'H1 2024'),
    row('none', 1508, '2024-01', '2024-06', 'H1 2024'),
    row('ga', 0, '2024-01', '2024-06', 'H1 2024'),
    row('it', 12, '2024-01', '2024-06', 'H1 2024'),
    row('it', 30, '2023-08-28', '2023-10-20', '28 Aug–20 Oct 2023'),
    row('total', 5807, '2024-07', '2024-12', 'H2 2024'),
  ],
};

test('the language is the page\'s, else the browser\'s; region subtags are dropped', () => {
  assert.equal(readerLanguage('nl-BE', 'en-US'), 'nl');
  assert.equal(readerLanguage('', 'fr-FR'), 'fr');
  assert.equal(readerLanguage('not a language!', 'de'), 'de');
  assert.equal(readerLanguage(undefined, undefined), '');
  assert.equal(EU_LANGUAGES.length, 24);
  assert.ok(!EU_LANGUAGES.includes('ar'));
});

test('one line for a language with a figure, in English and French, with the plural right', () => {
  const nl = moderatorSummary(PLATFORM, 'nl', 'en', en);
  assert.equal(nl.status, 'figure');
  assert.equal(nl.line, 'Example reports 1 content moderator for Dutch (DSA report, H1 2024)');
  assert.equal(nl.trend, 'unchanged from 1 (Oct–Dec 2023)');
  assert.equal(nl.latest.source.publisher, 'nl-H1 2024');
  const frLine = moderatorSummary(PLATFORM, 'fr', 'fr', fr);
  assert.equal(frLine.line, 'Example déclare 634 modérateurs de contenu pour le français (rapport DSA, H1 2024)');
  assert.equal(frLine.trend, 'en baisse par rapport à 650 (Oct–Dec 2023)');
  // French elides the article before a vowel; "hongrois" keeps it (aspirated h).
  assert.equal(languagePhrase('en', 'fr'), 'l\u2019anglais');
  assert.equal(languagePhrase('hu', 'fr'), 'le hongrois');
  assert.equal(languagePhrase('nl', 'en'), 'Dutch');
  // Zero is plural in English.
  assert.equal(moderatorSummary(PLATFORM, 'ga', 'en', en).line, 'Example reports 0 content moderators for Irish (DSA report, H1 2024)');
});

test('the trend compares the two latest periods of that language, oldest periods sorted first', () => {
  const history = languageHistory(moderatorRows(PLATFORM), 'it');
  assert.deepEqual(history.map((h) => h.label), ['28 Aug–20 Oct 2023', 'H1 2024']);
  const it = moderatorSummary(PLATFORM, 'it', 'en', en);
  assert.equal(it.latest.count, 12);
  assert.equal(it.previous.count, 30);
  assert.equal(it.trend, 'down from 30 (28 Aug–20 Oct 2023)');
  assert.equal(moderatorSummary(PLATFORM, 'en', 'en', en).trend, '');
  assert.equal(trendDirection(1, 2), 'up');
  assert.equal(trendDirection(2, 1), 'down');
  assert.equal(trendDirection(2, 2), 'same');
  assert.equal(
    moderatorOverlayLine(PLATFORM, 'fr', 'en', en),
    'Example reports 634 content moderators for French (DSA report, H1 2024), down from 650 (Oct–Dec 2023)',
  );
});

test('no figure for the language: said plainly, with the latest report\'s languages beside it', () => {
  const pl = moderatorSummary(PLATFORM, 'pl', 'en', en);
  assert.equal(pl.status, 'none');
  assert.equal(pl.line, 'No figure published for Polish');
  assert.equal(moderatorSummary(PLATFORM, 'pl', 'fr', fr).line, 'Aucun chiffre publié pour le polonais');
  assert.equal(moderatorOverlayLine(PLATFORM, 'pl', 'en', en), 'No figure published for Polish');
  // Context: the latest report with single languages (H1 2024, not H2 2024's total only).
  assert.equal(pl.context.label, 'H1 2024');
  assert.deepEqual(
    pl.context.languages.map((l) => [l.language, l.count]),
    [['none', 1508], ['en', 1498], ['fr', 634], ['de', 597], ['it', 12], ['nl', 1], ['ga', 0]],
  );
  assert.deepEqual(pl.context.totals.map((r) => r.count), [6354]);
  assert.equal(pl.context.max, 1508);
});

test('the context of a figure is its own report; a total from an overlapping period stands in', () => {
  const it = moderatorSummary(PLATFORM, 'it', 'en', en);
  assert.equal(it.context.label, 'H1 2024');
  const old = languageContext(moderatorRows(PLATFORM), PLATFORM.moderators[11], 'en');
  assert.equal(old.label, '28 Aug–20 Oct 2023');
  assert.deepEqual(old.languages.map((l) => l.language), ['it']);
  // Oct–Dec 2023 overlaps 28 Aug–20 Oct 2023.
  assert.deepEqual(old.totals.map((r) => r.count), [6287]);
});

test('a language outside the EU, a platform with no figure, no language at all', () => {
  const ar = moderatorSummary(PLATFORM, 'ar', 'en', en);
  assert.equal(ar.status, 'not-eu');
  assert.match(ar.line, /Arabic is not one of them/);
  assert.equal(moderatorOverlayLine(PLATFORM, 'ar', 'en', en), '');
  const none = moderatorSummary({ slug: 'f', name: 'Fiverr', moderators: [] }, 'nl', 'en', en);
  assert.equal(none.status, 'no-data');
  assert.equal(none.line, 'No DSA moderator figure for Fiverr in the record.');
  assert.equal(moderatorOverlayLine({ slug: 'f', name: 'Fiverr', moderators: [] }, 'nl', 'en', en), '');
  assert.equal(moderatorSummary(PLATFORM, '', 'en', en).status, 'unknown');
  // Malformed rows are left out, never drawn.
  const bad = { name: 'B', moderators: [{ language: 'nl', count: 'many' }, null, row('nl', 3, '2024', '2024', '2024')] };
  assert.equal(moderatorSummary(bad, 'nl', 'en', en).latest.count, 3);
});

test('the bundled record: X and TikTok read as the sources give them', () => {
  const data = readJson('data/export.json');
  const x = data.platforms.find((p) => p.slug === 'x');
  const tiktok = data.platforms.find((p) => p.slug === 'tiktok');
  const xNl = moderatorSummary(x, 'nl', 'en', en);
  const expected = x.moderators.filter((r) => r.language === 'nl').at(-1);
  assert.equal(xNl.status, 'figure');
  assert.equal(xNl.latest, expected);
  assert.ok(xNl.line.startsWith(`${x.name} reports ${expected.count} content moderator`), xNl.line);
  assert.ok(xNl.line.endsWith(`for Dutch (DSA report, ${expected.period_label})`), xNl.line);
  const noNl = tiktok.moderators.every((r) => r.language !== 'nl');
  assert.ok(noNl, 'the test needs TikTok without a Dutch figure');
  assert.equal(moderatorSummary(tiktok, 'nl', 'en', en).line, 'No figure published for Dutch');
});
