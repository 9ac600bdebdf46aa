#!/usr/bin/env node
// Regenerate the manifest's host permissions and content script matches from the bundled index,
// so the extension can read tabs and draw its overlay on the listed platforms and nowhere else.
//   node extension/tools/sync-manifest.mjs          rewrite extension/manifest.json
//   node extension/tools/sync-manifest.mjs --check  exit 1 if it is out of date
// Run it after replacing extension/data/index.json (behind-the-feed export-index).

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const EXTENSION = new URL('../', import.meta.url);
const MANIFEST = new URL('manifest.json', EXTENSION);
const INDEX = new URL('data/index.json', EXTENSION);

/** The match patterns for a list of hosts: each host and all its subdomains, http and https. */
export function hostPatterns(hosts) {
  return [...new Set(hosts)]
    .sort()
    .flatMap((host) => [`*://${host}/*`, `*://*.${host}/*`]);
}

/**
 * The match patterns for everything the index lists: plain hosts and path rules cover the host
 * and its subdomains (a path rule's page can be reached without a page load, on a single-page
 * site, so the content script is there on the whole host and matching decides); an exact rule
 * covers that host only. Sorted by host, each host's own pattern first.
 */
export function indexPatterns(index) {
  const wide = new Set(Object.keys(index.hosts || {}));
  const exact = new Set();
  for (const rule of Array.isArray(index.rules) ? index.rules : []) {
    if (!rule || typeof rule.host !== 'string') continue;
    if (rule.scope === 'exact') exact.add(rule.host);
    else wide.add(rule.host);
  }
  const patterns = new Set();
  for (const host of [...new Set([...wide, ...exact])].sort()) {
    patterns.add(`*://${host}/*`);
    if (wide.has(host)) patterns.add(`*://*.${host}/*`);
  }
  return [...patterns];
}

/** The manifest with host_permissions and content_scripts[].matches taken from the index. */
export function syncedManifest(manifest, index) {
  const patterns = indexPatterns(index);
  return {
    ...manifest,
    host_permissions: patterns,
    content_scripts: manifest.content_scripts.map((script) => ({ ...script, matches: patterns })),
  };
}

export function serialize(manifest) {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

export function readJson(url) {
  return JSON.parse(readFileSync(url, 'utf8'));
}

function main(argv) {
  const current = readFileSync(MANIFEST, 'utf8');
  const wanted = serialize(syncedManifest(JSON.parse(current), readJson(INDEX)));
  if (argv.includes('--check')) {
    if (current !== wanted) {
      console.error('extension/manifest.json is out of sync with extension/data/index.json:');
      console.error('run node extension/tools/sync-manifest.mjs');
      return 1;
    }
    console.log('extension/manifest.json is in sync with the index.');
    return 0;
  }
  if (current !== wanted) writeFileSync(MANIFEST, wanted);
  console.log(`extension/manifest.json: ${current === wanted ? 'already in sync' : 'updated'}.`);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
