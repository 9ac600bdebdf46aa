// Dismissing the overlay on a platform for a chosen time, in every tab: chrome.storage.local
// `dismissedPlatforms` = {slug: until}, `until` a time in ms since the epoch or ALWAYS. Open tabs
// hear of it through storage.onChanged and close the overlay at once. Pure functions (no
// chrome.* calls) beside the two that read and write the storage, so node can test them.

export const DISMISSED_KEY = 'dismissedPlatforms';
export const ALWAYS = 'always';
const DAY_MS = 24 * 60 * 60 * 1000;

/** The choices the overlay offers, in order, with how long each lasts (null: always). */
export const DISMISS_CHOICES = Object.freeze({ day: DAY_MS, month: 30 * DAY_MS, always: null });
export const DEFAULT_DISMISS = 'month';

/** How long "Undo" stays offered after "Turn overlays off". */
export const UNDO_MS = 10000;

/** Until when a dismissal made at `now` with this choice lasts: ms, or ALWAYS. Unknown: default. */
export function dismissalUntil(choice, now = Date.now()) {
  const key = Object.hasOwn(DISMISS_CHOICES, choice) ? choice : DEFAULT_DISMISS;
  const duration = DISMISS_CHOICES[key];
  return duration === null ? ALWAYS : now + duration;
}

function isLive(until, now) {
  return until === ALWAYS || (Number.isFinite(until) && until > now);
}

/** Whether the overlay is dismissed on this platform at `now`. */
export function isDismissed(dismissals, slug, now = Date.now()) {
  if (!dismissals || typeof dismissals !== 'object' || !Object.hasOwn(dismissals, slug)) return false;
  return isLive(dismissals[slug], now);
}

/** The dismissals still in force at `now` (expired and malformed entries dropped). */
export function liveDismissals(dismissals, now = Date.now()) {
  const live = {};
  if (!dismissals || typeof dismissals !== 'object') return live;
  for (const [slug, until] of Object.entries(dismissals)) if (isLive(until, now)) live[slug] = until;
  return live;
}

/** The dismissals with this platform dismissed by `choice` at `now` (and the expired ones gone). */
export function withDismissal(dismissals, slug, choice, now = Date.now()) {
  return { ...liveDismissals(dismissals, now), [slug]: dismissalUntil(choice, now) };
}

/** The dismissals without this platform. */
export function withoutDismissal(dismissals, slug, now = Date.now()) {
  const live = liveDismissals(dismissals, now);
  delete live[slug];
  return live;
}

/** Whether "Undo" is still offered, `offAt` being when overlays were turned off (ms) or null. */
export function canUndo(offAt, now = Date.now(), windowMs = UNDO_MS) {
  return Number.isFinite(offAt) && now >= offAt && now - offAt <= windowMs;
}

export async function readDismissals(storage = chrome.storage.local, now = Date.now()) {
  const { [DISMISSED_KEY]: stored } = await storage.get(DISMISSED_KEY);
  return liveDismissals(stored, now);
}

export async function dismiss(slug, choice, storage = chrome.storage.local, now = Date.now()) {
  const { [DISMISSED_KEY]: stored } = await storage.get(DISMISSED_KEY);
  await storage.set({ [DISMISSED_KEY]: withDismissal(stored, slug, choice, now) });
}

export async function undismiss(slug, storage = chrome.storage.local, now = Date.now()) {
  const { [DISMISSED_KEY]: stored } = await storage.get(DISMISSED_KEY);
  await storage.set({ [DISMISSED_KEY]: withoutDismissal(stored, slug, now) });
}
