#!/usr/bin/env node
// How big the record the extension ships is (extension/data/export.json), raw and gzipped, today
// and at N times today's data (synthetic: every claim, platform and vendor copied N-1 more times
// with new ids, URLs and figures, and the words of each summary, translation and quote shuffled, so
// gzip cannot just point back at the original text). Also the time to parse it.
//   node extension/tools/export-size.mjs [N=10]

import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const EXPORT = new URL('../data/export.json', import.meta.url);

/** A small seeded generator (mulberry32), so the synthetic record is the same on every run. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffleWords(text, next) {
  if (typeof text !== 'string') return text;
  const words = text.split(' ');
  for (let i = words.length - 1; i > 0; i -= 1) {
    const j = Math.floor(next() * (i + 1));
    [words[i], words[j]] = [words[j], words[i]];
  }
  return words.join(' ');
}

function varySource(source, copy, next) {
  if (!source) return source;
  return {
    ...source,
    url: `${source.url}${source.url.includes('?') ? '&' : '?'}copy=${copy}`,
    title: shuffleWords(source.title, next),
    quote: shuffleWords(source.quote, next),
    ...(source.archive_url ? { archive_url: `${source.archive_url}#${copy}` } : {}),
  };
}

/** The record at `times` its size. */
export function scaled(record, times, seed = 1) {
  const next = random(seed);
  const out = {
    ...record,
    platforms: [...record.platforms],
    vendors: [...record.vendors],
    claims: [...record.claims],
  };
  for (let copy = 1; copy < times; copy += 1) {
    const slug = (s) => `${s}-x${copy}`;
    for (const platform of record.platforms) {
      out.platforms.push({
        ...platform,
        slug: slug(platform.slug),
        description: shuffleWords(platform.description, next),
        domains: platform.domains.map((d) => (typeof d === 'string' ? `x${copy}.${d}` : { ...d, host: `x${copy}.${d.host}` })),
      });
    }
    for (const vendor of record.vendors) out.vendors.push({ ...vendor, slug: slug(vendor.slug), description: shuffleWords(vendor.description, next) });
    for (const claim of record.claims) {
      out.claims.push({
        ...claim,
        id: slug(claim.id),
        summary: shuffleWords(claim.summary, next),
        translations: Object.fromEntries(Object.entries(claim.translations || {}).map(([k, v]) => [k, shuffleWords(v, next)])),
        platforms: claim.platforms.map(slug),
        vendors: claim.vendors.map(slug),
        workers: claim.workers == null ? null : Math.round(claim.workers * (0.5 + next())),
        pay: claim.pay ? { ...claim.pay, amount: Math.round(claim.pay.amount * (50 + 100 * next())) / 100 } : null,
        sources: claim.sources.map((s) => varySource(s, copy, next)),
        responses: (claim.responses || []).map((r) => ({ ...r, summary: shuffleWords(r.summary, next), source: varySource(r.source, copy, next) })),
      });
    }
  }
  return out;
}

function measure(record) {
  const body = Buffer.from(JSON.stringify(record));
  const started = process.hrtime.bigint();
  const runs = 20;
  for (let i = 0; i < runs; i += 1) JSON.parse(body.toString('utf8'));
  const parseMs = Number(process.hrtime.bigint() - started) / 1e6 / runs;
  return { claims: record.claims.length, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length, parseMs };
}

function main(argv) {
  const times = Number(argv[0] || 10);
  const record = JSON.parse(readFileSync(EXPORT, 'utf8'));
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  for (const [label, data] of [['today', record], [`${times}x (synthetic)`, scaled(record, times)]]) {
    const m = measure(data);
    console.log(`${label}: ${m.claims} claims, ${kb(m.bytes)} raw, ${kb(m.gzip)} gzip, JSON.parse ${m.parseMs.toFixed(1)} ms`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
