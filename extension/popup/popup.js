// The panel: a platform's whole record (claims with vendors, places, head counts, pay, period,
// evidence, replies and sources), from the record on the device (data/export.json, or the last
// copy synced from the server): nothing is asked of the server when the panel opens. Grouped by
// kind with the overlay's headline first, newest first, with filters; "report a problem" form.

import { loadTranslator, localizePage, resolveLanguage } from '../lib/i18n.js';
import { platformForUrl, readExport, readIndex } from '../lib/index-store.js';
import { filterChoices, panelGroups, platformRecord } from '../lib/record.js';
import { readSettings } from '../lib/settings.js';
import {
  EVIDENCE_LEVELS,
  apiUrl,
  claimCountLabel,
  evidenceLabel,
  formatCount,
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

function renderGroups(claims, filters) {
  const container = document.getElementById('claims');
  container.replaceChildren();
  const now = new Date();
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

/** The whole record of the platform, from the record on the device. */
function renderRecord(record) {
  const container = document.getElementById('platform');
  container.replaceChildren();
  const { claims } = record;
  renderHeader(container, record, claims.length);
  if (record.description) container.append(element('p', { className: 'description', text: text(record.description) }));
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

async function activeTabUrl() {
  try {
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    // There only on listed platforms (host permission) or after a click on the toolbar button.
    return tab && tab.url;
  } catch {
    return undefined;
  }
}

/** The platform to show: ?platform=slug, else the active tab's, matched locally on its URL. */
async function chosenPlatform(index) {
  const asked = new URLSearchParams(location.search).get('platform');
  if (asked) {
    document.documentElement.classList.add('in-tab');
    return SLUG.test(asked) ? asked : null;
  }
  const url = await activeTabUrl();
  const found = url ? platformForUrl(url, index) : null;
  return found ? found.slug : null;
}

async function showPlatform(slug, index) {
  const { data } = await readExport();
  const record = platformRecord(data, slug, lang);
  if (record) {
    renderRecord(record);
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
  const slug = await chosenPlatform(index);
  if (!slug) {
    setStatus(t('panelNotListed'));
    document.getElementById('go-report').hidden = true;
  } else if (await showPlatform(slug, index)) {
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
