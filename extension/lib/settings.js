// The user's settings, in chrome.storage.local next to the index. One place for their defaults.

export const POSITIONS = ['bottom-right', 'bottom-left', 'top-right', 'top-left'];

export const DEFAULT_SETTINGS = Object.freeze({
  serverUrl: '',
  overlaysEnabled: true,
  overlayPosition: 'bottom-right',
  language: 'auto',
  hiddenSites: [],
});

/** The settings with their defaults filled in and odd stored values replaced by the default. */
export async function readSettings(storage = chrome.storage.local) {
  const stored = await storage.get(Object.keys(DEFAULT_SETTINGS));
  return {
    serverUrl: typeof stored.serverUrl === 'string' ? stored.serverUrl : DEFAULT_SETTINGS.serverUrl,
    overlaysEnabled: stored.overlaysEnabled !== false,
    overlayPosition: POSITIONS.includes(stored.overlayPosition)
      ? stored.overlayPosition
      : DEFAULT_SETTINGS.overlayPosition,
    language: ['auto', 'en', 'fr'].includes(stored.language) ? stored.language : 'auto',
    hiddenSites: Array.isArray(stored.hiddenSites)
      ? stored.hiddenSites.filter((site) => typeof site === 'string')
      : [],
  };
}

/** Add a site (a listed host) to the sites where the overlay is hidden. */
export async function hideOnSite(host, storage = chrome.storage.local) {
  const { hiddenSites } = await readSettings(storage);
  if (!hiddenSites.includes(host)) await storage.set({ hiddenSites: [...hiddenSites, host].sort() });
}

/** Show the overlay on a site again. */
export async function showOnSite(host, storage = chrome.storage.local) {
  const { hiddenSites } = await readSettings(storage);
  await storage.set({ hiddenSites: hiddenSites.filter((site) => site !== host) });
}
