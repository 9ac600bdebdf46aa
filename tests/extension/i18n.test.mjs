import { test } from 'node:test';
import assert from 'node:assert/strict';

import { LANGUAGES, createTranslator, fillMessage, resolveLanguage } from '../../extension/lib/i18n.js';
import { formatMessageKeys } from '../../extension/lib/format.js';
import { extensionFiles, readExtensionFile, readJson } from './helpers.mjs';

const locales = Object.fromEntries(LANGUAGES.map((lang) => [lang, readJson(`_locales/${lang}/messages.json`)]));

/** Every message key the extension can ask for, found in its code, pages and manifest. */
function usedKeys() {
  const keys = new Set(formatMessageKeys());
  for (const path of extensionFiles()) {
    if (path.endsWith('.js')) {
      const source = readExtensionFile(path);
      for (const match of source.matchAll(/\bt\(\s*['"]([A-Za-z0-9_@]+)['"]/g)) keys.add(match[1]);
      if (path === 'lib/format.js') {
        // Keys handed back to the caller to translate: {error: 'serverUrlEmpty'}, {key: 'reportSent'}.
        for (const match of source.matchAll(/\b(?:error|key): '([A-Za-z]+)'/g)) keys.add(match[1]);
      }
    } else if (path.endsWith('.html')) {
      for (const match of readExtensionFile(path).matchAll(/data-i18n(?:-[a-z-]+)?="([^"]+)"/g)) keys.add(match[1]);
    }
  }
  for (const match of readExtensionFile('manifest.json').matchAll(/__MSG_([A-Za-z0-9_@]+)__/g)) keys.add(match[1]);
  return keys;
}

test('English and French have the same keys and placeholders', () => {
  assert.deepEqual(Object.keys(locales.fr).sort(), Object.keys(locales.en).sort());
  for (const [key, entry] of Object.entries(locales.en)) {
    const placeholders = (e) => Object.keys(e.placeholders || {}).sort();
    assert.deepEqual(placeholders(locales.fr[key]), placeholders(entry), key);
  }
});

test('every message is well formed: text, and each $NAME$ has a placeholder', () => {
  for (const [lang, messages] of Object.entries(locales)) {
    for (const [key, entry] of Object.entries(messages)) {
      assert.match(key, /^[A-Za-z0-9_@]+$/, `${lang}: ${key}`);
      assert.equal(typeof entry.message, 'string', `${lang}: ${key}`);
      assert.ok(entry.message.trim(), `${lang}: ${key} is empty`);
      const named = [...entry.message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((m) => m[1].toLowerCase());
      assert.deepEqual([...new Set(named)].sort(), Object.keys(entry.placeholders || {}).sort(), `${lang}: ${key}`);
      assert.doesNotMatch(entry.message, /<[a-z]/i, `${lang}: ${key} holds markup`);
    }
  }
});

test('every key the extension uses exists, and every key is used', () => {
  const used = usedKeys();
  const missing = [...used].filter((key) => !Object.hasOwn(locales.en, key));
  assert.deepEqual(missing, [], 'keys used in code but missing from _locales/en/messages.json');
  const unused = Object.keys(locales.en).filter((key) => !used.has(key));
  assert.deepEqual(unused, [], 'keys in messages.json that nothing uses');
});

test('messages fill their placeholders in order', () => {
  const t = createTranslator(locales.en);
  assert.equal(t('payPerHour', '$1.50'), '$1.50 per hour');
  assert.equal(t('periodRange', '2019', '2021'), '2019 – 2021');
  assert.equal(t('syncResultError', 'today', 'HTTP 500'), 'Last sync: today, failed: HTTP 500. The previous index is kept.');
  assert.equal(createTranslator(locales.fr)('payPerHour', '1,50 $'), "1,50 $ de l'heure");
});

test('substituted text is never expanded again', () => {
  const entry = { message: 'A $X$ B', placeholders: { x: { content: '$1' } } };
  assert.equal(fillMessage(entry, ['$1 and $X$ and $$']), 'A $1 and $X$ and $$ B');
  assert.equal(fillMessage({ message: 'Costs $$5' }), 'Costs $5');
});

test('a missing key falls back to English, then to the key', () => {
  const t = createTranslator({}, locales.en);
  assert.equal(t('overlayClose'), 'Close');
  assert.equal(t('noSuchKey'), 'noSuchKey');
});

test('the language follows the setting, else the browser, else English', () => {
  assert.equal(resolveLanguage('fr', 'en-US'), 'fr');
  assert.equal(resolveLanguage('en', 'fr-FR'), 'en');
  assert.equal(resolveLanguage('auto', 'fr-CA'), 'fr');
  assert.equal(resolveLanguage('auto', 'fr_FR'), 'fr');
  assert.equal(resolveLanguage('auto', 'de-DE'), 'en');
  assert.equal(resolveLanguage(undefined, undefined), 'en');
});
