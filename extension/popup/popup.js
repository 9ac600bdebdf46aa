// The panel: a platform's whole record (claims with vendors, places, head counts, pay, period,
// evidence, replies and sources), from the record on the device (data/export.json, or the last
// copy synced from the server): nothing is asked of the server when the panel opens. Grouped by
// kind with the overlay's headline first, newest first, with filters; "report a problem" form.

import { loadTranslator, localizePage, resolveLanguage } from '../lib/i18n.js';
import { platformForUrl, readExport, readIndex } from '../lib/index-store.js';
import { filterChoices, panelGroups, platformRecord } from '../lib/record.js';
import { readSettings } from '../lib/settings.js';
import { renderAccessHint } from '../lib/access-hint.js';
import { actionKindLabel, claimsNaming, vendorChain, whatYouCanDo } from '../lib/chain.js';
import { moderatorSummary, readerLanguage } from '../lib/moderators.js';
import { recordVisit } from '../lib/visits.js';
import {
  EVIDENCE_LEVELS,
  apiUrl,
  claimCountLabel,
  countryName,
  evidenceLabel,
  formatCount,
  formatDateTime,
  formatPartialDate,
  formatPayInWords,
  formatPeriod,
  formatPlaces,
  formatWorkers,
  isOutdated,
  kindLabel,
  pickHeadline,
  safeHttpUrl,
  suggestionOutcome,
  KINDS,
} from '../lib/format.js';

const FETCH_TIMEOUT_MS = 15000;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

let t = (key) => key;
let lang = 'en';
// Claims new or updated since the last visit to this platform's panel (lib/visits.js).
let changes = new Map();
// The vendor whose claims the list shows ("Who does the work"), or null for all.
let vendorFilter = null;

function element(tag, options = {}, ...children) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs || {})) node.setAttribute(name, value);
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

function text(value) {
  return typeof value === 'string' ? value : value == null ? '' : String(value);
}

function setStatus(message) {
  document.getElementById('status').textContent = message;
}

/** A link if the URL is http(s), else the same words as plain text: never a javascript: link. */
function sourceLink(url, label, className) {
  const href = safeHttpUrl(url);
  if (!href) return element('span', { className: 'not-a-link', text: label || text(url) });
  return element('a', {
    className,
    text: label || href,
    attrs: { href, target: '_blank', rel: 'noopener noreferrer' },
  });
}

function fact(list, label, value) {
  if (!value) return;
  const valueNode = typeof value === 'string' ? document.createTextNode(value) : value;
  list.append(element('dt', { text: label }), element('dd', {}, valueNode));
}

function renderSource(source) {
  const item = element('li', { className: 'source' });
  if (!source || typeof source !== 'object') return item;
  const title = text(source.title) || text(source.url);
  item.append(sourceLink(source.url, title));
  const about = [text(source.publisher), formatPartialDate(source.published, lang)].filter(Boolean);
  if (about.length) {
    item.append(' \u2014 ', element('span', { className: 'source-about', text: about.join(', ') }));
  }
  if (source.is_copy) item.append(element('span', { className: 'source-about', text: ` (${t('sourceIsCopy')})` }));
  if (safeHttpUrl(source.archive_url)) {
    item.append(' \u00b7 ', sourceLink(source.archive_url, t('sourceArchivedCopy'), 'archive'));
  }
  if (source.quote) item.append(element('q', { className: 'quote', text: text(source.quote) }));
  return item;
}

function renderVendors(vendors) {
  const list = (Array.isArray(vendors) ? vendors : []).filter((v) => v && (v.name || v.slug));
  if (!list.length) return null;
  const span = element('span');
  list.forEach((vendor, i) => {
    if (i) span.append(', ');
    const name = text(vendor.name) || text(vendor.slug);
    span.append(safeHttpUrl(vendor.website) ? sourceLink(vendor.website, name) : name);
  });
  return span;
}

function renderResponses(claim) {
  const responses = Array.isArray(claim.responses) ? claim.responses : [];
  if (!responses.length) {
    // An allegation says who alleged it; that nobody answered is part of the picture.
    return claim.evidence === 'allegation'
      ? element('p', { className: 'no-reply', text: t('noReplyReported') })
      : null;
  }
  const list = element('ul', { className: 'responses' });
  for (const response of responses) {
    const item = element('li', { className: 'response' });
    item.append(
      element('span', { className: 'response-by', text: t('responseBy', text(response.by)) }),
      ' ',
      element('span', { className: 'response-summary', text: text(response.summary) }),
    );
    if (response.source && typeof response.source === 'object') {
      item.append(element('ul', { className: 'response-sources' }, renderSource(response.source)));
    }
    list.append(item);
  }
  return element('div', {}, element('p', { className: 'sources-heading', text: t('responsesHeading') }), list);
}

function renderClaim(claim, now, isHeadline) {
  const classes = ['claim', `evidence-${text(claim.evidence).replace(/[^a-z_]/g, '')}`];
  if (isHeadline) classes.push('headline');
  const article = element('article', { className: classes.join(' '), attrs: { 'data-claim': text(claim.id) } });
  const change = changes.get(claim.id);
  if (change === 'new') article.append(element('p', { className: 'change-mark change-new', text: t('changeNew') }));
  if (change === 'updated') {
    article.append(
      element('p', {
        className: 'change-mark change-updated',
        text: t('changeUpdated'),
        attrs: { title: t('changeUpdatedTitle') },
      }),
    );
  }
  if (claim.evidence === 'allegation') {
    article.append(element('p', { className: 'allegation-mark', text: evidenceLabel('allegation', t) }));
  }
  article.append(element('p', { className: 'summary', text: text(claim.summary) }));
  const facts = element('dl', { className: 'facts' });
  const vendors = Array.isArray(claim.vendors) ? claim.vendors : [];
  fact(facts, vendors.length > 1 ? t('factVendors') : t('factVendor'), renderVendors(vendors));
  fact(facts, t('factPlaces'), formatPlaces(claim.locations, lang, t));
  fact(facts, t('factWorkers'), formatWorkers(claim.workers, claim.workers_basis, lang, t));
  fact(facts, t('factPay'), formatPayInWords(claim.pay, lang, t));
  fact(facts, t('factPeriod'), formatPeriod(claim.observed, lang, t));
  fact(facts, t('factEvidence'), claim.evidence ? evidenceLabel(claim.evidence, t) : '');
  if (claim.last_verified) {
    const verified = element('span', { text: formatPartialDate(claim.last_verified, lang) });
    if (isOutdated(claim.last_verified, now)) {
      verified.append(
        ' ',
        element('span', {
          className: 'outdated',
          text: t('mayBeOutdated'),
          attrs: { title: t('mayBeOutdatedTitle') },
        }),
      );
    }
    fact(facts, t('factLastVerified'), verified);
  }
  article.append(facts);
  const replies = renderResponses(claim);
  if (replies) article.append(replies);
  const sources = Array.isArray(claim.sources) ? claim.sources : [];
  if (sources.length) {
    article.append(
      element('p', { className: 'sources-heading', text: t('sourcesHeading') }),
      element('ul', { className: 'sources' }, ...sources.map(renderSource)),
    );
  }
  return article;
}

function renderHeader(container, data, total) {
  document.title = t('panelTitlePlatform', text(data.name));
  container.append(element('h1', { className: 'platform-name', text: text(data.name) }));
  const owner = text(data.owner);
  if (owner) container.append(element('p', { className: 'owner', text: t('platformOwner', owner) }));
  container.append(element('p', { className: 'total', text: claimCountLabel(total, lang, t) }));
}

function fillSelect(select, allLabel, values, labelOf) {
  select.replaceChildren(
    element('option', { text: allLabel, attrs: { value: 'all' } }),
    ...values.map((value) => element('option', { text: labelOf(value), attrs: { value } })),
  );
}

function renderGroups(allClaims, filters) {
  const container = document.getElementById('claims');
  container.replaceChildren();
  const now = new Date();
  let claims = allClaims;
  if (vendorFilter) {
    claims = claimsNaming(allClaims, vendorFilter.slug);
    container.append(renderVendorFilterBar(claims.length));
  }
  const groups = panelGroups(claims, filters);
  for (const group of groups) {
    const count = group.claims.length === group.total
      ? formatCount(group.total, lang)
      : t('filteredCount', formatCount(group.claims.length, lang), formatCount(group.total, lang));
    const heading = element('h2', { text: `${kindLabel(group.kind, t)} (${count})` });
    const list = element('ul', { className: 'claims' });
    for (const claim of group.claims) {
      list.append(element('li', {}, renderClaim(claim, now, claim.id === group.headline)));
    }
    container.append(element('section', { className: 'kind', attrs: { 'data-kind': group.kind } }, heading, list));
  }
  if (!groups.length) {
    container.append(element('p', { className: 'hint', text: claims.length ? t('filterNoMatch') : t('panelNoClaims') }));
  }
}

let redrawClaims = () => {};

function renderVendorFilterBar(count) {
  const clear = element('button', {
    className: 'link-button',
    text: t('vendorFilterClear'),
    attrs: { type: 'button', id: 'vendor-filter-clear' },
  });
  clear.addEventListener('click', () => {
    const slug = vendorFilter && vendorFilter.slug;
    vendorFilter = null;
    redrawClaims();
    const back = slug && document.querySelector(`#who-works [data-vendor="${CSS.escape(slug)}"] button`);
    if (back) back.focus();
  });
  return element(
    'p',
    { className: 'vendor-filter', attrs: { id: 'vendor-filter', tabindex: '-1', 'data-vendor': vendorFilter.slug } },
    t('vendorFilterShowing', vendorFilter.name, formatCount(count, lang)),
    ' ',
    clear,
  );
}

function sectionHeading(id, label) {
  return element('h2', { text: label, attrs: { id } });
}

/** "Who does the work": the vendors named in the claims, their countries and periods, each a filter. */
function renderWhoWorks(claims) {
  const section = element('section', {
    className: 'beyond who-works',
    attrs: { id: 'who-works', 'aria-labelledby': 'who-works-heading' },
  });
  section.append(sectionHeading('who-works-heading', t('whoWorksHeading')));
  const chain = vendorChain(claims);
  if (!chain.length) {
    section.append(element('p', { className: 'hint', text: t('whoWorksNone') }));
    return { section, chain };
  }
  section.append(element('p', { className: 'hint', text: t('whoWorksIntro') }));
  const list = element('ul', { className: 'vendors' });
  for (const vendor of chain) {
    const show = element('button', {
      className: 'link-button vendor-name',
      text: vendor.name,
      attrs: { type: 'button', title: t('vendorShowClaims', vendor.name) },
    });
    show.addEventListener('click', () => {
      vendorFilter = { slug: vendor.slug, name: vendor.name };
      redrawClaims();
      const bar = document.getElementById('vendor-filter');
      if (bar) {
        bar.scrollIntoView({ block: 'start' });
        bar.focus();
      }
    });
    const item = element('li', { className: 'vendor', attrs: { 'data-vendor': vendor.slug } }, show);
    if (vendor.hq_country) {
      item.append(' ', element('span', { className: 'vendor-hq', text: `(${t('vendorBasedIn', countryName(vendor.hq_country, lang))})` }));
    }
    const about = [
      vendor.countries.map((c) => countryName(c.country, lang)).join(', '),
      formatPeriod(vendor.period, lang, t),
      claimCountLabel(vendor.claims.length, lang, t),
    ].filter(Boolean);
    item.append(element('span', { className: 'vendor-about', text: about.join(' \u00b7 ') }));
    list.append(item);
  }
  section.append(list);
  return { section, chain };
}

/** A figure's source: its publisher linked (http(s) only), and the archived copy when there is one. */
function figureSource(source, className = 'figure-source') {
  if (!source || typeof source !== 'object') return null;
  const span = element('span', { className });
  span.append(sourceLink(source.url, text(source.publisher) || text(source.title) || text(source.url)));
  if (safeHttpUrl(source.archive_url)) span.append(' \u00b7 ', sourceLink(source.archive_url, t('sourceArchivedCopy'), 'archive'));
  return span;
}

function renderFigureNote(row) {
  if (!row || !text(row.note)) return null;
  // Curators write these notes in English only.
  return element('p', { className: 'figure-note', text: text(row.note), attrs: { lang: 'en' } });
}

/** "Who moderates your language": the DSA Article 42 figure for the reader's language, in context. */
function renderLanguage(platform, code) {
  const section = element('section', {
    className: 'beyond moderators',
    attrs: { id: 'moderators', 'aria-labelledby': 'moderators-heading' },
  });
  section.append(sectionHeading('moderators-heading', t('moderatorsHeading')));
  const summary = moderatorSummary(platform, code, lang, t);
  section.dataset.status = summary.status;
  section.dataset.language = summary.code || '';
  if (summary.line) {
    const line = summary.trend ? t('moderatorsWithTrend', summary.line, summary.trend) : summary.line;
    section.append(element('p', { className: 'moderators-line', text: line }));
  }
  if (summary.latest) {
    const sources = element('p', { className: 'figure-sources' }, `${t('moderatorsSource')} `);
    sources.append(figureSource(summary.latest.source));
    if (summary.previous && summary.previous.source && summary.previous.source.url !== summary.latest.source?.url) {
      sources.append(' \u00b7 ', `${summary.previous.period_label || ''}: `, figureSource(summary.previous.source));
    }
    section.append(sources);
    const note = renderFigureNote(summary.latest);
    if (note) section.append(note);
  }
  const context = summary.context;
  if (context && (context.languages.length || context.totals.length)) {
    section.append(element('h3', { text: t('moderatorsContext', context.label) }));
    // One source for the whole report: said once; else each figure with its own.
    const urls = new Set(context.languages.map((entry) => entry.row.source && entry.row.source.url));
    const shared = urls.size === 1 ? context.languages[0].row.source : null;
    if (shared) section.append(element('p', { className: 'figure-sources context-source' }, `${t('moderatorsSource')} `, figureSource(shared)));
    const list = element('ol', { className: 'moderators-context' });
    for (const entry of context.languages) {
      const current = entry.language === summary.code;
      const name = entry.language === 'none' ? t('moderatorsNoLanguage') : entry.name;
      const bar = element('span', { className: 'bar', attrs: { 'aria-hidden': 'true' } });
      bar.style.width = context.max > 0 ? `${Math.max(1, Math.round((entry.count / context.max) * 100))}%` : '0';
      const item = element(
        'li',
        { className: current ? 'figure current' : 'figure', attrs: { 'data-language': entry.language } },
        element('span', { className: 'figure-name', text: name }),
        element('span', { className: 'figure-count', text: formatCount(entry.count, lang) }),
        element('span', { className: 'bar-track' }, bar),
        shared ? null : figureSource(entry.row.source),
      );
      if (current) item.setAttribute('aria-current', 'true');
      list.append(item);
    }
    if (context.languages.length) section.append(list);
    for (const total of context.totals) {
      const line = element('p', { className: 'moderators-total' }, t('moderatorsTotal', formatCount(total.count, lang), total.period_label || ''), ' ');
      line.append(figureSource(total.source));
      section.append(line);
    }
  }
  section.append(element('p', { className: 'hint', text: t('moderatorsIntro') }));
  return section;
}

function renderAction(action) {
  const item = element('li', { className: 'action', attrs: { 'data-kind': action.kind } });
  item.append(
    element('span', { className: 'action-kind', text: actionKindLabel(action.kind, t) }),
    ' ',
    action.url ? sourceLink(action.url, action.name, 'action-name') : element('span', { className: 'action-name', text: action.name }),
  );
  if (action.description) item.append(element('p', { className: 'action-description', text: action.description }));
  if (action.source) {
    const source = figureSource(action.source, 'action-source');
    item.append(element('p', { className: 'action-source-line' }, `${t('moderatorsSource')} `, source));
  }
  return item;
}

/** "What you can do": the platform's actions, then those of the vendors named on it. */
function renderActions(data, slug, chain) {
  const section = element('section', {
    className: 'beyond actions',
    attrs: { id: 'actions', 'aria-labelledby': 'actions-heading' },
  });
  section.append(sectionHeading('actions-heading', t('actionsHeading')));
  const { platform, vendors } = whatYouCanDo(data, slug, chain, lang);
  if (!platform.length && !vendors.length) {
    section.append(element('p', { className: 'hint', text: t('actionsNone') }));
    return section;
  }
  if (platform.length) section.append(element('ul', { className: 'actions-list' }, ...platform.map(renderAction)));
  for (const vendor of vendors) {
    section.append(
      element('h3', { text: t('actionsAboutVendor', vendor.name) }),
      element('ul', { className: 'actions-list', attrs: { 'data-vendor': vendor.slug } }, ...vendor.actions.map(renderAction)),
    );
  }
  return section;
}

function renderChangesSummary(lastVisit) {
  let fresh = 0;
  let updated = 0;
  for (const mark of changes.values()) {
    if (mark === 'new') fresh += 1;
    else updated += 1;
  }
  if (!fresh && !updated) return null;
  const when = lastVisit ? formatDateTime(lastVisit, lang) : '';
  return element('p', {
    className: 'changes-summary',
    text: t('changesSummary', when, formatCount(fresh, lang), formatCount(updated, lang)),
    attrs: { id: 'changes-summary' },
  });
}

/** The whole record of the platform, from the record on the device. */
function renderRecord(record, { data, platform, languageCode, lastVisit }) {
  const container = document.getElementById('platform');
  container.replaceChildren();
  const { claims } = record;
  renderHeader(container, record, claims.length);
  if (record.description) container.append(element('p', { className: 'description', text: text(record.description) }));
  const summary = renderChangesSummary(lastVisit);
  if (summary) container.append(summary);
  const { section: whoWorks, chain } = renderWhoWorks(claims);
  container.append(whoWorks, renderLanguage(platform, languageCode), renderActions(data, record.slug, chain));
  const form = document.getElementById('filters');
  const kindSelect = document.getElementById('filter-kind');
  const evidenceSelect = document.getElementById('filter-evidence');
  const choices = filterChoices(claims);
  const kinds = [...KINDS.filter((k) => choices.kinds.includes(k)), ...choices.kinds.filter((k) => !KINDS.includes(k))];
  const levels = [
    ...EVIDENCE_LEVELS.filter((e) => choices.evidence.includes(e)),
    ...choices.evidence.filter((e) => !EVIDENCE_LEVELS.includes(e)),
  ];
  fillSelect(kindSelect, t('filterAllKinds'), kinds, (kind) => kindLabel(kind, t));
  fillSelect(evidenceSelect, t('filterAllEvidence'), levels, (level) => evidenceLabel(level, t));
  form.hidden = claims.length < 2;
  const redraw = () => renderGroups(claims, { kind: kindSelect.value, evidence: evidenceSelect.value });
  redrawClaims = redraw;
  kindSelect.addEventListener('change', redraw);
  evidenceSelect.addEventListener('change', redraw);
  redraw();
}

/** The index's summary (a platform the record on the device does not have yet). */
function renderSummary(platform) {
  const container = document.getElementById('platform');
  container.replaceChildren();
  renderHeader(container, platform, platform.total);
  const counts = platform.counts || {};
  const kinds = [...KINDS, ...Object.keys(counts).filter((kind) => !KINDS.includes(kind))];
  for (const kind of kinds.filter((k) => counts[k] > 0)) {
    const section = element(
      'section',
      { className: 'kind', attrs: { 'data-kind': kind } },
      element('h2', { text: `${kindLabel(kind, t)} (${formatCount(counts[kind], lang)})` }),
    );
    const headline = pickHeadline(platform.headlines && platform.headlines[kind], lang);
    if (headline) section.append(element('p', { className: 'summary', text: headline }));
    container.append(section);
  }
}

async function activeTab() {
  try {
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    // Its URL is there only on listed platforms (host permission) or after a click on the toolbar button.
    return tab || null;
  } catch {
    return null;
  }
}

/**
 * The platform to show and the tab it is about: ?platform=slug (&tab=id when the overlay opened
 * the panel in a tab), else the active tab's, matched locally on its URL.
 */
async function chosenPlatform(index) {
  const params = new URLSearchParams(location.search);
  const asked = params.get('platform');
  if (asked) {
    document.documentElement.classList.add('in-tab');
    const tab = Number(params.get('tab'));
    return { slug: SLUG.test(asked) ? asked : null, tabId: Number.isInteger(tab) && tab > 0 ? tab : null };
  }
  const tab = await activeTab();
  const found = tab && tab.url ? platformForUrl(tab.url, index) : null;
  return { slug: found ? found.slug : null, tabId: tab ? tab.id : null };
}

/**
 * The language of the page the panel is about: its <html lang> as its content script reported it
 * (session storage, background.js), else the browser's. Read on the device, never sent.
 */
async function pageLanguageCode(tabId) {
  let pageLang = '';
  if (Number.isInteger(tabId) && chrome.storage.session) {
    const key = `pageLang:${tabId}`;
    pageLang = (await chrome.storage.session.get(key).catch(() => ({})))[key] || '';
  }
  return readerLanguage(pageLang, chrome.i18n.getUILanguage());
}

async function showPlatform(slug, index, tabId) {
  const { data } = await readExport();
  const record = platformRecord(data, slug, lang);
  if (record) {
    const platform = data.platforms.find((p) => p && p.slug === slug);
    let lastVisit = null;
    try {
      ({ marks: changes, lastVisit } = await recordVisit(chrome.storage.local, slug, record.claims));
    } catch (error) {
      console.error('Behind the Feed: last visit not recorded', error);
    }
    renderRecord(record, { data, platform, languageCode: await pageLanguageCode(tabId), lastVisit });
    return true;
  }
  const summary = index.platforms && Object.hasOwn(index.platforms, slug) ? index.platforms[slug] : null;
  if (summary) {
    renderSummary(summary);
    setStatus(t('panelSummaryOnly'));
    return true;
  }
  setStatus(t('panelUnknownPlatform'));
  return false;
}

function goToReport() {
  const section = document.getElementById('report');
  const target = section.hidden ? document.getElementById('report-no-server') : document.getElementById('report-heading');
  target.hidden = false;
  target.scrollIntoView({ block: 'start' });
  target.focus();
}

function setUpReport(serverUrl, slug) {
  if (!serverUrl) {
    document.getElementById('report-no-server').hidden = false;
    return;
  }
  document.getElementById('report').hidden = false;
  const form = document.getElementById('report-form');
  const status = document.getElementById('report-status');
  const send = document.getElementById('report-send');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.classList.remove('error', 'ok');
    const message = form.elements.message.value.trim();
    const sourceText = form.elements.source_url.value.trim();
    if (!message) {
      status.textContent = t('reportNeedMessage');
      status.classList.add('error');
      form.elements.message.focus();
      return;
    }
    if (sourceText && !safeHttpUrl(sourceText)) {
      status.textContent = t('reportBadSource');
      status.classList.add('error');
      form.elements.source_url.focus();
      return;
    }
    // The platform's slug, never the page the user was on.
    const payload = { platform: slug, kind: form.elements.kind.value, message, language: lang };
    if (sourceText) payload.source_url = safeHttpUrl(sourceText);
    send.disabled = true;
    status.textContent = t('reportSending');
    let statusCode = 0;
    let body = null;
    try {
      const response = await fetch(apiUrl(serverUrl, 'api/v1/suggestions'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(payload),
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      statusCode = response.status;
      body = await response.json().catch(() => null);
    } catch {
      statusCode = 0;
    }
    const outcome = suggestionOutcome(statusCode, body);
    status.textContent = outcome.detail ? `${t(outcome.key)} ${outcome.detail}` : t(outcome.key);
    status.classList.add(outcome.ok ? 'ok' : 'error');
    send.disabled = false;
    if (outcome.ok) form.reset();
  });
}

async function main() {
  const settings = await readSettings();
  ({ lang, t } = await loadTranslator(resolveLanguage(settings.language, chrome.i18n.getUILanguage())));
  localizePage(document, t, lang);
  document.getElementById('open-settings').addEventListener('click', () => chrome.runtime.openOptionsPage());
  document.getElementById('go-report').addEventListener('click', goToReport);
  const { index } = await readIndex();
  const { slug, tabId } = await chosenPlatform(index);
  // On a listed site the extension may not read: say so, with the one button that asks.
  if (slug) {
    await renderAccessHint(document.getElementById('site-access'), { t, index, slug }).catch((error) =>
      console.error('Behind the Feed: site access check failed', error),
    );
  }
  if (!slug) {
    setStatus(t('panelNotListed'));
    document.getElementById('go-report').hidden = true;
  } else if (await showPlatform(slug, index, tabId)) {
    setUpReport(settings.serverUrl, slug);
  } else {
    document.getElementById('go-report').hidden = true;
  }
  document.getElementById('main').setAttribute('aria-busy', 'false');
  document.documentElement.dataset.ready = 'true';
}

main().catch((error) => {
  console.error('Behind the Feed: the panel failed', error);
  setStatus(t('panelError'));
});
