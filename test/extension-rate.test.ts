// The per-message change counter behind 23003: a fixed window per message, and a bounded map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PerMessageRate } from '../src/domain/extension-rate.js';

test('at most `limit` changes per message per window; the next window starts afresh', () => {
  const r = new PerMessageRate(3, 60_000);
  for (let i = 0; i < 3; i++) assert.equal(r.take('m1', 1000 + i), true);
  assert.equal(r.take('m1', 1010), false, 'the 4th in the window is refused');
  assert.equal(r.take('m1', 60_999), false, 'still the same window');
  assert.equal(r.take('m2', 1010), true, 'another message has its own count');
  assert.equal(r.take('m1', 61_000), true, 'a minute after the window opened');
});

test('a flood of distinct messages never grows the map past its bound; the oldest window goes first', () => {
  const r = new PerMessageRate(1, 60_000, 100);
  for (let i = 0; i < 10_000; i++) r.take(`m${i}`, 0);
  assert.equal(r.tracked, 100);
  assert.equal(r.take('m9999', 0), false, 'a recent message is still counted');
  assert.equal(r.take('m0', 0), true, 'the oldest was dropped, so it counts again');
});
