// The domain's units of work for recall, modify and read marks: who is told, what, until when.
// The stores only write these (test/store/contract.ts), so these are the rules themselves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_RETENTION_SECONDS, modifyRequest, readRequest, recallRequest } from '../src/domain/message-events.js';

const T = 1700000000;
const ref = { from: 'alice', to: 'bob', seq: 7, random: 8, time: T };

test('a recall tells the recipient, then the sender, for 7 days, and uncounts the unread message', () => {
  const r = recallRequest({ ref, by: 'administrator', via: 'admin', at: T + 5 });
  const payload = { from: 'alice', to: 'bob', msgKey: `7_8_${T}`, by: 'administrator', via: 'admin', at: T + 5 };
  assert.equal(EVENT_RETENTION_SECONDS, 7 * 86400);
  assert.deepEqual(r.events, [
    { kind: 'recall', payload, user: 'bob', at: T + 5, expiresAt: T + 5 + 7 * 86400 },
    { kind: 'recall', payload, user: 'alice', at: T + 5, expiresAt: T + 5 + 7 * 86400 },
  ]);
  assert.equal(r.uncountUnread, true);
  assert.equal('callbacks' in r, false);
});

test('a message to oneself is told once', () => {
  const self = { ...ref, to: 'alice' };
  assert.deepEqual(
    recallRequest({ ref: self, by: 'alice', via: 'client', at: T }).events.map((e) => e.user),
    ['alice'],
  );
  assert.deepEqual(
    modifyRequest(self, { cloudCustomData: 'x' }, T).events.map((e) => e.user),
    ['alice'],
  );
  assert.deepEqual(
    readRequest('alice', 'alice', undefined, T)
      .eventsIfMoved({ readTime: T, unread: 0 })
      .map((e) => e.user),
    ['alice'],
  );
});

test('a modify carries the change and tells both users', () => {
  const m = modifyRequest(ref, { cloudCustomData: 'new' }, T + 9);
  assert.deepEqual(m.cloudCustomData, 'new');
  assert.equal('body' in m, false, 'an absent field stays absent: the store keeps it');
  assert.deepEqual(
    m.events.map((e) => [e.user, e.kind, e.payload, e.expiresAt]),
    [
      ['bob', 'modify', { from: 'alice', to: 'bob', msgKey: `7_8_${T}` }, T + 9 + EVENT_RETENTION_SECONDS],
      ['alice', 'modify', { from: 'alice', to: 'bob', msgKey: `7_8_${T}` }, T + 9 + EVENT_RETENTION_SECONDS],
    ],
  );
});

test('a read mark: a time reads its whole second, none reads what is stored by now; receipts name the new cursor', () => {
  assert.deepEqual(readRequest('bob', 'alice', T - 3, T).upTo, { time: T - 3, through: 'second' });
  assert.deepEqual(readRequest('bob', 'alice', undefined, T).upTo, { time: T, through: 'stored' });
  const events = readRequest('bob', 'alice', undefined, T).eventsIfMoved({ readTime: T - 1, unread: 2 });
  const payload = { owner: 'bob', peer: 'alice', readTime: T - 1, unread: 2 };
  assert.deepEqual(events, [
    { kind: 'read', payload, user: 'bob', at: T, expiresAt: T + EVENT_RETENTION_SECONDS },
    { kind: 'read', payload, user: 'alice', at: T, expiresAt: T + EVENT_RETENTION_SECONDS },
  ]);
});
