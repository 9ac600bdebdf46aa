import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  ALWAYS,
  DEFAULT_DISMISS,
  DISMISSED_KEY,
  UNDO_MS,
  canUndo,
  dismiss,
  dismissalUntil,
  isDismissed,
  liveDismissals,
  readDismissals,
  undismiss,
  withDismissal,
} from '../../extension/lib/dismissals.js';
import { memoryStorage } from './helpers.mjs';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 0, 10, 12);

test('the default is 30 days; 1 day and always are offered; an unknown choice is the default', () => {
  assert.equal(DEFAULT_DISMISS, 'month');
  assert.equal(dismissalUntil('month', NOW), NOW + 30 * DAY);
  assert.equal(dismissalUntil('day', NOW), NOW + DAY);
  assert.equal(dismissalUntil('always', NOW), ALWAYS);
  assert.equal(dismissalUntil('__proto__', NOW), NOW + 30 * DAY);
  assert.equal(dismissalUntil(undefined, NOW), NOW + 30 * DAY);
});

test('a dismissal lasts until its time, and no longer; "always" never expires', () => {
  const dismissals = withDismissal({}, 'facebook', 'day', NOW);
  assert.equal(isDismissed(dismissals, 'facebook', NOW), true);
  assert.equal(isDismissed(dismissals, 'facebook', NOW + DAY - 1), true);
  assert.equal(isDismissed(dismissals, 'facebook', NOW + DAY), false);
  assert.equal(isDismissed(dismissals, 'tiktok', NOW), false, 'only the platform dismissed');
  const forGood = withDismissal(dismissals, 'tiktok', 'always', NOW);
  assert.equal(isDismissed(forGood, 'tiktok', NOW + 3650 * DAY), true);
});

test('expired and malformed entries are dropped when read or when another is added', () => {
  const stored = { old: NOW - 1, fine: NOW + 5, odd: 'soon', nan: Number.NaN, forever: ALWAYS };
  assert.deepEqual(liveDismissals(stored, NOW), { fine: NOW + 5, forever: ALWAYS });
  assert.deepEqual(Object.keys(withDismissal(stored, 'new', 'day', NOW)).sort(), ['fine', 'forever', 'new']);
  assert.equal(isDismissed(null, 'x', NOW), false);
  assert.equal(isDismissed({ toString: 1 }, 'constructor', NOW), false);
});

test('dismiss and undismiss go through chrome.storage.local, where every tab hears of them', async () => {
  const storage = memoryStorage();
  await dismiss('youtube', 'always', storage, NOW);
  await dismiss('facebook', 'month', storage, NOW);
  assert.deepEqual((await storage.get(DISMISSED_KEY))[DISMISSED_KEY], {
    youtube: ALWAYS,
    facebook: NOW + 30 * DAY,
  });
  await undismiss('youtube', storage, NOW);
  assert.deepEqual(Object.keys(await readDismissals(storage, NOW)), ['facebook']);
  assert.deepEqual(await readDismissals(storage, NOW + 31 * DAY), {}, 'gone after 30 days');
});

test('Undo is offered right after "Turn overlays off", for a few seconds only', () => {
  assert.equal(canUndo(NOW, NOW), true);
  assert.equal(canUndo(NOW, NOW + UNDO_MS), true);
  assert.equal(canUndo(NOW, NOW + UNDO_MS + 1), false);
  assert.equal(canUndo(null, NOW), false, 'nothing was turned off');
  assert.equal(canUndo(NOW + 5, NOW), false, 'not before it was turned off');
});
