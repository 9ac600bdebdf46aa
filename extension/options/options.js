// The options page: server URL (and its host permission), sync, overlay, hidden sites, language.

import { loadTranslator, localizePage, resolveLanguage } from '../lib/i18n.js';
import { forgetServerData, readIndex } from '../lib/index-store.js';
import { POSITIONS, hideOnSite, readSettings, showOnSite } from '../lib/settings.js';
import { formatCount, formatDateTime, parseServerUrl } from '../lib/format.js';
import { ALWAYS, DISMISSED_KEY, readDismissals, undismiss } from '../lib/dismissals.js';
import { renderAccessHint } from '../lib/access-hint.js';

let t = (key) => key;
let lang = 'en';
let lastRemoved = null;

const $ = (id) => document.getElementById(id);

function say(id, message, kind = '') {
  const node = $(id);
  node.textContent = message;
  node.classList.remove('ok', 'error');
  if (kind) node.classList.add(kind);
}

function syncResultText(lastSync) {
  if (!lastSync) return t('syncNever');
  const when = formatDateTime(lastSync.at, lang);
  switch (lastSync.result) {
    case 'ok':
      return t('syncResultOk', when, lastSync.version || '');
    case 'not-modified':
      return t('syncResultNotModified', when);
    case 'no-server':
      return t('syncNoServer');
    default:
      return t('syncResultError', when, lastSync.message || '');
  }
}

async function renderIndexInfo() {
  const { index, origin } = await readIndex();
  const count = formatCount(Object.keys(index.platforms).length, lang);
  const dated = formatDateTime(index.generated_at, lang);
  $('index-info').textContent =
    origin === 'server' ? t('indexFromServer', count, dated) : t('indexBundled', count, dated);
}

async function renderSync() {
  const { lastSync, serverUrl } = await chrome.storage.local.get(['lastSync', 'serverUrl']);
  const failed = lastSync && lastSync.result === 'error';
  say('last-sync', serverUrl ? syncResultText(lastSync) : t('syncNoServer'), failed ? 'error' : '');
  $('sync-now').disabled = !serverUrl;
  await renderIndexInfo();
}

function renderHiddenSites(sites) {
  const list = $('hidden-sites');
  list.replaceChildren();
  for (const site of sites) {
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = t('hiddenRemove');
    remove.setAttribute('aria-label', t('hiddenRemoveLabel', site));
    remove.addEventListener('click', async () => {
      await showOnSite(site);
      lastRemoved = site;
      renderUndo();
    });
    const name = document.createElement('span');
    name.className = 'host';
    name.textContent = site;
    const item = document.createElement('li');
    item.append(name, remove);
    list.append(item);
  }
  $('hidden-empty').hidden = sites.length > 0;
}

/** The listed sites the extension cannot read, with the one button that asks for them. */
async function renderAccess() {
  const { index } = await readIndex();
  await renderAccessHint($('site-access'), { t, index });
}

/** Platforms dismissed from the overlay, each with when it shows again and "Show again". */
async function renderDismissed() {
  const [dismissals, { index }] = await Promise.all([readDismissals(), readIndex()]);
  const list = $('dismissed-platforms');
  list.replaceChildren();
  const entries = Object.entries(dismissals).sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [slug, until] of entries) {
    const platform = index.platforms && Object.hasOwn(index.platforms, slug) ? index.platforms[slug] : null;
    const name = platform ? platform.name : slug;
    const label = document.createElement('span');
    label.textContent =
      until === ALWAYS ? t('dismissedForGood', name) : t('dismissedUntil', name, formatDateTime(until, lang));
    const show = document.createElement('button');
    show.type = 'button';
    show.textContent = t('dismissedShow');
    show.setAttribute('aria-label', t('dismissedShowLabel', name));
    show.addEventListener('click', () => undismiss(slug));
    const item = document.createElement('li');
    item.dataset.platform = slug;
    item.append(label, show);
    list.append(item);
  }
  $('dismissed-empty').hidden = entries.length > 0;
}

function renderUndo() {
  const status = $('hidden-undo');
  status.replaceChildren();
  if (!lastRemoved) return;
  const undo = document.createElement('button');
  undo.type = 'button';
  undo.id = 'hidden-undo-button';
  undo.textContent = t('hiddenUndo');
  undo.addEventListener('click', async () => {
    const site = lastRemoved;
    lastRemoved = null;
    renderUndo();
    await hideOnSite(site);
  });
  status.append(document.createTextNode(t('hiddenRemoved', lastRemoved)), undo);
}

async function render() {
  const settings = await readSettings();
  ({ lang, t } = await loadTranslator(resolveLanguage(settings.language, chrome.i18n.getUILanguage())));
  localizePage(document, t, lang);
  $('server-url').value = settings.serverUrl;
  $('server-remove').disabled = !settings.serverUrl;
  $('overlays-enabled').checked = settings.overlaysEnabled;
  for (const position of POSITIONS) $(`position-${position}`).checked = settings.overlayPosition === position;
  $('language').value = settings.language;
  renderHiddenSites(settings.hiddenSites);
  renderUndo();
  await renderDismissed();
  await renderAccess();
  await renderSync();
}

async function syncNow() {
  $('sync-now').disabled = true;
  say('last-sync', t('syncRunning'));
  try {
    await chrome.runtime.sendMessage({ type: 'sync-now' });
  } finally {
    await renderSync();
  }
}

function setUpServer() {
  $('server-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const parsed = parseServerUrl($('server-url').value);
    if (!parsed.ok) {
      say('server-status', t(parsed.error), 'error');
      return;
    }
    // Asked for here, in the click itself: browsers only show the request during a user gesture.
    chrome.permissions.request({ origins: [parsed.permission] }).then(
      async (granted) => {
        if (!granted) {
          say('server-status', t('serverPermissionDenied'), 'error');
          return;
        }
        const { serverUrl: previous } = await chrome.storage.local.get('serverUrl');
        if (previous !== parsed.url) await forgetServerData();
        await chrome.storage.local.set({ serverUrl: parsed.url });
        $('server-url').value = parsed.url;
        $('server-remove').disabled = false;
        say('server-status', t('serverSaved'), 'ok');
        await syncNow();
      },
      (error) => say('server-status', t('serverPermissionError', error.message), 'error'),
    );
  });

  $('server-remove').addEventListener('click', async () => {
    const { serverUrl } = await chrome.storage.local.get('serverUrl');
    await chrome.storage.local.set({ serverUrl: '' });
    await forgetServerData();
    const parsed = parseServerUrl(serverUrl);
    if (parsed.ok) {
      // A host the extension needs anyway (a listed platform) cannot be removed: that is fine.
      await chrome.permissions.remove({ origins: [parsed.permission] }).catch(() => false);
    }
    $('server-url').value = '';
    $('server-remove').disabled = true;
    say('server-status', t('serverRemoved'), 'ok');
    await renderSync();
  });

  $('sync-now').addEventListener('click', () => syncNow());
}

function setUpPreferences() {
  $('overlays-enabled').addEventListener('change', (event) =>
    chrome.storage.local.set({ overlaysEnabled: event.target.checked }),
  );
  for (const position of POSITIONS) {
    $(`position-${position}`).addEventListener('change', (event) => {
      if (event.target.checked) chrome.storage.local.set({ overlayPosition: position });
    });
  }
  $('language').addEventListener('change', async (event) => {
    await chrome.storage.local.set({ language: event.target.value });
    await render();
  });
}

chrome.storage.onChanged.addListener((changes, area) => {
  if (area !== 'local') return;
  if (changes.hiddenSites) readSettings().then((settings) => renderHiddenSites(settings.hiddenSites));
  if (changes[DISMISSED_KEY]) renderDismissed();
  if (changes.overlaysEnabled) $('overlays-enabled').checked = changes.overlaysEnabled.newValue !== false;
  if (changes.index || changes.lastSync) renderSync();
  if (changes.index) renderAccess();
});

setUpServer();
setUpPreferences();
render()
  .then(() => {
    document.documentElement.dataset.ready = 'true';
  })
  .catch((error) => console.error('Behind the Feed: the options page failed', error));
