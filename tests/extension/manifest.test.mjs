import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { hostPatterns, indexPatterns, serialize, syncedManifest } from '../../extension/tools/sync-manifest.mjs';
import { EXTENSION_DIR, readExtensionFile, readJson } from './helpers.mjs';

const manifest = readJson('manifest.json');
const index = readJson('data/index.json');

test('host permissions and content script matches are in sync with the bundled index', () => {
  const wanted = serialize(syncedManifest(manifest, index));
  assert.equal(
    readExtensionFile('manifest.json'),
    wanted,
    'run: node extension/tools/sync-manifest.mjs',
  );
});

test('host patterns cover each listed host and its subdomains, nothing else', () => {
  assert.deepEqual(hostPatterns(['fb.com', 'facebook.com', 'fb.com']), [
    '*://facebook.com/*',
    '*://*.facebook.com/*',
    '*://fb.com/*',
    '*://*.fb.com/*',
  ]);
  const patterns = indexPatterns(index);
  assert.deepEqual(manifest.host_permissions, patterns);
  for (const script of manifest.content_scripts) assert.deepEqual(script.matches, patterns);
});

test('exact and path rules get host permissions too: an exact host alone, a path rule its host and subdomains', () => {
  const patterns = indexPatterns({
    hosts: { 'facebook.com': 'facebook' },
    rules: [
      { host: 'mail.google.com', slug: 'gmail', scope: 'exact' },
      { host: 'www.google.com', slug: 'google-search', path: '/search' },
      { host: 'www.google.com', slug: 'google-images', path: '/imghp' },
    ],
  });
  assert.deepEqual(patterns, [
    '*://facebook.com/*',
    '*://*.facebook.com/*',
    '*://mail.google.com/*',
    '*://www.google.com/*',
    '*://*.www.google.com/*',
  ]);
  // Every rule of the bundled index can draw its overlay: its host is covered.
  const covered = new Set(manifest.host_permissions);
  for (const rule of index.rules || []) {
    assert.ok(covered.has(`*://${rule.host}/*`), `${rule.host} (${rule.slug}) has no host permission`);
  }
});

test('the permissions are the minimum: no <all_urls>, no tabs, servers only on request', () => {
  assert.equal(manifest.manifest_version, 3);
  // scripting: the content script for listed sites new in a synced index, once the user grants them.
  assert.deepEqual([...manifest.permissions].sort(), ['activeTab', 'alarms', 'scripting', 'storage']);
  const everything = JSON.stringify([manifest.permissions, manifest.host_permissions, manifest.content_scripts]);
  assert.doesNotMatch(everything, /<all_urls>|\*:\/\/\*\/\*|https?:\/\/\*\/\*/);
  assert.deepEqual(manifest.optional_host_permissions, ['http://*/*', 'https://*/*']);
  assert.equal(manifest.web_accessible_resources, undefined);
  assert.equal(manifest.externally_connectable, undefined);
});

test('one manifest for Chromium and Firefox', () => {
  assert.equal(manifest.background.service_worker, 'background.js');
  assert.deepEqual(manifest.background.scripts, ['background.js']);
  assert.equal(manifest.background.type, 'module');
  const { gecko } = manifest.browser_specific_settings;
  assert.match(gecko.id, /^[a-z0-9.-]+@[a-z0-9.-]+$/);
  assert.ok(Number.parseFloat(gecko.strict_min_version) >= 140, 'data_collection_permissions needs Firefox 140');
  assert.deepEqual(gecko.data_collection_permissions, { required: ['none'] });
  assert.equal(manifest.default_locale, 'en');
});

test('every file the manifest names exists', () => {
  const files = [
    manifest.background.service_worker,
    manifest.action.default_popup,
    manifest.options_ui.page,
    ...Object.values(manifest.icons),
    ...Object.values(manifest.action.default_icon),
    ...manifest.content_scripts.flatMap((script) => script.js),
  ];
  for (const file of files) assert.ok(existsSync(join(EXTENSION_DIR, file)), file);
});
