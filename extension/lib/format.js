// Pure formatting for the panel and the overlay: no DOM, no chrome.* calls, so node can test it.
// Words come from a translator `t(key, ...substitutions)` (see i18n.js); numbers, currencies,
// country names and dates come from Intl in the reader's language.

export const KINDS = ['moderation', 'labelling', 'engagement', 'microwork'];
export const EVIDENCE_LEVELS = [
  'company_statement',
  'official_record',
  'investigative_journalism',
  'academic_study',
  'allegation',
];
export const PAY_PERIODS = ['hour', 'day', 'week', 'month', 'year'];
export const SUGGESTION_KINDS = ['missing', 'wrong', 'other'];

/** Months after which a claim's last verification is shown as possibly outdated. */
export const OUTDATED_AFTER_MONTHS = 18;

// Message keys are spelled out in full so a search for a key finds where it is used.
const KIND_LABEL_KEYS = {
  moderation: 'kindModeration',
  labelling: 'kindLabelling',
  engagement: 'kindEngagement',
  microwork: 'kindMicrowork',
};
const EVIDENCE_LABEL_KEYS = {
  company_statement: 'evidenceCompanyStatement',
  official_record: 'evidenceOfficialRecord',
  investigative_journalism: 'evidenceInvestigativeJournalism',
  academic_study: 'evidenceAcademicStudy',
  allegation: 'evidenceAllegation',
};
const PAY_PERIOD_KEYS = {
  hour: 'payPerHour',
  day: 'payPerDay',
  week: 'payPerWeek',
  month: 'payPerMonth',
  year: 'payPerYear',
};

const WORKERS_BASIS_KEYS = {
  employed: 'workersEmployed',
  contracted: 'workersContracted',
  registered: 'workersRegistered',
  active: 'workersActive',
  estimated: 'workersEstimated',
};
const PAY_QUALIFIER_KEYS = {
  exact: 'payExact',
  about: 'payAbout',
  up_to: 'payUpTo',
  as_little_as: 'payAsLittleAs',
  at_least: 'payAtLeast',
};
const PAY_RATE_KEYS = {
  hour: 'payRateHour',
  day: 'payRateDay',
  week: 'payRateWeek',
  month: 'payRateMonth',
  year: 'payRateYear',
};

/** The message key naming a kind of labour, or null for an unknown kind. */
export function kindLabelKey(kind) {
  return Object.hasOwn(KIND_LABEL_KEYS, kind) ? KIND_LABEL_KEYS[kind] : null;
}

/** The message key naming an evidence level, or null for an unknown one. */
export function evidenceLabelKey(evidence) {
  return Object.hasOwn(EVIDENCE_LABEL_KEYS, evidence) ? EVIDENCE_LABEL_KEYS[evidence] : null;
}

/** The message key of a pay period ("per hour"), or null for an unknown one. */
export function payPeriodKey(per) {
  return Object.hasOwn(PAY_PERIOD_KEYS, per) ? PAY_PERIOD_KEYS[per] : null;
}

/** Every message key this module can ask for, for the locale coverage test. */
export function formatMessageKeys() {
  return [
    ...Object.values(KIND_LABEL_KEYS),
    ...Object.values(EVIDENCE_LABEL_KEYS),
    ...Object.values(PAY_PERIOD_KEYS),
    ...Object.values(WORKERS_BASIS_KEYS),
    ...Object.values(PAY_QUALIFIER_KEYS),
    ...Object.values(PAY_RATE_KEYS),
    'workersUnqualified',
    'claimCountOne',
    'claimCountOther',
  ];
}

/** "1 documented practice" / "12 documented practices", with the language's plural rules. */
export function claimCountLabel(n, lang, t) {
  const one = new Intl.PluralRules(lang).select(n) === 'one';
  return t(one ? 'claimCountOne' : 'claimCountOther', formatCount(n, lang));
}

/** A label for a kind of labour; an unknown kind is shown as it is. */
export function kindLabel(kind, t) {
  const key = kindLabelKey(kind);
  return key ? t(key) : String(kind);
}

/** A label for an evidence level; an unknown level is shown as it is. */
export function evidenceLabel(evidence, t) {
  const key = evidenceLabelKey(evidence);
  return key ? t(key) : String(evidence);
}

/** An integer in the reader's notation ("1,200" / "1 200"). */
export function formatCount(n, locale) {
  if (!Number.isFinite(n)) return '';
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(n);
}

/**
 * Pay exactly as reported, in its own currency: "$1.50 per hour". Never converted.
 * Returns '' for a missing or malformed pay.
 */
export function formatPay(pay, locale, t) {
  if (!pay || typeof pay !== 'object' || !Number.isFinite(pay.amount)) return '';
  const currency = typeof pay.currency === 'string' ? pay.currency.toUpperCase() : '';
  let amount;
  try {
    amount = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      // Small hourly rates need their cents; large yearly ones read better without.
      maximumFractionDigits: Number.isInteger(pay.amount) ? 0 : 2,
      minimumFractionDigits: Number.isInteger(pay.amount) ? 0 : 2,
    }).format(pay.amount);
  } catch {
    // Not an ISO 4217 code: show the number and whatever the source wrote.
    amount = `${new Intl.NumberFormat(locale).format(pay.amount)} ${String(pay.currency ?? '')}`.trim();
  }
  const perKey = payPeriodKey(pay.per);
  return perKey ? t(perKey, amount) : amount;
}

/**
 * A head count in words, saying what was counted: "1,000,000 registered contributors",
 * "an estimated 10,000 workers". Registered accounts are never called workers. '' when there
 * is no count.
 */
export function formatWorkers(workers, basis, locale, t) {
  if (!Number.isFinite(workers)) return '';
  const count = formatCount(workers, locale);
  const key = Object.hasOwn(WORKERS_BASIS_KEYS, basis) ? WORKERS_BASIS_KEYS[basis] : 'workersUnqualified';
  return t(key, count);
}

/**
 * Pay in words, as reported and never converted, with how sure the figure is:
 * "as little as $1.50 an hour", "about €1,200 a month", "up to $15 an hour". '' for no pay.
 */
export function formatPayInWords(pay, locale, t) {
  if (!pay || typeof pay !== 'object' || !Number.isFinite(pay.amount)) return '';
  const amount = formatPay({ amount: pay.amount, currency: pay.currency }, locale, t);
  const rate = Object.hasOwn(PAY_RATE_KEYS, pay.per) ? t(PAY_RATE_KEYS[pay.per], amount) : amount;
  return Object.hasOwn(PAY_QUALIFIER_KEYS, pay.qualifier) ? t(PAY_QUALIFIER_KEYS[pay.qualifier], rate) : rate;
}

/** A country's name in the reader's language; an unknown code is shown as it is. */
export function countryName(code, locale) {
  if (typeof code !== 'string' || !/^[A-Za-z]{2}$/.test(code)) return String(code ?? '');
  try {
    const names = new Intl.DisplayNames([locale], { type: 'region', fallback: 'code' });
    return names.of(code.toUpperCase()) ?? code.toUpperCase();
  } catch {
    return code.toUpperCase();
  }
}

/** "Nairobi, Kenya · Manila, Philippines"; an empty list is a worldwide figure. */
export function formatPlaces(locations, locale, t) {
  if (!Array.isArray(locations) || locations.length === 0) return t('placesWorldwide');
  return locations
    .filter((place) => place && typeof place === 'object')
    .map((place) => {
      const country = countryName(place.country, locale);
      return typeof place.city === 'string' && place.city ? `${place.city}, ${country}` : country;
    })
    .join(' · ');
}

const PARTIAL_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/** A partial date (YYYY, YYYY-MM or YYYY-MM-DD) in words, at the precision it was given. */
export function formatPartialDate(value, locale) {
  const match = typeof value === 'string' ? PARTIAL_DATE.exec(value) : null;
  if (!match) return typeof value === 'string' ? value : '';
  const [, year, month, day] = match;
  const date = new Date(Date.UTC(Number(year), month ? Number(month) - 1 : 0, day ? Number(day) : 1));
  if (Number.isNaN(date.getTime())) return value;
  const options = { timeZone: 'UTC', year: 'numeric' };
  if (month) options.month = 'long';
  if (day) options.day = 'numeric';
  return new Intl.DateTimeFormat(locale, options).format(date);
}

/** The period a practice was observed: "since February 2022", "2019 – 2021", "2020". */
export function formatPeriod(observed, locale, t) {
  if (!observed || typeof observed !== 'object' || !observed.start) return '';
  const start = formatPartialDate(observed.start, locale);
  if (!observed.end) return t('periodSince', start);
  if (observed.end === observed.start) return start;
  return t('periodRange', start, formatPartialDate(observed.end, locale));
}

/** Whether a claim last verified on `lastVerified` (YYYY-MM-DD) is older than 18 months at `now`. */
export function isOutdated(lastVerified, now = new Date(), months = OUTDATED_AFTER_MONTHS) {
  const match = typeof lastVerified === 'string' ? PARTIAL_DATE.exec(lastVerified) : null;
  if (!match) return false;
  const [, year, month = '01', day = '01'] = match;
  const limit = new Date(Date.UTC(Number(year), Number(month) - 1 + months, Number(day)));
  return now.getTime() > limit.getTime();
}

/** A date-time for "last sync: ...", in the reader's language. */
export function formatDateTime(iso, locale) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/**
 * The URL as a string if it is an absolute http(s) URL, else null. Anything else
 * (javascript:, data:, relative paths) must be shown as plain text, never as a link.
 */
export function safeHttpUrl(value) {
  if (typeof value !== 'string') return null;
  let url;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

/** Claims grouped by kind, in the usual order of kinds, unknown kinds last; empty groups left out. */
export function groupClaimsByKind(claims) {
  const groups = new Map(KINDS.map((kind) => [kind, []]));
  for (const claim of Array.isArray(claims) ? claims : []) {
    if (!claim || typeof claim !== 'object') continue;
    const kind = String(claim.kind);
    if (!groups.has(kind)) groups.set(kind, []);
    groups.get(kind).push(claim);
  }
  return [...groups].filter(([, list]) => list.length > 0).map(([kind, list]) => ({ kind, claims: list }));
}

/** The headline in the reader's language, else English, else any; '' when there is none. */
export function pickHeadline(headline, lang) {
  if (typeof headline === 'string') return headline;
  if (!headline || typeof headline !== 'object') return '';
  for (const candidate of [headline[lang], headline.en, ...Object.values(headline)]) {
    if (typeof candidate === 'string' && candidate) return candidate;
  }
  return '';
}

/**
 * Check a server URL typed in the options. Returns {ok: true, url, permission} where `url` is the
 * base URL with a trailing slash and `permission` the host permission pattern to request for it,
 * or {ok: false, error: messageKey}.
 */
export function parseServerUrl(text) {
  const value = typeof text === 'string' ? text.trim() : '';
  if (!value) return { ok: false, error: 'serverUrlEmpty' };
  let url;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, error: 'serverUrlInvalid' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, error: 'serverUrlScheme' };
  }
  if (url.username || url.password) return { ok: false, error: 'serverUrlCredentials' };
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  // Match patterns ignore the port, so one pattern covers the server on any port.
  return { ok: true, url: url.href, permission: `${url.protocol}//${url.hostname}/*` };
}

/** An API URL under the server's base URL: apiUrl('https://x.org/btf/', 'api/v1/index'). */
export function apiUrl(serverUrl, path, params = {}) {
  const url = new URL(path, serverUrl);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.href;
}

/**
 * What to tell the user after posting a suggestion: {ok, key, detail}. `status` is the HTTP
 * status (0 for a network failure), `body` the parsed JSON answer if there was one.
 */
export function suggestionOutcome(status, body) {
  if (status === 201 || status === 200) return { ok: true, key: 'reportSent', detail: '' };
  if (status === 0) return { ok: false, key: 'reportNetworkError', detail: '' };
  if (status === 429) return { ok: false, key: 'reportRateLimited', detail: '' };
  if (status === 413) return { ok: false, key: 'reportTooLarge', detail: '' };
  const message = body && body.error && typeof body.error.message === 'string' ? body.error.message : '';
  if (status >= 400 && status < 500) return { ok: false, key: 'reportRejected', detail: message };
  return { ok: false, key: 'reportServerError', detail: message };
}
