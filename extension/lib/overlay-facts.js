// What the overlay says about each kind of labour on a platform, read from the whole record on the
// device (data/export.json or the last synced copy): the headline claim of the kind (the same one
// the index names, see record.js headlineClaim) with who, where, when, how sure, and its first
// source's publisher and link. Pure: no DOM, no chrome.* calls, so node can test it.

import { countryName, evidenceLabel, formatPeriod, safeHttpUrl } from './format.js';
import { headlineClaim, platformRecord } from './record.js';

function text(value) {
  return typeof value === 'string' ? value : '';
}

/** Countries of a claim's locations, each once, in the claim's order, in the reader's language. */
function countries(locations, lang) {
  const seen = new Set();
  for (const place of Array.isArray(locations) ? locations : []) {
    if (place && typeof place.country === 'string') seen.add(place.country.toUpperCase());
  }
  return [...seen].map((code) => countryName(code, lang));
}

/** The first source with an http(s) link, else the first source, else null. */
function mainSource(claim) {
  const sources = (Array.isArray(claim.sources) ? claim.sources : []).filter(
    (source) => source && typeof source === 'object',
  );
  return sources.find((source) => safeHttpUrl(source.url)) || sources[0] || null;
}

/**
 * The overlay's facts for one platform: a Map kind -> {claim (id), summary, who, where, when,
 * evidence (level), sure (level in words), allegation, publisher, url (http(s) or '')}.
 * `who` and `where` are lists of names ([] when the record names none); `when` is '' when the
 * record gives no period. Kinds without a claim in the record are absent.
 */
export function overlayFacts(data, slug, lang, t) {
  const record = platformRecord(data, slug, lang);
  const facts = new Map();
  if (!record) return facts;
  const byKind = new Map();
  for (const claim of record.claims) {
    const kind = String(claim.kind);
    if (!byKind.has(kind)) byKind.set(kind, []);
    byKind.get(kind).push(claim);
  }
  for (const [kind, claims] of byKind) {
    const claim = headlineClaim(claims);
    const source = mainSource(claim);
    facts.set(kind, {
      claim: text(claim.id),
      summary: text(claim.summary),
      who: claim.vendors.map((vendor) => text(vendor.name) || text(vendor.slug)).filter(Boolean),
      where: countries(claim.locations, lang),
      when: formatPeriod(claim.observed, lang, t),
      evidence: text(claim.evidence),
      sure: claim.evidence ? evidenceLabel(claim.evidence, t) : '',
      allegation: claim.evidence === 'allegation',
      publisher: source ? text(source.publisher) : '',
      url: source ? safeHttpUrl(source.url) || '' : '',
    });
  }
  return facts;
}
