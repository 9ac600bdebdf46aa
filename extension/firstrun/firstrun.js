// The first-run page: opened once on install (background.js) and from the settings. What the
// extension shows and why, what it never sends, how to pin its button in this browser, the
// language, and the optional server. Text only, from _locales; no remote resource.

import { loadTranslator, localizePage, resolveLanguage } from '../lib/i18n.js';
import { readSettings } from '../lib/settings.js';

/** 'firefox' or 'chromium': the pinning steps differ, and each browser has its own words. */
export function browserFamily(runtime = globalThis.browser?.runtime, userAgent = navigator.userAgent) {
  if (runtime && typeof runtime.getBrowserInfo === 'function') return 'firefox';
  return /\bFirefox\//.test(userAgent) ? 'firefox' : 'chromium';
}

async function render(language) {
  const { lang, t } = await loadTranslator(resolveLanguage(language, chrome.i18n.getUILanguage()));
  localizePage(document, t, lang);
  document.title = t('firstRunTitle');
}

async function main() {
  const settings = await readSettings();
  const family = browserFamily();
  for (const node of document.querySelectorAll('[data-browser]')) node.hidden = node.dataset.browser !== family;
  const select = document.getElementById('language');
  select.value = settings.language;
  await render(settings.language);
  select.addEventListener('change', async () => {
    await chrome.storage.local.set({ language: select.value });
    await render(select.value);
  });
  document.getElementById('open-settings').addEventListener('click', () => chrome.runtime.openOptionsPage());
  document.documentElement.dataset.ready = 'true';
}

main().catch((error) => console.error('Behind the Feed: the first-run page failed', error));
