#!/usr/bin/env node
// Regenerate the data the extension ships, from one snapshot of the dataset, so they agree:
//   extension/data/index.json   hosts, rules and per-platform summaries (GET /api/v1/index)
//   extension/data/export.json  the whole published record, compact (GET /api/v1/export.json)
// then the manifest's host permissions (sync-manifest.mjs).
//   node extension/tools/export-data.mjs                      from server/data/dataset
//   BTF_SEED_DIR=/some/dataset node extension/tools/export-data.mjs
// `behind-the-feed export-index` seeds a throw-away data folder and writes the index; the service
// writes export.json into that folder's public directory on the same publish, byte for byte what
// /api/v1/export.json serves. Needs the Python environment (.venv, or BTF_BIN=behind-the-feed).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVER_ONLY_VENDOR_KEYS = ['sites', 'description', 'wikidata', 'opencorporates'];
const BIN = process.env.BTF_BIN || join(ROOT, '.venv/bin/behind-the-feed');

const work = mkdtempSync(join(tmpdir(), 'btf-export-'));
try {
  const env = { ...process.env, BTF_DATA_DIR: work, BTF_PUBLIC_DIR: join(work, 'public') };
  delete env.BTF_DATABASE_URL; // always a throw-away SQLite file
  execFileSync(BIN, ['export-index', join(ROOT, 'extension/data/index.json')], { env, cwd: ROOT, stdio: ['ignore', 'inherit', 'ignore'] });
  const target = join(ROOT, 'extension/data/export.json');
  // The copy that ships leaves out what no page of the extension reads (a vendor's sites,
  // description and registry ids: the workshop and the API show them), so the whole record of
  // every claim fits the install budget. A server's sync replaces it with the full file.
  const record = JSON.parse(readFileSync(join(work, 'public/export.json'), 'utf8'));
  for (const vendor of record.vendors) {
    for (const key of SERVER_ONLY_VENDOR_KEYS) delete vendor[key];
  }
  writeFileSync(target, JSON.stringify(record));
  execFileSync(process.execPath, [join(ROOT, 'extension/tools/sync-manifest.mjs')], { stdio: 'inherit' });
  const body = readFileSync(target);
  console.log(`extension/data/export.json: ${body.length} bytes, ${gzipSync(body, { level: 9 }).length} gzip.`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
