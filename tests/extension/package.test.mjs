import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { packageManifests, projectVersion } from '../../extension/tools/package.mjs';
import { readJson } from './helpers.mjs';

const PYPROJECT = readFileSync(new URL('../../pyproject.toml', import.meta.url), 'utf8');

test('the version comes from pyproject.toml, and the unpacked manifest agrees with it', () => {
  const version = projectVersion(PYPROJECT);
  assert.match(version, /^\d+(\.\d+){0,3}$/);
  assert.equal(readJson('manifest.json').version, version);
});

test('only the [project] version counts, and only a version browsers accept', () => {
  const text = '[tool.x]\nversion = "9.9.9"\n[project]\nname = "x"\nversion = "1.2.3"\n[tool.y]\nversion = "7"\n';
  assert.equal(projectVersion(text), '1.2.3');
  assert.throws(() => projectVersion('[project]\nversion = "1.0.0rc1"\n'), /not a browser extension version/);
  assert.throws(() => projectVersion('[project]\nversion = "01.2"\n'), /not a browser extension version/);
  assert.throws(() => projectVersion('[tool]\nversion = "1.0"\n'), /no \[project\] version/);
});

test('the Chrome package drops what only Firefox reads; the Firefox package keeps the manifest', () => {
  const manifest = readJson('manifest.json');
  const { chrome, firefox } = packageManifests(manifest, '2.3.4');
  assert.equal(chrome.version, '2.3.4');
  assert.equal(firefox.version, '2.3.4');
  assert.deepEqual(chrome.background, { service_worker: 'background.js', type: 'module' });
  assert.equal(chrome.browser_specific_settings, undefined);
  assert.deepEqual(firefox.background, manifest.background);
  assert.deepEqual(firefox.browser_specific_settings, manifest.browser_specific_settings);
  assert.deepEqual(chrome.permissions, manifest.permissions);
  assert.deepEqual(chrome.content_scripts, manifest.content_scripts);
  assert.equal(manifest.version !== '2.3.4', true, 'the source manifest is left alone');
});
