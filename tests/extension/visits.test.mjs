import { test } from 'node:test';
import assert from 'node:assert/strict';

import { VISITS_KEY, changeMarks, claimVersion, recordVisit, visitSnapshot } from '../../extension/lib/visits.js';
import { memoryStorage } from './helpers.mjs';

const claims = [
  { id: 'a', last_verified: '2026-01-01' },
  { id: 'b', last_verified: '2026-02-01' },
  { id: 'c', last_verified: '2026-03-01', version: 4 },
];

test('a claim\'s version is its version when there is one, else its last verification', () => {
  assert.equal(claimVersion(claims[0]), '2026-01-01');
  assert.equal(claimVersion(claims[2]), '4');
  assert.equal(claimVersion(null), '');
  assert.deepEqual(visitSnapshot(claims), { a: '2026-01-01', b: '2026-02-01', c: '4' });
});

test('new and updated claims since the last visit; nothing on a first visit', () => {
  assert.equal(changeMarks(null, claims).size, 0);
  const marks = changeMarks({ a: '2026-01-01', b: '2025-06-01', gone: '2020-01-01' }, claims);
  assert.deepEqual([...marks], [['b', 'updated'], ['c', 'new']]);
  assert.equal(changeMarks(visitSnapshot(claims), claims).size, 0);
});

test('each panel opening records the visit per platform, on the device, and the next compares with it', async () => {
  const storage = memoryStorage({ [VISITS_KEY]: { other: { at: '2026-01-01T00:00:00.000Z', claims: { z: '1' } } } });
  const first = await recordVisit(storage, 'x', claims, new Date('2026-05-01T10:00:00Z'));
  assert.equal(first.marks.size, 0);
  assert.equal(first.lastVisit, null);
  const changed = [...claims.slice(0, 2).map((c) => ({ ...c })), { id: 'd', last_verified: '2026-05-02' }];
  changed[0].last_verified = '2026-05-02';
  const second = await recordVisit(storage, 'x', changed, new Date('2026-05-03T10:00:00Z'));
  assert.deepEqual([...second.marks], [['a', 'updated'], ['d', 'new']]);
  assert.equal(second.lastVisit, '2026-05-01T10:00:00.000Z');
  const third = await recordVisit(storage, 'x', changed, new Date('2026-05-04T10:00:00Z'));
  assert.equal(third.marks.size, 0);
  // Other platforms' visits are kept as they were.
  assert.deepEqual(storage.data[VISITS_KEY].other, { at: '2026-01-01T00:00:00.000Z', claims: { z: '1' } });
  assert.deepEqual(Object.keys(storage.data), [VISITS_KEY]);
});
