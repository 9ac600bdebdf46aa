import { test } from 'node:test';
import assert from 'node:assert/strict';

import { DEFAULT_SETTINGS, hideOnSite, readSettings, showOnSite } from '../../extension/lib/settings.js';
import { memoryStorage } from './helpers.mjs';

test('settings start from their defaults', async () => {
  assert.deepEqual(await readSettings(memoryStorage()), { ...DEFAULT_SETTINGS, hiddenSites: [] });
});

test('odd stored values fall back to the defaults', async () => {
  const storage = memoryStorage({
    serverUrl: 42,
    overlaysEnabled: 'no',
    overlayPosition: 'middle',
    language: 'de',
    hiddenSites: ['facebook.com', 7, null],
  });
  assert.deepEqual(await readSettings(storage), {
    serverUrl: '',
    overlaysEnabled: true,
    overlayPosition: 'bottom-right',
    language: 'auto',
    hiddenSites: ['facebook.com'],
  });
  assert.equal((await readSettings(memoryStorage({ overlaysEnabled: false }))).overlaysEnabled, false);
});

test('hiding and showing a site again', async () => {
  const storage = memoryStorage();
  await hideOnSite('youtube.com', storage);
  await hideOnSite('facebook.com', storage);
  await hideOnSite('facebook.com', storage);
  assert.deepEqual(storage.data.hiddenSites, ['facebook.com', 'youtube.com']);
  await showOnSite('facebook.com', storage);
  assert.deepEqual(storage.data.hiddenSites, ['youtube.com']);
});
