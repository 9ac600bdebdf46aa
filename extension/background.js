// Service worker (an event page in Firefox): keeps the index in sync, matches tabs locally, sets
// the badge, and answers the overlay. Tab URLs are matched here and never leave the browser.

import {
  SYNC_ALARM,
  ensureSyncAlarm,
  platformForUrl,
  readExport,
  readIndex,
  syncExport,
  syncIndex,
} from './lib/index-store.js';
import { DEFAULT_SETTINGS, hideOnSite, readSettings } from './lib/settings.js';
import { LANGUAGES, loadTranslator, resolveLanguage } from './lib/i18n.js';
import { KINDS, claimCountLabel, formatCount, kindLabel, pickHeadline } from './lib/format.js';
import { overlaySummaries } from './lib/overlay-facts.js';
import { moderatorOverlayLine, readerLanguage } from './lib/moderators.js';
import { syncContentScripts } from './lib/access.js';
import {
  DEFAULT_DISMISS,
  DISMISSED_KEY,
  DISMISS_CHOICES,
  UNDO_MS,
  canUndo,
  dismiss,
  isDismissed,
  readDismissals,
} from './lib/dismissals.js';

const BADGE_COLOUR = '#8a3b12';

let indexPromise = null;
let settingsPromise = null;
let dismissedPromise = null;
let syncPromise = null;

// What the overlay shows of each platform (overlaySummaries: the headline facts of each kind in
// each language, and the moderator figures for the language line), worked out once per record
// and kept in memory and in chrome.storage.local (`overlay:<slug>`, a few KB each, with
// `overlayStamp` naming the record they came from). A later worker start (Chromium stops an idle
// one after 30 s) reads the one platform it needs instead of reading and parsing the whole
// record (about 0.6 MB). The stamp: the extension's version (a new bundled record), the server
// and the ETag of its record; a record changing while the worker runs drops the stamp at once.
const SUMMARY_PREFIX = 'overlay:';
const SUMMARY_STAMP = 'overlayStamp';
const SUMMARY_STEP = 5; // platforms worked out between two looks at the message queue
// A platform the record does not have (yet): nothing to add to the index's lines.
const NO_SUMMARY = Object.freeze({ name: '', moderators: [], facts: {} });
let summaries = null; // {slug: summary} once worked out from the current record
let summariesPromise = null;
let recordGeneration = 0;

function recordStamp({ serverUrl, exportEtag }) {
  return JSON.stringify([chrome.runtime.getManifest().version, serverUrl || '', exportEtag || '']);
}

async function translators() {
  const loaded = await Promise.all(LANGUAGES.map((lang) => loadTranslator(lang)));
  return Object.fromEntries(loaded.map(({ lang, t }) => [lang, t]));
}

/** Every platform's summary from the whole record, then kept in storage for later starts. */
function allSummaries() {
  if (!summariesPromise) {
    const generation = recordGeneration;
    summariesPromise = (async () => {
      const stampInputs = await chrome.storage.local.get(['serverUrl', 'exportEtag']);
      // The whole record is read here only, and not kept: what the overlay needs is.
      const [{ data }, byLang] = await Promise.all([readExport(), translators()]);
      // A few platforms at a time, letting other messages (another tab's card) in between.
      const worked = {};
      const slugs = [...new Set((Array.isArray(data.platforms) ? data.platforms : []).map((platform) => platform && platform.slug))];
      for (let i = 0; i < slugs.length; i += SUMMARY_STEP) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        Object.assign(worked, overlaySummaries(data, byLang, slugs.slice(i, i + SUMMARY_STEP)));
      }
      if (generation !== recordGeneration) return worked; // the record changed meanwhile
      summaries = worked;
      storeSummaries(worked, recordStamp(stampInputs), generation).catch((error) =>
        console.error('Behind the Feed: keeping the overlay facts failed', error),
      );
      return worked;
    })().catch((error) => {
      summariesPromise = null;
      throw error;
    });
  }
  return summariesPromise;
}

async function storeSummaries(worked, stamp, generation) {
  const { [SUMMARY_STAMP]: before } = await chrome.storage.local.get(SUMMARY_STAMP);
  const slugs = Object.keys(worked);
  const gone = (before && Array.isArray(before.slugs) ? before.slugs : []).filter((slug) => !Object.hasOwn(worked, slug));
  if (gone.length) await chrome.storage.local.remove(gone.map((slug) => SUMMARY_PREFIX + slug));
  // The stamp last: a start in between finds no stamp (or the old one) and reads the record.
  await chrome.storage.local.remove(SUMMARY_STAMP);
  await chrome.storage.local.set(Object.fromEntries(slugs.map((slug) => [SUMMARY_PREFIX + slug, worked[slug]])));
  if (generation === recordGeneration) await chrome.storage.local.set({ [SUMMARY_STAMP]: { stamp, slugs } });
}

function forgetSummaries() {
  recordGeneration += 1;
  summaries = null;
  summariesPromise = null;
  chrome.storage.local.remove(SUMMARY_STAMP).catch(() => {});
}

/** The platform's summary kept from an earlier start, when it is from the record in use; else null. */
async function storedSummary(slug) {
  const key = SUMMARY_PREFIX + slug;
  const stored = await chrome.storage.local.get([SUMMARY_STAMP, key, 'serverUrl', 'exportEtag']);
  const kept = stored[SUMMARY_STAMP];
  if (!kept || kept.stamp !== recordStamp(stored)) return null;
  if (stored[key] && typeof stored[key] === 'object') return stored[key];
  return Array.isArray(kept.slugs) && !kept.slugs.includes(slug) ? NO_SUMMARY : null;
}

/**
 * A platform's summary: from memory, else from storage (a few KB), else from the whole record.
 * With `quick`, null instead of reading the whole record: the card is drawn first, and its
 * request for the facts ('overlay-facts') comes right after and reads the record.
 */
async function platformSummary(slug, { quick = false } = {}) {
  if (summaries) return Object.hasOwn(summaries, slug) ? summaries[slug] : NO_SUMMARY;
  const generation = recordGeneration;
  const stored = await storedSummary(slug).catch(() => null);
  if (stored && generation === recordGeneration) return stored;
  if (quick) return null;
  const worked = await allSummaries();
  return Object.hasOwn(worked, slug) ? worked[slug] : NO_SUMMARY;
}

/** What the card adds to the index's lines: each kind's facts and the language line. */
function summaryFacts(summary, lang, t, pageLang) {
  if (!summary) return { facts: {}, languageLine: '' };
  const facts = (summary.facts && summary.facts[lang]) || {};
  const languageLine = moderatorOverlayLine(summary, readerLanguage(pageLang, chrome.i18n.getUILanguage()), lang, t);
  return { facts, languageLine };
}

/** The index in use, read once per worker life and again whenever storage changes it. */
function currentIndex() {
  if (!indexPromise) {
    indexPromise = readIndex().catch((error) => {
      indexPromise = null;
      throw error;
    });
  }
  return indexPromise;
}

/** The settings, kept in memory so that the overlay's answer is not held up by storage reads. */
function currentSettings() {
  if (!settingsPromise) {
    settingsPromise = readSettings().catch((error) => {
      settingsPromise = null;
      throw error;
    });
  }
  return settingsPromise;
}

/**
 * One sync at a time: install, start-up, the alarm and "Sync now" may meet. The whole record
 * (export.json), then the index: two whole-file conditional downloads, nothing about the user's
 * browsing. Answers the index's outcome (what the options page shows as the last sync).
 */
function sync() {
  if (!syncPromise) {
    // The record first: when a new index lists a platform, its record is already there.
    syncPromise = syncExport()
      .catch((error) => console.error('Behind the Feed: record sync failed', error))
      .then(() => syncIndex())
      .finally(() => {
      syncPromise = null;
    });
  }
  return syncPromise;
}

async function currentTranslator() {
  const { language } = await currentSettings();
  return loadTranslator(resolveLanguage(language, chrome.i18n.getUILanguage()));
}

async function updateBadge(tabId, url) {
  const { index } = await currentIndex();
  const found = url ? platformForUrl(url, index) : null;
  const total = found ? found.platform.total : 0;
  const text = total > 999 ? '999+' : total > 0 ? String(total) : '';
  try {
    await chrome.action.setBadgeText({ tabId, text });
    const { lang, t } = await currentTranslator();
    await chrome.action.setTitle({
      tabId,
      title: text
        ? t('actionTitlePlatform', found.platform.name, claimCountLabel(total, lang, t))
        : t('actionTitle'),
    });
  } catch {
    // The tab closed while we were matching it.
  }
}

async function updateAllBadges() {
  const tabs = await chrome.tabs.query({});
  // Without the "tabs" permission, tab.url is only there on the listed platforms' hosts.
  await Promise.all(tabs.map((tab) => updateBadge(tab.id, tab.url)));
}

async function setUp() {
  await chrome.action.setBadgeBackgroundColor({ color: BADGE_COLOUR });
  if (chrome.action.setBadgeTextColor) await chrome.action.setBadgeTextColor({ color: '#ffffff' });
  await ensureSyncAlarm();
  // Badges first, from the index at hand; a sync that brings a new one updates them again.
  await updateAllBadges();
  await refreshSiteAccess();
  await sync();
}

// A dismissed overlay stays away on that platform, in every tab, for the time the user chose
// (chrome.storage.local `dismissedPlatforms`, lib/dismissals.js). Kept in memory too.
function currentDismissals() {
  if (!dismissedPromise) {
    dismissedPromise = readDismissals().catch((error) => {
      dismissedPromise = null;
      throw error;
    });
  }
  return dismissedPromise;
}

// When overlays were last turned off from an overlay, for its Undo (ms, in memory only).
let overlaysOffAt = null;

/** The listed platform of the tab a content script runs in, or null. */
async function senderPlatform(sender) {
  if (!sender.tab || sender.frameId !== 0) return null;
  const { index } = await currentIndex();
  return platformForUrl(sender.tab.url || sender.url, index);
}

// The language of each tab's page (its <html lang>, as the overlay reports it), for "who moderates
// your language" in the overlay and the panel: session storage only (gone with the browser
// session), never sent. A URL change on a single-page site keeps the language the page loaded with.
async function pageLanguage(sender, message) {
  if (!sender.tab || sender.frameId !== 0 || !chrome.storage.session) return '';
  const key = `pageLang:${sender.tab.id}`;
  if (message && typeof message.pageLang === 'string') {
    const reported = message.pageLang.slice(0, 35);
    // Not waited for: the overlay's answer already has the language.
    chrome.storage.session.set({ [key]: reported }).catch(() => {});
    return reported;
  }
  return (await chrome.storage.session.get(key).catch(() => ({})))[key] || '';
}

async function overlayData(sender, message) {
  const pageLang = await pageLanguage(sender, message);
  const settings = await currentSettings();
  if (!settings.overlaysEnabled) return null;
  const found = await senderPlatform(sender);
  if (!found || found.platform.total === 0) return null;
  // Hidden per matched platform (its slug): hiding Gmail leaves Google Search alone. Entries
  // from before (a listed host) still count for the platform of that host.
  if (settings.hiddenSites.includes(found.slug) || settings.hiddenSites.includes(found.host)) return null;
  if (isDismissed(await currentDismissals(), found.slug)) return null;
  const { lang, t } = await loadTranslator(resolveLanguage(settings.language, chrome.i18n.getUILanguage()));
  const { platform } = found;
  const counts = platform.counts || {};
  const kinds = [...KINDS, ...Object.keys(counts).filter((kind) => !KINDS.includes(kind))];
  // Who, where, when, how sure and the source, from the record on the device. When they are not
  // at hand (the worker has just started and must read the whole record), the card is drawn at
  // once from the index (name, counts, headlines) and asks for them ('overlay-facts'): they fill
  // the card in place a moment later.
  const summary = await platformSummary(found.slug, { quick: true });
  const { facts, languageLine } = summaryFacts(summary, lang, t, pageLang);
  const lines = kinds
    .filter((kind) => counts[kind] > 0)
    .map((kind) => ({
      kind,
      label: kindLabel(kind, t),
      count: formatCount(counts[kind], lang),
      countLabel: claimCountLabel(counts[kind], lang, t),
      headline: pickHeadline(platform.headlines && platform.headlines[kind], lang),
      facts: Object.hasOwn(facts, kind) ? facts[kind] : null,
    }));
  return {
    slug: found.slug,
    host: found.host,
    lang,
    position: settings.overlayPosition,
    dismissDefault: DEFAULT_DISMISS,
    undoMs: UNDO_MS,
    name: platform.name,
    lines,
    languageLine,
    factsPending: !summary,
    strings: {
      brand: t('extName'),
      regionLabel: t('overlayRegionLabel', platform.name),
      total: claimCountLabel(platform.total, lang, t),
      details: t('overlayDetails'),
      hide: t('overlayHideSite'),
      hideTitle: t('overlayHideSiteTitle', platform.name),
      off: t('overlayTurnOff'),
      close: t('overlayClose'),
      dismiss: t('overlayDismiss'),
      dismissFor: t('overlayDismissFor'),
      dismissChoices: [
        { value: 'day', label: t('dismissDay') },
        { value: 'month', label: t('dismissMonth') },
        { value: 'always', label: t('dismissAlways') },
      ].filter((choice) => Object.hasOwn(DISMISS_CHOICES, choice.value)),
      offDone: t('overlayOffDone'),
      undo: t('overlayUndo'),
      who: t('overlayWho'),
      where: t('overlayWhere'),
      when: t('overlayWhen'),
      sure: t('overlaySure'),
      source: t('overlaySource'),
      sourceTitle: t('overlaySourceTitle'),
    },
  };
}

async function openPanel(sender) {
  const found = await senderPlatform(sender);
  if (!found) return null;
  if (typeof chrome.action.openPopup === 'function') {
    try {
      await chrome.action.openPopup({ windowId: sender.tab.windowId });
      return 'popup';
    } catch {
      // No toolbar to anchor it to (or not allowed here): use a tab instead.
    }
  }
  await chrome.tabs.create({
    url: chrome.runtime.getURL(`popup/popup.html?platform=${encodeURIComponent(found.slug)}&tab=${sender.tab.id}`),
    index: sender.tab.index + 1,
    openerTabId: sender.tab.id,
  });
  return 'tab';
}

/** The facts the card was drawn without (overlayData's factsPending): {slug, facts, languageLine}. */
async function overlayFactsFor(sender, message) {
  const found = await senderPlatform(sender);
  if (!found) return null;
  const settings = await currentSettings();
  const { lang, t } = await loadTranslator(resolveLanguage(settings.language, chrome.i18n.getUILanguage()));
  const pageLang = await pageLanguage(sender, message);
  const summary = await platformSummary(found.slug);
  return { slug: found.slug, ...summaryFacts(summary, lang, t, pageLang) };
}

const fromContentScript = {
  'overlay-data': overlayData,
  'overlay-facts': overlayFactsFor,
  'open-panel': openPanel,
  'hide-site': async (sender) => {
    const found = await senderPlatform(sender);
    if (found) await hideOnSite(found.slug);
    return Boolean(found);
  },
  'overlays-off': async () => {
    overlaysOffAt = Date.now();
    await chrome.storage.local.set({ overlaysEnabled: false });
    return true;
  },
  // The overlay's Undo, offered for a few seconds after "Turn overlays off".
  'overlays-undo': async () => {
    if (!canUndo(overlaysOffAt)) return false;
    overlaysOffAt = null;
    await chrome.storage.local.set({ overlaysEnabled: true });
    return true;
  },
  dismiss: async (sender, message) => {
    const found = await senderPlatform(sender);
    if (!found) return false;
    const choice = Object.hasOwn(DISMISS_CHOICES, message.duration) ? message.duration : DEFAULT_DISMISS;
    await dismiss(found.slug, choice);
    return true;
  },
};

/**
 * The content script for listed sites the manifest lacks (new in a synced index) follows what
 * the user granted: registered for those sites, unregistered when none is left (lib/access.js).
 */
function refreshSiteAccess() {
  return currentIndex()
    .then(({ index }) => syncContentScripts(index))
    .catch((error) => console.error('Behind the Feed: site access update failed', error));
}

const fromExtensionPages = {
  'sync-now': () => sync(),
  'site-access-changed': async () => {
    await refreshSiteAccess();
    await updateAllBadges();
    return true;
  },
};

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id || !message || typeof message.type !== 'string') return false;
  const isPage = !sender.tab || (sender.url || '').startsWith(chrome.runtime.getURL(''));
  const handlers = isPage ? fromExtensionPages : fromContentScript;
  if (!Object.hasOwn(handlers, message.type)) return false;
  handlers[message.type](sender, message).then(sendResponse, (error) => {
    console.error(`Behind the Feed: ${message.type} failed`, error);
    sendResponse(null);
  });
  return true;
});

const FIRST_RUN_PAGE = 'firstrun/firstrun.html';

/** The first-run page, once: on install, and never again once shown (the `firstRunShown` flag). */
async function openFirstRun() {
  const { firstRunShown } = await chrome.storage.local.get('firstRunShown');
  if (firstRunShown) return;
  await chrome.storage.local.set({ firstRunShown: new Date().toISOString() });
  await chrome.tabs.create({ url: chrome.runtime.getURL(FIRST_RUN_PAGE) });
}

// Access granted or withdrawn in the browser's own settings (or by our button).
chrome.permissions.onAdded.addListener(() => refreshSiteAccess());
chrome.permissions.onRemoved.addListener(() => refreshSiteAccess());

// Work out the overlay's facts soon after the worker starts, unless an earlier start kept them
// (a page then waits for nothing but its own platform's few KB). Not at once: a page's message
// that woke the worker is answered first, from the index.
setTimeout(() => {
  if (summaries || summariesPromise) return;
  chrome.storage.local
    .get([SUMMARY_STAMP, 'serverUrl', 'exportEtag'])
    .then((stored) => {
      const kept = stored[SUMMARY_STAMP];
      if (!kept || kept.stamp !== recordStamp(stored)) return allSummaries();
      return null;
    })
    .catch(() => {});
}, 1000);

chrome.runtime.onInstalled.addListener((details) => {
  // Installed, updated or reloaded: the bundled record may differ even where the version does not,
  // so facts kept by an earlier install are not used again (this worker's own are from this one).
  if (!summariesPromise) chrome.storage.local.remove(SUMMARY_STAMP).catch(() => {});
  if (details && details.reason === 'install') {
    openFirstRun().catch((error) => console.error('Behind the Feed: first-run page failed', error));
  }
  setUp().catch((error) => console.error('Behind the Feed: set-up failed', error));
});

chrome.runtime.onStartup.addListener(() => {
  setUp().catch((error) => console.error('Behind the Feed: start-up failed', error));
});

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === SYNC_ALARM) sync().catch(() => {});
});

chrome.storage.onChanged.addListener((changes, area) => {
  if (area !== 'local') return;
  if (Object.keys(changes).some((key) => Object.hasOwn(DEFAULT_SETTINGS, key))) settingsPromise = null;
  if ('export' in changes) forgetSummaries();
  if (DISMISSED_KEY in changes) dismissedPromise = null;
  if ('index' in changes || 'language' in changes) {
    indexPromise = null;
    updateAllBadges().catch(() => {});
    if ('index' in changes) refreshSiteAccess();
  }
});

chrome.tabs.onRemoved.addListener((tabId) => {
  if (chrome.storage.session) chrome.storage.session.remove(`pageLang:${tabId}`).catch(() => {});
});

chrome.tabs.onActivated.addListener(({ tabId }) => {
  chrome.tabs.get(tabId).then((tab) => updateBadge(tabId, tab.url), () => {});
});

// Single-page sites (YouTube, Google) change the URL without loading a page: match again on
// every URL change, and tell the overlay, which asks for its data again (the platform may differ:
// google.com/maps to google.com/search).
chrome.tabs.onUpdated.addListener((tabId, changeInfo, tab) => {
  if (changeInfo.url !== undefined || changeInfo.status === 'loading') {
    updateBadge(tabId, tab.url).catch(() => {});
  }
  if (changeInfo.url !== undefined) {
    // Chromium reports a history.pushState as 'loading' with the new URL, like a real
    // navigation: tell the page either way. A page being replaced answers nothing or redraws
    // for a moment; the new page's overlay asks for itself. No content script: nothing listens.
    chrome.tabs.sendMessage(tabId, { type: 'url-changed' }, { frameId: 0 }).catch(() => {});
  }
});
