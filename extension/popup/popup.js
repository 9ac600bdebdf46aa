// The panel: a platform's claims with their sources, and the "report a problem" form.
// The details come from the server only now that the user has opened the panel; with no server
// (or offline) the panel shows the last copy it fetched, else the index's summary.

import { loadTranslator, localizePage, resolveLanguage } from '../lib/i18n.js';
import { platformForUrl, readIndex } from '../lib/index-store.js';
import { readSettings } from '../lib/settings.js';
import {
  apiUrl,
  claimCountLabel,
  evidenceLabel,
  formatCount,
  formatDateTime,
  formatPartialDate,
  formatPay,
  formatPeriod,
  formatPlaces,
  groupClaimsByKind,
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
function sourceLink(url, label) {
  const href = safeHttpUrl(url);
  if (!href) return element('span', { className: 'not-a-link', text: label || text(url) });
  return element('a', {
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
  if (about.length) item.append(element('span', { className: 'source-about', text: ` \u2014 ${about.join(', ')}` }));
  if (source.is_copy) item.append(element('span', { className: 'source-about', text: ` (${t('sourceIsCopy')})` }));
  if (source.quote) item.append(element('q', { className: 'quote', text: text(source.quote) }));
  return item;
}

function renderVendor(vendor) {
  if (!vendor) return null;
  if (typeof vendor === 'string') return vendor;
  const name = text(vendor.name) || text(vendor.slug);
  if (!name) return null;
  return safeHttpUrl(vendor.website) ? sourceLink(vendor.website, name) : name;
}

function renderClaim(claim, now) {
  const article = element('article', { className: 'claim', attrs: { 'data-claim': text(claim.id) } });
  article.append(element('p', { className: 'summary', text: text(claim.summary) }));
  const facts = element('dl', { className: 'facts' });
  fact(facts, t('factVendor'), renderVendor(claim.vendor));
  fact(facts, t('factPlaces'), formatPlaces(claim.locations, lang, t));
  if (Number.isFinite(claim.workers)) fact(facts, t('factWorkers'), formatCount(claim.workers, lang));
  fact(facts, t('factPay'), formatPay(claim.pay, lang, t));
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

/** The full details from the API (or the saved copy of them). */
function renderDetails(data) {
  const container = document.getElementById('platform');
  container.replaceChildren();
  const claims = Array.isArray(data.claims) ? data.claims : [];
  renderHeader(container, data, Number.isInteger(data.total) ? data.total : claims.length);
  if (data.description) container.append(element('p', { className: 'description', text: text(data.description) }));
  const now = new Date();
  for (const group of groupClaimsByKind(claims)) {
    const heading = element('h2', { text: `${kindLabel(group.kind, t)} (${formatCount(group.claims.length, lang)})` });
    const list = element('ul', { className: 'claims' });
    for (const claim of group.claims) list.append(element('li', {}, renderClaim(claim, now)));
    container.append(element('section', { className: 'kind', attrs: { 'data-kind': group.kind } }, heading, list));
  }
  if (!claims.length) container.append(element('p', { className: 'hint', text: t('panelNoClaims') }));
}

/** The index's summary: counts and one headline per kind, no sources. */
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

/** The platform to show: ?platform=slug, else the active tab's, matched locally. */
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

async function fetchDetails(serverUrl, slug) {
  const response = await fetch(apiUrl(serverUrl, `api/v1/platforms/${encodeURIComponent(slug)}`, { lang }), {
    headers: { Accept: 'application/json' },
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const data = await response.json();
  if (!data || typeof data !== 'object' || !Array.isArray(data.claims)) throw new Error('unexpected answer');
  return data;
}

function isDetails(value) {
  return value && typeof value === 'object' && value.data && Array.isArray(value.data.claims);
}

async function showPlatform(slug, index, settings) {
  const cacheKey = `details:${slug}:${lang}`;
  const { [cacheKey]: cached } = await chrome.storage.local.get(cacheKey);
  const summary = Object.hasOwn(index.platforms, slug) ? index.platforms[slug] : null;
  if (isDetails(cached)) renderDetails(cached.data);
  else if (summary) renderSummary(summary);

  if (!settings.serverUrl) {
    if (!isDetails(cached)) setStatus(summary ? t('panelNoServer') : t('panelUnknownPlatform'));
    return Boolean(summary || isDetails(cached));
  }
  setStatus(t('panelLoading'));
  try {
    const data = await fetchDetails(settings.serverUrl, slug);
    await chrome.storage.local.set({ [cacheKey]: { fetchedAt: new Date().toISOString(), data } });
    renderDetails(data);
    setStatus('');
    return true;
  } catch {
    if (isDetails(cached)) setStatus(t('panelOfflineCopy', formatDateTime(cached.fetchedAt, lang)));
    else if (summary) setStatus(t('panelOfflineSummary'));
    else setStatus(t('panelUnknownPlatform'));
    return Boolean(summary || isDetails(cached));
  }
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
  const { index } = await readIndex();
  const slug = await chosenPlatform(index);
  if (!slug) {
    setStatus(t('panelNotListed'));
  } else if (await showPlatform(slug, index, settings)) {
    setUpReport(settings.serverUrl, slug);
  }
  document.getElementById('main').setAttribute('aria-busy', 'false');
  document.documentElement.dataset.ready = 'true';
}

main().catch((error) => {
  console.error('Behind the Feed: the panel failed', error);
  setStatus(t('panelError'));
});
