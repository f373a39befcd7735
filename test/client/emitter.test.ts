// on/off/once with Tencent's envelope, and the 1 s throttle of list and unread updates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter } from '@parley/client/internal/emitter';
import { SerialQueue, Throttle } from '@parley/client/internal/schedule';
import { ChatError } from '@parley/client/internal/errors';

test('handlers get one { name, data } envelope; off needs the same function and context; once fires once', () => {
  const errors: unknown[] = [];
  const em = new Emitter((_n, e) => errors.push(e));
  const seen: unknown[] = [];
  const ctx = { tag: 'ctx' };
  function h(this: unknown, env: unknown): void {
    seen.push([this, env]);
  }
  em.on('x', h, ctx);
  em.on('x', () => {
    throw new Error('app bug');
  });
  em.emit('x', 1, { isSyncCompleted: true });
  assert.deepEqual(seen, [[ctx, { name: 'x', data: 1, isSyncCompleted: true }]]);
  assert.equal(errors.length, 1, 'a throwing handler is contained');
  em.off('x', h); // wrong context: still registered
  em.emit('x', 2);
  assert.equal(seen.length, 2);
  em.off('x', h, ctx);
  em.emit('x', 3);
  assert.equal(seen.length, 2);
  let onceCount = 0;
  em.on('z', () => onceCount++, undefined, true);
  em.emit('z', null);
  em.emit('z', null);
  assert.equal(onceCount, 1);
});

test('the throttle runs the first call at once and folds the rest into one trailing call', async () => {
  let runs = 0;
  let trailing!: () => void;
  const done = new Promise<void>((r) => (trailing = r));
  const t = new Throttle(() => {
    runs++;
    if (runs === 2) trailing();
  }, 20);
  const keepAlive = setInterval(() => undefined, 1000); // the throttle's timer does not hold the process
  t.call();
  assert.equal(runs, 1);
  t.call();
  t.call();
  t.call();
  assert.equal(runs, 1);
  await done;
  clearInterval(keepAlive);
  assert.equal(runs, 2);
  t.cancel();
});

test('the serial queue runs tasks one at a time, in order, past failures', async () => {
  const q = new SerialQueue();
  const order: number[] = [];
  const slow = q.run(async () => {
    await new Promise((r) => setImmediate(r));
    order.push(1);
  });
  const failing = q.run(() => {
    order.push(2);
    throw new Error('x');
  });
  const third = q.run(() => order.push(3));
  await slow;
  await assert.rejects(failing);
  await third;
  await q.drain();
  assert.deepEqual(order, [1, 2, 3]);
});

test('ChatError has code, message and data, and is an Error', () => {
  const e = new ChatError(2801, undefined, { message: 'm' });
  assert.ok(e instanceof Error);
  assert.deepEqual(
    { code: e.code, message: e.message, data: e.data },
    { code: 2801, message: 'request timed out', data: { message: 'm' } },
  );
  assert.deepEqual(Object.keys(e).sort(), ['code', 'data', 'message']);
  assert.deepEqual(JSON.parse(JSON.stringify(e)), { code: 2801, message: 'request timed out', data: { message: 'm' } });
});
