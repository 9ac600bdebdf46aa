// "Who does the work" and "What you can do": the companies behind a platform's hidden labour and
// the routes open to people, derived from the record on the device. Vendors, their countries and
// periods come from the platform's published claims (vendors, locations, observed), so each has
// the claims behind it; actions are the platform's own and those of the vendors named on it.
// Pure: no DOM, no chrome.* calls, so node can test it.

import { safeHttpUrl } from './format.js';

export const ACTION_KINDS = ['worker_organisation', 'rating', 'complaint', 'research'];

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function text(value) {
  return typeof value === 'string' ? value : '';
}

/** The period a set of observed periods spans: earliest start, latest end (null when one runs on). */
export function spanPeriods(periods) {
  let start = '';
  let end = '';
  let open = false;
  for (const period of periods) {
    if (!isPlainObject(period) || !text(period.start)) continue;
    if (!start || period.start < start) start = period.start;
    if (!text(period.end)) open = true;
    else if (period.end > end) end = period.end;
  }
  if (!start) return null;
  return { start, end: open ? null : end || null };
}

/**
 * The vendors named in a platform's claims (claims from record.js platformRecord, each with
 * `vendors` as objects): [{slug, name, hq_country, website, claims: [ids], countries: [{country,
 * claims}], period: {start, end} | null}], most claims first, then by name. Countries are those
 * of the claims naming the vendor, most claims first; the period spans those claims' periods.
 */
export function vendorChain(claims) {
  const bySlug = new Map();
  for (const claim of Array.isArray(claims) ? claims : []) {
    if (!isPlainObject(claim)) continue;
    const vendors = Array.isArray(claim.vendors) ? claim.vendors : [];
    const seenHere = new Set();
    for (const vendor of vendors) {
      const slug = isPlainObject(vendor) ? text(vendor.slug) : text(vendor);
      if (!slug || seenHere.has(slug)) continue;
      seenHere.add(slug);
      if (!bySlug.has(slug)) {
        bySlug.set(slug, {
          slug,
          name: (isPlainObject(vendor) && text(vendor.name)) || slug,
          hq_country: isPlainObject(vendor) ? text(vendor.hq_country) : '',
          website: isPlainObject(vendor) ? safeHttpUrl(vendor.website) || '' : '',
          claims: [],
          countryCounts: new Map(),
          periods: [],
        });
      }
      const entry = bySlug.get(slug);
      entry.claims.push(text(claim.id));
      const countries = new Set(
        (Array.isArray(claim.locations) ? claim.locations : [])
          .filter((place) => isPlainObject(place) && /^[A-Za-z]{2}$/.test(text(place.country)))
          .map((place) => place.country.toUpperCase()),
      );
      for (const country of countries) entry.countryCounts.set(country, (entry.countryCounts.get(country) || 0) + 1);
      if (isPlainObject(claim.observed)) entry.periods.push(claim.observed);
    }
  }
  return [...bySlug.values()]
    .map(({ countryCounts, periods, ...entry }) => ({
      ...entry,
      countries: [...countryCounts]
        .map(([country, count]) => ({ country, claims: count }))
        .sort((a, b) => b.claims - a.claims || a.country.localeCompare(b.country)),
      period: spanPeriods(periods),
    }))
    .sort((a, b) => b.claims.length - a.claims.length || a.name.localeCompare(b.name));
}

/** The claims naming a vendor (for the panel's "claims behind it" filter). */
export function claimsNaming(claims, vendorSlug) {
  return claims.filter(
    (claim) =>
      Array.isArray(claim.vendors) &&
      claim.vendors.some((vendor) => (isPlainObject(vendor) ? vendor.slug : vendor) === vendorSlug),
  );
}

/** One action as the panel shows it: its description in the reader's language, its link http(s) only. */
export function actionView(action, lang) {
  const translations = isPlainObject(action.translations) ? action.translations : {};
  const translated = text(translations[lang]);
  return {
    kind: text(action.kind),
    name: text(action.name),
    url: safeHttpUrl(action.url) || '',
    description: translated || text(action.description),
    source: isPlainObject(action.source) ? action.source : null,
  };
}

function actionsOf(item, lang) {
  return (isPlainObject(item) && Array.isArray(item.actions) ? item.actions : [])
    .filter((action) => isPlainObject(action) && text(action.name))
    .map((action) => actionView(action, lang));
}

/**
 * What people can do about a platform: {platform: [actions], vendors: [{slug, name, actions}]},
 * the platform's own first, then each vendor named in its claims (chain order) that has any.
 * An action already listed (same link, else same name) is not repeated.
 */
export function whatYouCanDo(data, slug, chain, lang) {
  const platforms = isPlainObject(data) && Array.isArray(data.platforms) ? data.platforms : [];
  const vendors = new Map(
    (isPlainObject(data) && Array.isArray(data.vendors) ? data.vendors : [])
      .filter(isPlainObject)
      .map((vendor) => [vendor.slug, vendor]),
  );
  const platform = platforms.find((p) => isPlainObject(p) && p.slug === slug);
  const seen = new Set();
  const fresh = (action) => {
    const key = action.url || `name:${action.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  const own = actionsOf(platform, lang).filter(fresh);
  const byVendor = [];
  for (const entry of Array.isArray(chain) ? chain : []) {
    const vendor = vendors.get(entry.slug);
    const actions = actionsOf(vendor, lang).filter(fresh);
    if (actions.length) byVendor.push({ slug: entry.slug, name: text(vendor.name) || entry.slug, actions });
  }
  return { platform: own, vendors: byVendor };
}

/** The words for an action's kind ("Worker organisation"); an unknown kind is shown as it is. */
export function actionKindLabel(kind, t) {
  switch (kind) {
    case 'worker_organisation':
      return t('actionKindWorkerOrganisation');
    case 'rating':
      return t('actionKindRating');
    case 'complaint':
      return t('actionKindComplaint');
    case 'research':
      return t('actionKindResearch');
    default:
      return String(kind);
  }
}
