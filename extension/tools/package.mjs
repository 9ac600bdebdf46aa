#!/usr/bin/env node
// Build the packages to upload: one zip for the Chrome Web Store, one for addons.mozilla.org,
// with `web-ext build` (from tests/extension's node_modules: `npm ci --prefix tests/extension`).
//   node extension/tools/package.mjs            writes dist/behind-the-feed-{chrome,firefox}-<version>.zip
//   node extension/tools/package.mjs --check    only checks the version and the manifests
//   node extension/tools/package.mjs --sync-version   writes pyproject's version into extension/manifest.json
// The version comes from one place, pyproject.toml: it is written into each package's manifest.
// The Chrome package leaves out what only Firefox reads (background.scripts, gecko settings);
// the Firefox package is the manifest as it is. extension/tools/ itself is not shipped.

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXTENSION = join(ROOT, 'extension');
const WEB_EXT = join(ROOT, 'tests/extension/node_modules/.bin/web-ext');
const SKIPPED = new Set(['tools']);

/** The project's version, from pyproject.toml's [project] table. */
export function projectVersion(pyproject) {
  const project = /^\[project\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(pyproject);
  const match = project && /^version\s*=\s*"([^"]+)"\s*$/m.exec(project[1]);
  if (!match) throw new Error('pyproject.toml has no [project] version');
  // Browsers take one to four dot-separated integers, no leading zeros, no suffix.
  if (!/^(0|[1-9]\d{0,8})(\.(0|[1-9]\d{0,8})){0,3}$/.test(match[1])) {
    throw new Error(`version ${match[1]} is not a browser extension version (1 to 4 integers)`);
  }
  return match[1];
}

/** The manifest of each package, with the version written in. */
export function packageManifests(manifest, version) {
  const firefox = { ...manifest, version };
  // Not named `chrome`: the add-on linter would read chrome.background.* as API calls.
  const forChrome = { ...manifest, version, background: { ...manifest.background } };
  for (const key of ['scripts', 'preferred_environment']) delete forChrome.background[key];
  delete forChrome.browser_specific_settings;
  return { chrome: forChrome, firefox };
}

function stage(dir, manifest) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(EXTENSION, dir, {
    recursive: true,
    filter: (source) => !SKIPPED.has(source.slice(EXTENSION.length + 1).split(/[\\/]/)[0]),
  });
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

function main(argv) {
  const version = projectVersion(readFileSync(join(ROOT, 'pyproject.toml'), 'utf8'));
  const manifest = JSON.parse(readFileSync(join(EXTENSION, 'manifest.json'), 'utf8'));
  const manifests = packageManifests(manifest, version);
  if (argv.includes('--sync-version')) {
    if (manifest.version !== version) {
      writeFileSync(join(EXTENSION, 'manifest.json'), `${JSON.stringify({ ...manifest, version }, null, 2)}\n`);
    }
    console.log(`extension/manifest.json: version ${version}`);
    return 0;
  }
  if (argv.includes('--check')) {
    console.log(`version ${version} (pyproject.toml); manifests ready for chrome and firefox`);
    return 0;
  }
  if (!existsSync(WEB_EXT)) {
    console.error('web-ext is missing: npm ci --prefix tests/extension');
    return 1;
  }
  const dist = join(ROOT, 'dist');
  for (const [browser, browserManifest] of Object.entries(manifests)) {
    const dir = join(ROOT, 'build', `extension-${browser}`);
    stage(dir, browserManifest);
    const filename = `behind-the-feed-${browser}-${version}.zip`;
    execFileSync(WEB_EXT, ['build', '--source-dir', dir, '--artifacts-dir', dist, '--filename', filename,
      '--overwrite-dest'], { stdio: ['ignore', 'ignore', 'inherit'] });
    console.log(`dist/${filename}`);
  }
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
