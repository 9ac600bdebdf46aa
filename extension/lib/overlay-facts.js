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

/** The facts of one kind's claims (claims as platformRecord gives them: vendors as objects). */
function kindFacts(claims, lang, t) {
  const claim = headlineClaim(claims);
  const source = mainSource(claim);
  return {
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
  };
}

/** kind -> facts of a platform's claims, kinds in the order of their first claim. */
function factsOfClaims(claims, lang, t) {
  const byKind = new Map();
  for (const claim of claims) {
    const kind = String(claim.kind);
    if (!byKind.has(kind)) byKind.set(kind, []);
    byKind.get(kind).push(claim);
  }
  const facts = new Map();
  for (const [kind, kindClaims] of byKind) facts.set(kind, kindFacts(kindClaims, lang, t));
  return facts;
}

/**
 * The overlay's facts for one platform: a Map kind -> {claim (id), summary, who, where, when,
 * evidence (level), sure (level in words), allegation, publisher, url (http(s) or '')}.
 * `who` and `where` are lists of names ([] when the record names none); `when` is '' when the
 * record gives no period. Kinds without a claim in the record are absent.
 */
export function overlayFacts(data, slug, lang, t) {
  const record = platformRecord(data, slug, lang);
  return record ? factsOfClaims(record.claims, lang, t) : new Map();
}

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * What the overlay needs of every platform of a record, worked out in one pass over the claims
 * (overlayFacts per platform would walk all of them once per platform): {slug: {name, moderators,
 * facts: {lang: {kind: facts}}}} for each language of `translators` ({lang: t}), plain JSON, so the
 * background can keep it in storage and a later start reads a few KB of one platform instead of
 * the whole record. `facts[lang]` equals overlayFacts(data, slug, lang, t) as an object; `name`
 * and `moderators` are what moderatorOverlayLine reads of the platform. With `slugs`, only those
 * platforms (so that a caller can work in short steps).
 */
export function overlaySummaries(data, translators, slugs = null) {
  const wanted = slugs ? new Set(slugs) : null;
  const summaries = {};
  if (!isPlainObject(data) || !Array.isArray(data.platforms)) return summaries;
  for (const platform of data.platforms) {
    // The first entry of a slug wins, as in platformRecord.
    if (!isPlainObject(platform) || typeof platform.slug !== 'string' || Object.hasOwn(summaries, platform.slug)) continue;
    if (wanted && !wanted.has(platform.slug)) continue;
    summaries[platform.slug] = {
      name: text(platform.name),
      moderators: Array.isArray(platform.moderators) ? platform.moderators : [],
      facts: {},
    };
  }
  const vendors = new Map((Array.isArray(data.vendors) ? data.vendors : []).filter(isPlainObject).map((v) => [v.slug, v]));
  const claims = (Array.isArray(data.claims) ? data.claims : []).filter(
    (claim) => isPlainObject(claim) && Array.isArray(claim.platforms) && claim.platforms.some((slug) => Object.hasOwn(summaries, slug)),
  );
  for (const [lang, t] of Object.entries(translators)) {
    const bySlug = new Map();
    for (const claim of claims) {
      const translations = isPlainObject(claim.translations) ? claim.translations : {};
      const translated = typeof translations[lang] === 'string' && translations[lang] ? translations[lang] : claim.summary;
      const shown = {
        ...claim,
        summary: translated,
        vendors: (Array.isArray(claim.vendors) ? claim.vendors : []).map((vendorSlug) => {
          const vendor = vendors.get(vendorSlug);
          return vendor ? { slug: vendor.slug, name: vendor.name } : { slug: vendorSlug, name: vendorSlug };
        }),
      };
      for (const slug of new Set(claim.platforms)) {
        if (!Object.hasOwn(summaries, slug)) continue;
        if (!bySlug.has(slug)) bySlug.set(slug, []);
        bySlug.get(slug).push(shown);
      }
    }
    for (const slug of Object.keys(summaries)) {
      summaries[slug].facts[lang] = Object.fromEntries(factsOfClaims(bySlug.get(slug) || [], lang, t));
    }
  }
  return summaries;
}
