// The whole published record on the device: extension/data/export.json (the compact body of
// GET /api/v1/export.json) or the last good copy synced from the server. Pure functions to check
// it and to turn it into what the panel draws: no DOM, no chrome.* calls, so node can test them.

import { KINDS } from './format.js';

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isText(value, max = 20000) {
  return typeof value === 'string' && value.length <= max;
}

function claimProblems(claim, i) {
  const where = `claims[${i}]`;
  if (!isPlainObject(claim)) return [`${where} is not an object`];
  const problems = [];
  if (!isText(claim.id, 200) || !SLUG.test(claim.id)) problems.push(`${where}.id is not a slug`);
  if (!isText(claim.kind, 50)) problems.push(`${where}.kind is missing`);
  if (!isText(claim.summary) || !claim.summary) problems.push(`${where}.summary is missing`);
  if (!Array.isArray(claim.platforms) || !claim.platforms.every((slug) => isText(slug, 200))) {
    problems.push(`${where}.platforms is not a list of slugs`);
  }
  if (!Array.isArray(claim.sources) || !claim.sources.every(isPlainObject)) {
    problems.push(`${where}.sources is not a list`);
  }
  if (claim.vendors != null && !(Array.isArray(claim.vendors) && claim.vendors.every((v) => isText(v, 200)))) {
    problems.push(`${where}.vendors is not a list of slugs`);
  }
  if (claim.responses != null && !(Array.isArray(claim.responses) && claim.responses.every(isPlainObject))) {
    problems.push(`${where}.responses is not a list`);
  }
  if (claim.translations != null && !isPlainObject(claim.translations)) {
    problems.push(`${where}.translations is not an object`);
  }
  return problems;
}

/**
 * What is wrong with an export, as short English descriptions; empty when it can be drawn.
 * Shape checks only, like validateIndex: the server checked the content when it was published.
 */
export function validateExport(data) {
  if (!isPlainObject(data)) return ['the export is not an object'];
  const problems = [];
  for (const name of ['platforms', 'vendors', 'claims']) {
    if (!Array.isArray(data[name])) problems.push(`${name} is not a list`);
  }
  if (problems.length) return problems;
  data.platforms.forEach((platform, i) => {
    if (!isPlainObject(platform) || !isText(platform.slug, 200) || !SLUG.test(platform.slug)) {
      problems.push(`platforms[${i}] has no slug`);
    } else if (!isText(platform.name, 200) || !platform.name) {
      problems.push(`platforms[${i}].name is missing`);
    }
  });
  data.vendors.forEach((vendor, i) => {
    if (!isPlainObject(vendor) || !isText(vendor.slug, 200) || !isText(vendor.name, 500)) {
      problems.push(`vendors[${i}] has no slug or name`);
    }
  });
  data.claims.forEach((claim, i) => problems.push(...claimProblems(claim, i)));
  return problems.slice(0, 20);
}

export function isValidExport(data) {
  return validateExport(data).length === 0;
}

function translated(item, lang) {
  const translations = isPlainObject(item.translations) ? item.translations : {};
  const text = translations[lang];
  return typeof text === 'string' && text ? text : item.summary;
}

/**
 * One platform's record for the panel, in the reader's language, or null when the export does
 * not list it: {slug, name, owner, description, claims}. Each claim keeps its fields, with
 * `summary` (and each response's) translated when a translation exists and `vendors` as
 * objects {slug, name, hq_country, website} in the claim's order.
 */
export function platformRecord(data, slug, lang) {
  if (!isPlainObject(data) || !Array.isArray(data.platforms)) return null;
  const platform = data.platforms.find((p) => isPlainObject(p) && p.slug === slug);
  if (!platform) return null;
  const vendors = new Map((data.vendors || []).filter(isPlainObject).map((v) => [v.slug, v]));
  const claims = (data.claims || [])
    .filter((claim) => isPlainObject(claim) && Array.isArray(claim.platforms) && claim.platforms.includes(slug))
    .map((claim) => ({
      ...claim,
      summary: translated(claim, lang),
      vendors: (Array.isArray(claim.vendors) ? claim.vendors : []).map((vendorSlug) => {
        const vendor = vendors.get(vendorSlug);
        return vendor
          ? { slug: vendor.slug, name: vendor.name, hq_country: vendor.hq_country, website: vendor.website }
          : { slug: vendorSlug, name: vendorSlug };
      }),
      responses: (Array.isArray(claim.responses) ? claim.responses : [])
        .filter(isPlainObject)
        .map((response) => ({ ...response, summary: translated(response, lang) })),
    }));
  return {
    slug: platform.slug,
    name: platform.name,
    owner: platform.owner,
    description: platform.description,
    claims,
  };
}

function text(value) {
  return typeof value === 'string' ? value : '';
}

// The overlay's (and the index's) headline of a kind: the claim last verified most recently,
// then observed most recently, the first such in the export's order (server/index.py).
// The best-established claim first (an allegation or a republished copy only when nothing
// firmer exists), then the most recently verified, then the most recent: as server/index.py.
const HEADLINE_EVIDENCE = {
  official_record: 4, investigative_journalism: 3, academic_study: 3, company_statement: 2, allegation: 0,
};

function headlineKey(claim) {
  const sources = Array.isArray(claim.sources) ? claim.sources : [];
  const original = sources.every((s) => !(s && s.is_copy)) ? 1 : 0;
  return [HEADLINE_EVIDENCE[claim.evidence] || 0, original, text(claim.last_verified),
    text(claim.observed && claim.observed.start)];
}

function compareKeys(a, b) {
  for (let i = 0; i < a.length; i += 1) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/** The claim the overlay shows as the headline of a list of claims of one kind, or null. */
export function headlineClaim(claims) {
  let best = null;
  for (const claim of claims) {
    if (best === null || compareKeys(headlineKey(claim), headlineKey(best)) > 0) best = claim;
  }
  return best;
}

/**
 * When a claim was reported, for "newest first": the latest of its sources' publication dates
 * and the start and end of the period observed (partial dates compare as text: "2024" < "2024-03").
 */
export function claimDate(claim) {
  const dates = [];
  if (claim && isPlainObject(claim.observed)) dates.push(text(claim.observed.start), text(claim.observed.end));
  for (const source of Array.isArray(claim?.sources) ? claim.sources : []) {
    if (isPlainObject(source)) dates.push(text(source.published));
  }
  return dates.reduce((latest, date) => (date > latest ? date : latest), '');
}

/** Claims newest first (claimDate), the export's order between equals. */
export function newestFirst(claims) {
  return claims
    .map((claim, i) => ({ claim, i, date: claimDate(claim) }))
    .sort((a, b) => (a.date === b.date ? a.i - b.i : a.date < b.date ? 1 : -1))
    .map(({ claim }) => claim);
}

/** The claims of a given kind and evidence level ('' or 'all' for any). */
export function filterClaims(claims, { kind = '', evidence = '' } = {}) {
  const anyKind = !kind || kind === 'all';
  const anyEvidence = !evidence || evidence === 'all';
  return claims.filter(
    (claim) => (anyKind || claim.kind === kind) && (anyEvidence || claim.evidence === evidence),
  );
}

/**
 * The panel's groups: claims grouped by kind (usual order, unknown kinds last), each group with
 * `total` (all the platform's claims of that kind), `claims` (those passing the filters: the
 * overlay's headline first, then newest first) and `headline` (the headline's id). Groups with no
 * claim left after filtering are left out.
 */
export function panelGroups(claims, filters = {}) {
  const byKind = new Map(KINDS.map((kind) => [kind, []]));
  for (const claim of claims) {
    if (!isPlainObject(claim)) continue;
    const kind = String(claim.kind);
    if (!byKind.has(kind)) byKind.set(kind, []);
    byKind.get(kind).push(claim);
  }
  const groups = [];
  for (const [kind, all] of byKind) {
    if (!all.length) continue;
    const headline = headlineClaim(all);
    const shown = filterClaims(all, filters);
    if (!shown.length) continue;
    const rest = newestFirst(shown.filter((claim) => claim !== headline));
    groups.push({
      kind,
      total: all.length,
      headline: headline.id,
      claims: shown.includes(headline) ? [headline, ...rest] : rest,
    });
  }
  return groups;
}

/** The kinds and evidence levels present in a list of claims, for the filters' choices. */
export function filterChoices(claims) {
  const kinds = new Set();
  const evidence = new Set();
  for (const claim of claims) {
    if (!isPlainObject(claim)) continue;
    kinds.add(String(claim.kind));
    if (claim.evidence) evidence.add(String(claim.evidence));
  }
  return { kinds: [...kinds], evidence: [...evidence] };
}
