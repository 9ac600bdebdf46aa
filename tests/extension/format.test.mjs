import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  KINDS,
  apiUrl,
  claimCountLabel,
  countryName,
  evidenceLabel,
  formatPartialDate,
  formatPay,
  formatPayInWords,
  formatWorkers,
  formatPeriod,
  formatPlaces,
  groupClaimsByKind,
  isOutdated,
  kindLabel,
  parseServerUrl,
  pickHeadline,
  safeHttpUrl,
  suggestionOutcome,
} from '../../extension/lib/format.js';
import { createTranslator } from '../../extension/lib/i18n.js';
import { readJson } from './helpers.mjs';

const en = createTranslator(readJson('_locales/en/messages.json'));
const fr = createTranslator(readJson('_locales/fr/messages.json'));
// Intl puts no-break spaces between numbers and currencies; compare with plain spaces.
const plain = (text) => text.replace(/\s/g, ' ');

test('pay is shown in its own currency and period, never converted', () => {
  assert.equal(formatPay({ amount: 1.5, currency: 'USD', per: 'hour' }, 'en', en), '$1.50 per hour');
  assert.equal(formatPay({ amount: 2200, currency: 'EUR', per: 'month' }, 'en', en), '€2,200 per month');
  assert.equal(plain(formatPay({ amount: 30000, currency: 'KES', per: 'month' }, 'en', en)), 'KES 30,000 per month');
  // French: comma decimals, the currency after the number.
  assert.equal(plain(formatPay({ amount: 1.5, currency: 'USD', per: 'hour' }, 'fr', fr)), "1,50 $US de l'heure");
});

test('pay that is missing or malformed is left out or shown as reported', () => {
  assert.equal(formatPay(null, 'en', en), '');
  assert.equal(formatPay({ amount: 'lots', currency: 'USD', per: 'hour' }, 'en', en), '');
  assert.equal(formatPay({ amount: 3, currency: 'not-a-code', per: 'day' }, 'en', en), '3 not-a-code per day');
  assert.equal(formatPay({ amount: 3, currency: 'USD', per: 'fortnight' }, 'en', en), '$3');
});

test('places use country names in the reader language', () => {
  assert.equal(countryName('KE', 'en'), 'Kenya');
  assert.equal(countryName('de', 'fr'), 'Allemagne');
  assert.equal(countryName('<b>', 'en'), '<b>');
  assert.equal(
    formatPlaces([{ country: 'KE', city: 'Nairobi' }, { country: 'PH' }], 'en', en),
    'Nairobi, Kenya · Philippines',
  );
  assert.equal(formatPlaces([{ country: 'PH', city: null }], 'fr', fr), 'Philippines');
  assert.equal(formatPlaces([], 'en', en), 'Worldwide');
  assert.equal(formatPlaces([], 'fr', fr), 'Monde entier');
});

test('periods keep the precision they were reported with', () => {
  assert.equal(formatPartialDate('2022', 'en'), '2022');
  assert.equal(formatPartialDate('2022-02', 'en'), 'February 2022');
  assert.equal(formatPartialDate('2022-02-14', 'en'), 'February 14, 2022');
  assert.equal(formatPartialDate('2022-02', 'fr'), 'février 2022');
  assert.equal(formatPeriod({ start: '2022-02', end: null }, 'en', en), 'since February 2022');
  assert.equal(formatPeriod({ start: '2019', end: '2021' }, 'en', en), '2019 – 2021');
  assert.equal(formatPeriod({ start: '2020', end: '2020' }, 'en', en), '2020');
  assert.equal(formatPeriod({ start: '2019', end: null }, 'fr', fr), 'depuis 2019');
  assert.equal(formatPeriod(null, 'en', en), '');
});

test('a claim is outdated more than 18 months after its last verification', () => {
  const now = new Date('2026-11-26T12:00:00Z');
  assert.equal(isOutdated('2026-11-26', now), false);
  assert.equal(isOutdated('2025-05-27', now), false, '18 months less a day');
  assert.equal(isOutdated('2025-05-25', now), true, '18 months and a day');
  assert.equal(isOutdated('2019-01-01', now), true);
  assert.equal(isOutdated('', now), false);
  assert.equal(isOutdated(undefined, now), false);
});

test('only http and https URLs become links', () => {
  assert.equal(safeHttpUrl('https://time.com/6147458/'), 'https://time.com/6147458/');
  assert.equal(safeHttpUrl('http://example.org'), 'http://example.org/');
  assert.equal(safeHttpUrl(' https://example.org/a b '), 'https://example.org/a%20b');
  for (const bad of [
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    '//evil.example/',
    '/relative',
    '',
    null,
    42,
  ]) {
    assert.equal(safeHttpUrl(bad), null, String(bad));
  }
});

test('claims are grouped by kind in the usual order', () => {
  const claims = [
    { id: 'a', kind: 'microwork' },
    { id: 'b', kind: 'moderation' },
    { id: 'c', kind: 'moderation' },
    { id: 'd', kind: 'surprise' },
    null,
  ];
  assert.deepEqual(
    groupClaimsByKind(claims).map((group) => [group.kind, group.claims.map((claim) => claim.id)]),
    [['moderation', ['b', 'c']], ['microwork', ['a']], ['surprise', ['d']]],
  );
  assert.deepEqual(groupClaimsByKind(undefined), []);
});

test('labels are translated, unknown values shown as they are', () => {
  assert.equal(kindLabel('moderation', en), 'Content moderation');
  assert.equal(kindLabel('moderation', fr), 'Modération de contenus');
  assert.equal(kindLabel('weird', en), 'weird');
  assert.equal(evidenceLabel('official_record', en), 'Official record (court, parliament, regulator)');
  assert.equal(evidenceLabel('academic_study', fr), 'Étude universitaire');
  for (const kind of KINDS) assert.notEqual(kindLabel(kind, en), kind);
});

test('counts follow each language plural rules', () => {
  assert.equal(claimCountLabel(1, 'en', en), '1 documented practice');
  assert.equal(claimCountLabel(0, 'en', en), '0 documented practices');
  assert.equal(claimCountLabel(1200, 'en', en), '1,200 documented practices');
  assert.equal(claimCountLabel(0, 'fr', fr), '0 pratique documentée');
  assert.equal(claimCountLabel(2, 'fr', fr), '2 pratiques documentées');
});

test('headlines fall back to English, then to any language', () => {
  assert.equal(pickHeadline({ en: 'Hello', fr: 'Bonjour' }, 'fr'), 'Bonjour');
  assert.equal(pickHeadline({ en: 'Hello' }, 'fr'), 'Hello');
  assert.equal(pickHeadline({ de: 'Hallo' }, 'fr'), 'Hallo');
  assert.equal(pickHeadline('Plain', 'fr'), 'Plain');
  assert.equal(pickHeadline(undefined, 'en'), '');
});

test('server URLs are checked and turned into a base URL and a permission', () => {
  assert.deepEqual(parseServerUrl(' https://btf.example.org '), {
    ok: true,
    url: 'https://btf.example.org/',
    permission: 'https://btf.example.org/*',
  });
  assert.deepEqual(parseServerUrl('http://127.0.0.1:8000/btf?x=1#y'), {
    ok: true,
    url: 'http://127.0.0.1:8000/btf/',
    permission: 'http://127.0.0.1/*',
  });
  assert.equal(parseServerUrl('').error, 'serverUrlEmpty');
  assert.equal(parseServerUrl('not a url').error, 'serverUrlInvalid');
  assert.equal(parseServerUrl('ftp://example.org/').error, 'serverUrlScheme');
  assert.equal(parseServerUrl('javascript:alert(1)').error, 'serverUrlScheme');
  assert.equal(parseServerUrl('https://user:pw@example.org/').error, 'serverUrlCredentials');
});

test('API URLs stay under the server base URL', () => {
  assert.equal(apiUrl('https://x.org/btf/', 'api/v1/index'), 'https://x.org/btf/api/v1/index');
  assert.equal(
    apiUrl('http://127.0.0.1:8000/', 'api/v1/platforms/facebook', { lang: 'fr' }),
    'http://127.0.0.1:8000/api/v1/platforms/facebook?lang=fr',
  );
});

test('suggestion answers become a clear message', () => {
  assert.deepEqual(suggestionOutcome(201, { id: 3, status: 'new' }), { ok: true, key: 'reportSent', detail: '' });
  assert.equal(suggestionOutcome(0, null).key, 'reportNetworkError');
  assert.equal(suggestionOutcome(429, { error: { message: 'slow down' } }).key, 'reportRateLimited');
  assert.equal(suggestionOutcome(413, null).key, 'reportTooLarge');
  assert.deepEqual(suggestionOutcome(422, { error: { code: 'invalid', message: 'message: too long' } }), {
    ok: false,
    key: 'reportRejected',
    detail: 'message: too long',
  });
  assert.deepEqual(suggestionOutcome(400, '<html>'), { ok: false, key: 'reportRejected', detail: '' });
  assert.equal(suggestionOutcome(500, null).key, 'reportServerError');
});

test('head counts say what was counted: accounts are not workers', () => {
  assert.equal(formatWorkers(1000000, 'registered', 'en', en), '1,000,000 registered contributors');
  assert.equal(formatWorkers(10000, 'estimated', 'en', en), 'an estimated 10,000 workers');
  assert.equal(formatWorkers(260, 'employed', 'en', en), '260 employed workers');
  assert.equal(formatWorkers(1500, 'contracted', 'en', en), '1,500 contracted workers');
  assert.equal(formatWorkers(42, 'active', 'en', en), '42 active contributors');
  assert.equal(formatWorkers(42, null, 'en', en), '42 workers');
  assert.equal(plain(formatWorkers(1000000, 'registered', 'fr', fr)), '1 000 000 contributeurs inscrits');
  assert.equal(formatWorkers(null, null, 'en', en), '');
});

test('pay in words keeps how sure the figure is', () => {
  const pay = (amount, qualifier, per = 'hour', currency = 'USD') => ({ amount, currency, per, qualifier });
  assert.equal(formatPayInWords(pay(1.5, 'as_little_as'), 'en', en), 'as little as $1.50 an hour');
  assert.equal(formatPayInWords(pay(2, 'about'), 'en', en), 'about $2 an hour');
  assert.equal(formatPayInWords(pay(15, 'up_to'), 'en', en), 'up to $15 an hour');
  assert.equal(formatPayInWords(pay(7.25, 'at_least'), 'en', en), 'at least $7.25 an hour');
  assert.equal(formatPayInWords(pay(235, 'as_little_as', 'month', 'GBP'), 'en', en), 'as little as £235 a month');
  assert.equal(formatPayInWords(pay(1200, 'exact', 'month', 'EUR'), 'en', en), '€1,200 a month');
  assert.equal(plain(formatPayInWords(pay(1.5, 'as_little_as'), 'fr', fr)), "seulement 1,50 $US de l'heure");
  assert.equal(formatPayInWords(pay(3, undefined, 'day'), 'en', en), '$3 a day');
  assert.equal(formatPayInWords(null, 'en', en), '');
  assert.equal(formatPayInWords({ amount: 'lots' }, 'en', en), '');
});
