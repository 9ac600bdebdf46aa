import { test } from 'node:test';
import assert from 'node:assert/strict';

import { readJson } from './helpers.mjs';

test('a keyboard shortcut opens the panel (the toolbar button\'s popup), in both languages', () => {
  const { commands } = readJson('manifest.json');
  const open = commands._execute_action;
  assert.match(open.suggested_key.default, /^(Alt|Ctrl)\+Shift\+[A-Z]$/);
  const key = /^__MSG_(\w+)__$/.exec(open.description)[1];
  for (const lang of ['en', 'fr']) assert.ok(readJson(`_locales/${lang}/messages.json`)[key].message, lang);
  assert.deepEqual(Object.keys(commands), ['_execute_action'], 'no other shortcut is taken');
});
