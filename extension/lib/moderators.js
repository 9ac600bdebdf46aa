// "Who moderates your language": a platform's EU Digital Services Act (Article 42) figures of
// content moderators per official EU language, from the record on the device (the platform's
// `moderators` rows). Pure: no DOM, no chrome.* calls, so node can test it. The page's language
// comes from its <html lang> (reported by the content script), else the browser's.

import { formatCount } from './format.js';

/** The 24 official languages of the EU (ISO 639-1): the languages Article 42 asks figures for. */
export const EU_LANGUAGES = [
  'bg', 'cs', 'da', 'de', 'el', 'en', 'es', 'et', 'fi', 'fr', 'ga', 'hr',
  'hu', 'it', 'lt', 'lv', 'mt', 'nl', 'pl', 'pt', 'ro', 'sk', 'sl', 'sv',
];

// Rows that are not one language: all languages together, and moderators not tied to a language.
const TOTAL = 'total';
const NO_LANGUAGE = 'none';

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function text(value) {
  return typeof value === 'string' ? value : '';
}

/** The base language code of a BCP 47 tag ("nl-BE" -> "nl"), or '' when it is not one. */
export function baseLanguage(tag) {
  const base = text(tag).trim().toLowerCase().split(/[-_]/)[0];
  return /^[a-z]{2,3}$/.test(base) ? base : '';
}

/** The language to speak of: the page's own (its lang attribute), else the browser's, else ''. */
export function readerLanguage(pageLang, uiLanguage) {
  return baseLanguage(pageLang) || baseLanguage(uiLanguage);
}

export function isEuLanguage(code) {
  return EU_LANGUAGES.includes(code);
}

/** A language's name in the reader's language ("Dutch", "néerlandais"); the code if unknown. */
export function languageName(code, locale) {
  try {
    const name = new Intl.DisplayNames([locale], { type: 'language', fallback: 'code' }).of(code);
    return name || code;
  } catch {
    return String(code);
  }
}

/**
 * The language as the sentence needs it: "Dutch" in English; in French with its article
 * ("le néerlandais", "l'anglais"; every language name is masculine, "hongrois" has an aspirated h).
 */
export function languagePhrase(code, locale) {
  const name = languageName(code, locale);
  if (locale !== 'fr' || name === code) return name;
  return /^[aeiouyàâéèêîïôû]/i.test(name) ? `l\u2019${name}` : `le ${name}`;
}

function periodOf(row) {
  const period = isPlainObject(row.period) ? row.period : {};
  return { start: text(period.start), end: text(period.end) };
}

/** A period's identity: rows with the same start and end belong to the same report. */
export function periodKey(row) {
  const { start, end } = periodOf(row);
  return `${start}|${end}`;
}

function comparePeriods(a, b) {
  const pa = periodOf(a);
  const pb = periodOf(b);
  if (pa.start !== pb.start) return pa.start < pb.start ? -1 : 1;
  if (pa.end !== pb.end) return pa.end < pb.end ? -1 : 1;
  return 0;
}

// Partial dates as the first and last day they can mean, to compare periods of different precision.
function firstDay(date) {
  return text(date).padEnd(10, date && date.length === 4 ? '-01-01' : '-01').slice(0, 10);
}
function lastDay(date) {
  const value = text(date);
  if (!value) return '9999-12-31';
  if (value.length === 4) return `${value}-12-31`;
  if (value.length === 7) return `${value}-31`;
  return value;
}

function overlaps(a, b) {
  const pa = periodOf(a);
  const pb = periodOf(b);
  return firstDay(pa.start) <= lastDay(pb.end || pb.start) && firstDay(pb.start) <= lastDay(pa.end || pa.start);
}

/** The platform's well-formed rows, in the record's order. */
export function moderatorRows(platform) {
  const rows = isPlainObject(platform) && Array.isArray(platform.moderators) ? platform.moderators : [];
  return rows.filter(
    (row) => isPlainObject(row) && typeof row.language === 'string' && Number.isFinite(row.count) && row.count >= 0,
  );
}

/** The label of a row's period: as the report names it, else its dates. */
export function periodLabel(row) {
  const label = text(row.period_label);
  if (label) return label;
  const { start, end } = periodOf(row);
  return end && end !== start ? `${start} \u2013 ${end}` : start;
}

/**
 * A language's figures by period, oldest first: [{key, label, rows}], one entry per period
 * (several rows only when sources disagree on the same period).
 */
export function languageHistory(rows, code) {
  const periods = new Map();
  for (const row of [...rows].filter((r) => r.language === code).sort(comparePeriods)) {
    const key = periodKey(row);
    if (!periods.has(key)) periods.set(key, { key, label: periodLabel(row), rows: [] });
    periods.get(key).rows.push(row);
  }
  return [...periods.values()];
}

/** 'up', 'down' or 'same' from the previous figure to the latest. */
export function trendDirection(previous, latest) {
  if (latest > previous) return 'up';
  if (latest < previous) return 'down';
  return 'same';
}

/**
 * The other languages of one report, beside the reader's: {label, rows (one per language, the
 * largest first, then by name), totals}. Totals are the "all languages" rows of that period,
 * else of a period overlapping it, else the latest ones (each row keeps its own period label).
 */
export function languageContext(rows, periodRow, locale) {
  const key = periodKey(periodRow);
  const seen = new Set();
  const languages = [];
  for (const row of rows) {
    if (periodKey(row) !== key || row.language === TOTAL || seen.has(row.language)) continue;
    seen.add(row.language);
    languages.push({
      language: row.language,
      name: row.language === NO_LANGUAGE ? '' : languageName(row.language, locale),
      count: row.count,
      row,
    });
  }
  languages.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name, locale));
  const totalRows = rows.filter((row) => row.language === TOTAL);
  let totals = totalRows.filter((row) => periodKey(row) === key);
  if (!totals.length) totals = totalRows.filter((row) => overlaps(row, periodRow));
  if (!totals.length && totalRows.length) {
    const latest = [...totalRows].sort(comparePeriods).at(-1);
    totals = totalRows.filter((row) => periodKey(row) === periodKey(latest));
  }
  const max = Math.max(0, ...languages.map((l) => l.count));
  return { label: periodLabel(periodRow), languages, totals, max };
}

/** The latest period with figures for single languages (not only totals), as one of its rows. */
function latestLanguageReport(rows) {
  const perLanguage = rows.filter((row) => row.language !== TOTAL && row.language !== NO_LANGUAGE);
  return perLanguage.length ? [...perLanguage].sort(comparePeriods).at(-1) : null;
}

function countPhrase(count, locale) {
  const one = new Intl.PluralRules(locale).select(count) === 'one';
  return { one, count: formatCount(count, locale) };
}

/** "X reports 1 content moderator for Dutch (DSA report, H1 2024)". */
export function figureSentence(platformName, row, code, locale, t) {
  const { one, count } = countPhrase(row.count, locale);
  const language = languagePhrase(code, locale);
  const period = periodLabel(row);
  return one
    ? t('moderatorsLineOne', platformName, count, language, period)
    : t('moderatorsLineOther', platformName, count, language, period);
}

/** "down from 650 (Oct–Dec 2023)", or '' without an earlier period. */
export function trendSentence(previousRow, latestRow, locale, t) {
  if (!previousRow || !latestRow) return '';
  const count = formatCount(previousRow.count, locale);
  const period = periodLabel(previousRow);
  const direction = trendDirection(previousRow.count, latestRow.count);
  if (direction === 'up') return t('moderatorsTrendUp', count, period);
  if (direction === 'down') return t('moderatorsTrendDown', count, period);
  return t('moderatorsTrendSame', count, period);
}

/**
 * Everything the panel shows for the reader's language on one platform:
 * {code, name, status, line, trend, latest, previous, history, context}.
 * status: 'figure' (a figure for that language), 'none' (the platform's reports give figures,
 * but none for that language: "No figure published for Dutch"), 'no-data' (no figure at all in
 * the record for this platform), 'not-eu' (the language is not an official EU language), or
 * 'unknown' (no language to go by). `line` is the sentence to show ('' for not-eu/unknown).
 */
export function moderatorSummary(platform, code, locale, t) {
  const rows = moderatorRows(platform);
  const platformName = isPlainObject(platform) ? text(platform.name) : '';
  const name = code ? languageName(code, locale) : '';
  const base = { code, name, line: '', trend: '', latest: null, previous: null, history: [], context: null };
  if (!code) return { ...base, status: 'unknown', context: contextOf(rows, null, locale) };
  if (!isEuLanguage(code)) {
    return {
      ...base,
      status: 'not-eu',
      line: t('moderatorsNotEu', name),
      context: contextOf(rows, null, locale),
    };
  }
  if (!rows.length) return { ...base, status: 'no-data', line: t('moderatorsNoData', platformName) };
  const history = languageHistory(rows, code);
  if (!history.length) {
    return {
      ...base,
      status: 'none',
      line: t('moderatorsNoFigure', languagePhrase(code, locale)),
      context: contextOf(rows, null, locale),
    };
  }
  const latest = history.at(-1).rows[0];
  const previous = history.length > 1 ? history.at(-2).rows[0] : null;
  return {
    ...base,
    status: 'figure',
    history,
    latest,
    previous,
    line: figureSentence(platformName, latest, code, locale, t),
    trend: trendSentence(previous, latest, locale, t),
    context: contextOf(rows, latest, locale),
  };
}

function contextOf(rows, periodRow, locale) {
  const row = periodRow || latestLanguageReport(rows);
  return row ? languageContext(rows, row, locale) : null;
}

/**
 * The overlay's one line: the sentence and its trend, or "No figure published for Dutch";
 * '' when the platform has no figure in the record, or the language is not an EU one.
 */
export function moderatorOverlayLine(platform, code, locale, t) {
  const summary = moderatorSummary(platform, code, locale, t);
  if (summary.status === 'figure') {
    return summary.trend ? t('moderatorsWithTrend', summary.line, summary.trend) : summary.line;
  }
  return summary.status === 'none' ? summary.line : '';
}
