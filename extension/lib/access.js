// Site access: which listed sites the extension may read, and one way to ask for the others.
// Two cases, one code path: a site of the manifest whose access the user (or a policy) withdrew
// or left "on click", and a site new to a synced index that the manifest does not cover at all
// (asked for as an optional host permission, then covered by a content script registered at run
// time). Nothing is asked for without the user's click.

export const DYNAMIC_SCRIPT_ID = 'btf-overlay-new-sites';
const OVERLAY_SCRIPT = 'content/overlay.js';

/** The match patterns a host rule needs: the host alone (exact rules) or with its subdomains. */
export function rulePatterns(host, scope = 'subdomains') {
  return scope === 'exact' ? [`*://${host}/*`] : [`*://${host}/*`, `*://*.${host}/*`];
}

/**
 * Every site the index lists, as [{host, slug, patterns}] sorted by host: plain hosts and
 * path rules cover the host and its subdomains, exact rules the host only. One entry per host.
 */
export function listedSites(index) {
  const sites = new Map();
  const add = (host, slug, scope) => {
    if (typeof host !== 'string' || !host || typeof slug !== 'string') return;
    const entry = sites.get(host) || { host, slug, patterns: [] };
    for (const pattern of rulePatterns(host, scope)) {
      if (!entry.patterns.includes(pattern)) entry.patterns.push(pattern);
    }
    sites.set(host, entry);
  };
  const hosts = index && typeof index.hosts === 'object' && index.hosts ? index.hosts : {};
  for (const [host, slug] of Object.entries(hosts)) add(host, slug, 'subdomains');
  for (const rule of Array.isArray(index?.rules) ? index.rules : []) {
    if (rule && typeof rule === 'object') add(rule.host, rule.slug, rule.scope === 'exact' ? 'exact' : 'subdomains');
  }
  return [...sites.values()].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
}

/** `*://host/*` as its http and https patterns (anything else as it is). */
export function bySchemes(pattern) {
  return pattern.startsWith('*://') ? [`http${pattern.slice(1)}`, `https${pattern.slice(1)}`] : [pattern];
}

/**
 * The access diff: given the listed sites, the manifest's host patterns and `granted(pattern)`
 * (true when the browser grants it), answers
 *   missing:  the sites with at least one pattern not granted, [{host, slug, patterns (the
 *             missing ones), isNew (not in the manifest)}]
 *   origins:  every missing pattern, once, sorted (what one click asks for)
 *   dynamic:  the granted patterns the manifest does not cover (what the registered content
 *             script must match), sorted.
 */
export async function accessDiff(sites, manifestPatterns, granted) {
  const inManifest = new Set(manifestPatterns || []);
  const missing = [];
  const origins = new Set();
  const dynamic = new Set();
  for (const site of sites) {
    const lacking = [];
    // A manifest pattern is asked for again as it is; one the manifest lacks falls under the
    // optional http://*/* and https://*/*, so it is asked for (and checked) scheme by scheme.
    const wanted = site.patterns.flatMap((pattern) => (inManifest.has(pattern) ? [pattern] : bySchemes(pattern)));
    for (const pattern of wanted) {
      if (await granted(pattern)) {
        if (!inManifest.has(pattern)) dynamic.add(pattern);
      } else {
        lacking.push(pattern);
        origins.add(pattern);
      }
    }
    if (lacking.length) {
      missing.push({
        host: site.host,
        slug: site.slug,
        patterns: lacking,
        isNew: site.patterns.some((pattern) => !inManifest.has(pattern)),
      });
    }
  }
  return { missing, origins: [...origins].sort(), dynamic: [...dynamic].sort() };
}

/** The access diff of this browser, for the index in use. */
export async function currentAccess(index, api = chrome) {
  const manifest = api.runtime.getManifest();
  const granted = (pattern) => api.permissions.contains({ origins: [pattern] }).catch(() => false);
  return accessDiff(listedSites(index), manifest.host_permissions || [], granted);
}

/**
 * Keep the registered content script in step with the granted sites the manifest lacks:
 * registered (persisted) for them, updated when they change, unregistered when none is left.
 * Answers the patterns it now matches.
 */
export async function syncContentScripts(index, api = chrome) {
  const { dynamic } = await currentAccess(index, api);
  if (!api.scripting || typeof api.scripting.getRegisteredContentScripts !== 'function') return dynamic;
  const registered = await api.scripting.getRegisteredContentScripts({ ids: [DYNAMIC_SCRIPT_ID] });
  const script = {
    id: DYNAMIC_SCRIPT_ID,
    js: [OVERLAY_SCRIPT],
    matches: dynamic,
    runAt: 'document_start',
    persistAcrossSessions: true,
  };
  if (!dynamic.length) {
    if (registered.length) await api.scripting.unregisterContentScripts({ ids: [DYNAMIC_SCRIPT_ID] });
  } else if (!registered.length) {
    await api.scripting.registerContentScripts([script]);
  } else if (JSON.stringify([...(registered[0].matches || [])].sort()) !== JSON.stringify(dynamic)) {
    await api.scripting.updateContentScripts([{ id: DYNAMIC_SCRIPT_ID, matches: dynamic }]);
  }
  return dynamic;
}
