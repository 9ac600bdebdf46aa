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
import { loadTranslator, resolveLanguage } from './lib/i18n.js';
import { KINDS, claimCountLabel, formatCount, kindLabel, pickHeadline } from './lib/format.js';
import { overlayFacts } from './lib/overlay-facts.js';
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
let exportPromise = null;

/** The whole record (bundled or synced), read once per worker life and again when a sync changes it. */
function currentExport() {
  if (!exportPromise) {
    factsCache.clear();
    exportPromise = readExport().catch((error) => {
      exportPromise = null;
      throw error;
    });
  }
  return exportPromise;
}

// The overlay's facts per platform and language, worked out once per record.
const factsCache = new Map();

async function platformFacts(slug, lang, t) {
  const key = `${slug}\n${lang}`;
  if (!factsCache.has(key)) {
    const { data } = await currentExport();
    factsCache.set(key, overlayFacts(data, slug, lang, t));
  }
  return factsCache.get(key);
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
    await chrome.storage.session.set({ [key]: reported }).catch(() => {});
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
  // Who, where, when, how sure and the source, from the record on the device; the index's
  // headline alone when the record does not have the platform yet.
  const facts = await platformFacts(found.slug, lang, t).catch(() => new Map());
  const languageLine = await currentExport()
    .then(({ data }) => {
      const record = (data.platforms || []).find((p) => p && p.slug === found.slug);
      return record ? moderatorOverlayLine(record, readerLanguage(pageLang, chrome.i18n.getUILanguage()), lang, t) : '';
    })
    .catch(() => '');
  const lines = kinds
    .filter((kind) => counts[kind] > 0)
    .map((kind) => ({
      kind,
      label: kindLabel(kind, t),
      count: formatCount(counts[kind], lang),
      countLabel: claimCountLabel(counts[kind], lang, t),
      headline: pickHeadline(platform.headlines && platform.headlines[kind], lang),
      facts: facts.get(kind) || null,
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

const fromContentScript = {
  'overlay-data': overlayData,
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

// Read the record as the worker starts (a page's first message wakes it), not on the overlay's turn.
currentExport().catch(() => {});

chrome.runtime.onInstalled.addListener((details) => {
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
  if ('export' in changes) exportPromise = null;
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
