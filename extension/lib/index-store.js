// The extension index: checked before use, the last good copy kept in chrome.storage.local, the
// bundled snapshot (data/index.json) as the fallback, and the conditional sync with the server.
// The sync downloads the whole index; nothing about the user's browsing is ever sent.

import { matchUrl } from './match.js';
import { apiUrl } from './format.js';
import { isValidExport, validateExport } from './record.js';

export const SYNC_ALARM = 'index-sync';
export const SYNC_PERIOD_MINUTES = 24 * 60;
const SYNC_TIMEOUT_MS = 20000;

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const HOST = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/;
const MAX_TEXT = 5000;

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isCount(value) {
  return Number.isInteger(value) && value >= 0;
}

function isText(value, max = MAX_TEXT) {
  return typeof value === 'string' && value.length <= max;
}

function platformProblems(slug, platform) {
  if (!SLUG.test(slug)) return [`platform slug ${JSON.stringify(slug)} is not a slug`];
  const where = `platforms.${slug}`;
  if (!isPlainObject(platform)) return [`${where} is not an object`];
  const problems = [];
  if (!isText(platform.name, 200) || !platform.name.trim()) problems.push(`${where}.name is missing`);
  if (platform.owner != null && !isText(platform.owner, 200)) problems.push(`${where}.owner is not text`);
  if (!isCount(platform.total)) problems.push(`${where}.total is not a count`);
  if (!isPlainObject(platform.counts)) {
    problems.push(`${where}.counts is not an object`);
  } else {
    for (const [kind, count] of Object.entries(platform.counts)) {
      if (!isCount(count)) problems.push(`${where}.counts.${kind} is not a count`);
    }
  }
  if (platform.headlines != null) {
    if (!isPlainObject(platform.headlines)) {
      problems.push(`${where}.headlines is not an object`);
    } else {
      for (const [kind, headline] of Object.entries(platform.headlines)) {
        const texts = isPlainObject(headline) ? Object.values(headline) : [headline];
        if (!texts.every((text) => text == null || isText(text))) {
          problems.push(`${where}.headlines.${kind} is not text`);
        }
      }
    }
  }
  return problems;
}

/**
 * What is wrong with an index, as a list of short English descriptions; empty when it is valid.
 * Shape checks only: an index that passes can be drawn without surprises.
 */
export function validateIndex(index) {
  if (!isPlainObject(index)) return ['the index is not an object'];
  const problems = [];
  if (!isText(index.version, 200) || !index.version) problems.push('version is missing');
  if (!isText(index.generated_at, 100) || Number.isNaN(Date.parse(index.generated_at))) {
    problems.push('generated_at is not a date');
  }
  if (!isPlainObject(index.platforms)) problems.push('platforms is not an object');
  if (!isPlainObject(index.hosts)) problems.push('hosts is not an object');
  if (index.rules != null && !Array.isArray(index.rules)) problems.push('rules is not a list');
  if (problems.length) return problems;
  for (const rule of index.rules || []) {
    // match.js skips a malformed rule; one that names an unknown platform would draw nothing.
    if (!isPlainObject(rule) || typeof rule.slug !== 'string' || !Object.hasOwn(index.platforms, rule.slug)) {
      problems.push(`rule ${JSON.stringify(rule?.host)} points to an unknown platform`);
    }
  }
  for (const [slug, platform] of Object.entries(index.platforms)) {
    problems.push(...platformProblems(slug, platform));
  }
  for (const [host, slug] of Object.entries(index.hosts)) {
    if (!HOST.test(host) || !host.includes('.')) problems.push(`host ${JSON.stringify(host)} is not a host name`);
    else if (typeof slug !== 'string' || !Object.hasOwn(index.platforms, slug)) {
      problems.push(`host ${host} points to an unknown platform`);
    }
  }
  return problems.slice(0, 20);
}

/** Whether the index can be used. */
export function isValidIndex(index) {
  return validateIndex(index).length === 0;
}

/**
 * The platform listed for a page URL, matched here and nowhere else, on the full URL (exact-host
 * and path rules apply): {slug, host (the listed host of the rule that matched), path (the rule's
 * path prefix, '' for none), platform} or null.
 */
export function platformForUrl(url, index) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  const rule = matchUrl(parsed.href, index);
  if (!rule || !index.platforms || !Object.hasOwn(index.platforms, rule.slug)) return null;
  return { slug: rule.slug, host: rule.host, path: rule.path, platform: index.platforms[rule.slug] };
}

/** The index shipped with the extension. */
export async function loadBundledIndex(fetchImpl = fetch) {
  const response = await fetchImpl(chrome.runtime.getURL('data/index.json'));
  return response.json();
}

/**
 * The index to use: the last good one from the server if there is one, else the bundled one.
 * Returns {index, origin: 'server' | 'bundled'}.
 */
export async function readIndex(storage = chrome.storage.local, loadBundled = loadBundledIndex) {
  const { index } = await storage.get('index');
  if (index && isValidIndex(index)) return { index, origin: 'server' };
  return { index: await loadBundled(), origin: 'bundled' };
}

// A whole file the server publishes and the extension keeps: the index and the export. Both are
// synced the same way: one conditional GET of the whole file, kept only when it is valid.
const FILES = {
  index: { path: 'api/v1/index', key: 'index', etagKey: 'indexEtag', statusKey: 'lastSync', validate: validateIndex },
  export: {
    path: 'api/v1/export.json',
    key: 'export',
    etagKey: 'exportEtag',
    statusKey: 'lastExportSync',
    validate: validateExport,
  },
};

async function fetchFile(file, { serverUrl, storage, fetchImpl, timeoutMs }) {
  const { [file.key]: stored, [file.etagKey]: etag } = await storage.get([file.key, file.etagKey]);
  const headers = { Accept: 'application/json' };
  if (etag && stored && file.validate(stored).length === 0) headers['If-None-Match'] = etag;
  const response = await fetchImpl(apiUrl(serverUrl, file.path), {
    headers,
    // The conditional request is ours: the HTTP cache must neither answer it nor store it.
    cache: 'no-store',
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
    signal: AbortSignal.timeout(timeoutMs),
  });
  const version = (data) => data?.version ?? data?.generated_at;
  if (response.status === 304) return { result: 'not-modified', version: version(stored) };
  if (!response.ok) return { result: 'error', message: `HTTP ${response.status}` };
  let body;
  try {
    body = await response.json();
  } catch {
    return { result: 'error', message: 'the answer is not JSON' };
  }
  const problems = file.validate(body);
  if (problems.length) return { result: 'error', message: `invalid ${file.key}: ${problems[0]}` };
  const { serverUrl: current } = await storage.get('serverUrl');
  if (current !== serverUrl) return { result: 'error', message: 'the server URL changed during the sync' };
  await storage.set({ [file.key]: body, [file.etagKey]: response.headers.get('ETag') || '' });
  return { result: 'ok', version: version(body) };
}

async function syncFile(file, { storage = chrome.storage.local, fetchImpl = fetch, now = () => new Date(), timeoutMs = SYNC_TIMEOUT_MS } = {}) {
  const { serverUrl } = await storage.get('serverUrl');
  if (!serverUrl) return { at: now().toISOString(), result: 'no-server' };
  let outcome;
  try {
    outcome = await fetchFile(file, { serverUrl, storage, fetchImpl, timeoutMs });
  } catch (error) {
    const message = error && error.name === 'TimeoutError' ? 'timed out' : String(error?.message || error);
    outcome = { result: 'error', message };
  }
  const status = { at: now().toISOString(), serverUrl, ...outcome };
  await storage.set({ [file.statusKey]: status });
  return status;
}

/**
 * Download the index from the server with If-None-Match. A failure or an invalid answer keeps the
 * last good index. Records and returns {at, result: ok|not-modified|error|no-server, message?,
 * version?} as `lastSync`.
 */
export function syncIndex(options = {}) {
  return syncFile(FILES.index, options);
}

/**
 * Download the whole published record (GET /api/v1/export.json) the same way: If-None-Match,
 * the last good copy kept on failure or an invalid answer. Records and returns the outcome as
 * `lastExportSync`. Never a request per site or per platform.
 */
export function syncExport(options = {}) {
  return syncFile(FILES.export, options);
}

/** The record shipped with the extension (data/export.json). */
export async function loadBundledExport(fetchImpl = fetch) {
  const response = await fetchImpl(chrome.runtime.getURL('data/export.json'));
  return response.json();
}

/**
 * The record to show: the last good one from the server if there is one, else the bundled one.
 * Returns {data, origin: 'server' | 'bundled'}.
 */
export async function readExport(storage = chrome.storage.local, loadBundled = loadBundledExport) {
  const { export: stored } = await storage.get('export');
  if (stored && isValidExport(stored)) return { data: stored, origin: 'server' };
  return { data: await loadBundled(), origin: 'bundled' };
}

/** Forget everything that came from a server (when the user removes or changes the server URL). */
export async function forgetServerData(storage = chrome.storage.local) {
  const all = await storage.get(null);
  const keys = Object.keys(all).filter(
    (key) =>
      ['index', 'indexEtag', 'lastSync', 'export', 'exportEtag', 'lastExportSync'].includes(key) ||
      key.startsWith('details:'),
  );
  if (keys.length) await storage.remove(keys);
}

/** Create the daily sync alarm unless it already exists (recreating it would push it back). */
export async function ensureSyncAlarm(alarms = chrome.alarms) {
  const existing = await alarms.get(SYNC_ALARM);
  if (!existing) {
    await alarms.create(SYNC_ALARM, {
      delayInMinutes: SYNC_PERIOD_MINUTES,
      periodInMinutes: SYNC_PERIOD_MINUTES,
    });
  }
}
