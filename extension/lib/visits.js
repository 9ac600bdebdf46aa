// What changed since the last visit to a platform's panel: for each platform, the ids and versions
// (last verification date) of the claims seen at the last opening, in chrome.storage.local
// `lastVisits`. Kept on the device only and never sent. The pure parts are testable in node.

export const VISITS_KEY = 'lastVisits';

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A claim's version: its `version` when the record has one, else the day it was last verified. */
export function claimVersion(claim) {
  if (!isPlainObject(claim)) return '';
  if (claim.version !== undefined && claim.version !== null) return String(claim.version);
  return typeof claim.last_verified === 'string' ? claim.last_verified : '';
}

/** {claim id: version} for the claims shown. */
export function visitSnapshot(claims) {
  const snapshot = {};
  for (const claim of Array.isArray(claims) ? claims : []) {
    if (isPlainObject(claim) && typeof claim.id === 'string') snapshot[claim.id] = claimVersion(claim);
  }
  return snapshot;
}

/**
 * Map claim id -> 'new' (not seen at the last visit) or 'updated' (seen with another version).
 * Empty on a first visit (no earlier snapshot): nothing is new to someone who never looked.
 */
export function changeMarks(previous, claims) {
  const marks = new Map();
  if (!isPlainObject(previous)) return marks;
  for (const [id, version] of Object.entries(visitSnapshot(claims))) {
    if (!Object.hasOwn(previous, id)) marks.set(id, 'new');
    else if (String(previous[id]) !== version) marks.set(id, 'updated');
  }
  return marks;
}

/**
 * Read the last visit to `slug`, record this one, and answer the marks for the claims shown.
 * `storage` is chrome.storage.local (or a stand-in). Other platforms' visits are kept.
 */
export async function recordVisit(storage, slug, claims, now = new Date()) {
  const stored = await storage.get(VISITS_KEY);
  const visits = isPlainObject(stored[VISITS_KEY]) ? stored[VISITS_KEY] : {};
  const last = isPlainObject(visits[slug]) ? visits[slug] : null;
  const marks = changeMarks(last ? last.claims : null, claims);
  const updated = { ...visits, [slug]: { at: now.toISOString(), claims: visitSnapshot(claims) } };
  await storage.set({ [VISITS_KEY]: updated });
  return { marks, lastVisit: last ? last.at : null };
}
