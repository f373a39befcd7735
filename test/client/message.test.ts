// The message model: REST MsgBody ⇄ SDK Message ⇄ cache record, and recall erasure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  elementFromWire,
  elementToWire,
  eraseContent,
  fromRecord,
  mergeWire,
  messageForShow,
  messageFromWire,
  newOutgoingMessage,
  RECALLED_LABEL,
  toRecord,
  metaOf,
} from '@parley/client/internal/message';
import type { WireMessage } from '@parley/protocol';
import { gatewayURL } from '@parley/client/internal/gateway-url';
import { TYPES } from '@parley/client/internal/constants';

const wire = (o: Partial<WireMessage> = {}): WireMessage => ({
  from: 'alice',
  to: 'bob',
  seq: 7,
  random: 12345,
  time: 1700000000,
  msgKey: '7_12345_1700000000',
  body: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'hi' } }],
  cloudCustomData: 'ccd',
  recalled: null,
  needReadReceipt: false,
  onlineOnly: false,
  ...o,
});

test('the four creatable elements survive REST → payload → REST unchanged', () => {
  const bodies = [
    { MsgType: 'TIMTextElem', MsgContent: { Text: 'hello' } },
    { MsgType: 'TIMCustomElem', MsgContent: { Data: 'd', Desc: 'de', Ext: 'e' } },
    { MsgType: 'TIMFaceElem', MsgContent: { Index: 3, Data: 'smile' } },
    { MsgType: 'TIMLocationElem', MsgContent: { Desc: 'here', Longitude: 113.9, Latitude: 22.5 } },
  ];
  for (const b of bodies) assert.deepEqual(elementToWire(elementFromWire(b)), b);
  assert.deepEqual(elementFromWire(bodies[1]!).content, { data: 'd', description: 'de', extension: 'e' });
  assert.deepEqual(elementFromWire(bodies[2]!).content, { index: 3, data: 'smile' });
  assert.deepEqual(elementFromWire(bodies[3]!).content, { description: 'here', longitude: 113.9, latitude: 22.5 });
});

test('received-only elements map to Tencent payload names', () => {
  const img = elementFromWire({
    MsgType: 'TIMImageElem',
    MsgContent: {
      UUID: 'u1',
      ImageFormat: 2,
      ImageInfoArray: [{ Type: 1, Size: 10, Width: 4, Height: 3, URL: 'https://x/1.png' }],
    },
  });
  assert.deepEqual(img.content, {
    uuid: 'u1',
    imageFormat: 2,
    imageInfoArray: [{ type: 1, size: 10, width: 4, height: 3, url: 'https://x/1.png', imageUrl: 'https://x/1.png' }],
  });
  const file = elementFromWire({
    MsgType: 'TIMFileElem',
    MsgContent: { UUID: 'f', Url: 'https://x/f', FileSize: 9, FileName: 'a.txt', Download_Flag: 2 },
  });
  assert.deepEqual(file.content, {
    uuid: 'f',
    fileUrl: 'https://x/f',
    fileSize: 9,
    fileName: 'a.txt',
    downloadFlag: 2,
  });
  assert.throws(() => elementToWire(img), /cannot be sent/);
});

test('a wire message becomes a Message with the cross-device ID and the right side of the conversation', () => {
  const inBob = messageFromWire(wire(), 'bob');
  assert.equal(inBob.ID, 'alice_bob_7_12345');
  assert.equal(inBob.conversationID, 'C2Calice');
  assert.equal(inBob.flow, 'in');
  assert.equal(inBob.status, 'success');
  assert.equal(inBob.type, TYPES.MSG_TEXT);
  assert.deepEqual(inBob.payload, { text: 'hi' });
  assert.equal(inBob.sequence, 7);
  assert.equal(inBob.random, 12345);
  assert.equal(inBob.time, 1700000000);
  assert.equal(inBob.cloudCustomData, 'ccd');
  assert.equal(inBob.isRead, false);
  assert.deepEqual(inBob.getElements(), [{ type: 'TIMTextElem', content: { text: 'hi' } }]);
  const outAlice = messageFromWire(wire(), 'alice');
  assert.equal(outAlice.ID, inBob.ID);
  assert.equal(outAlice.conversationID, 'C2Cbob');
  assert.equal(outAlice.flow, 'out');
  assert.equal(outAlice.isRead, true);
  // Only the app-facing fields are enumerable: bookkeeping stays out of JSON.
  assert.equal(JSON.stringify(inBob).includes('unreadCounted'), false);
});

test('a recalled wire message arrives erased and marked', () => {
  const m = messageFromWire(
    wire({ body: [], cloudCustomData: '', recalled: { by: 'administrator', at: 1700000100 } }),
    'bob',
  );
  assert.equal(m.isRevoked, true);
  assert.equal(m.revoker, 'administrator');
  assert.deepEqual(m.revokerInfo, { userID: 'administrator', nick: '', avatar: '' });
  assert.deepEqual(m.getElements(), []);
  assert.equal(m.cloudCustomData, '');
  assert.equal(messageForShow(m), RECALLED_LABEL);
});

test('recalled content never comes back from an older copy on the wire', () => {
  const m = messageFromWire(wire(), 'bob');
  eraseContent(m, 'alice');
  assert.deepEqual(m.payload, { text: '' });
  mergeWire(m, wire());
  assert.equal(m.isRevoked, true);
  assert.deepEqual(m.payload, { text: '' });
  assert.equal(m.cloudCustomData, '');
  assert.deepEqual(m.getElements(), []);
});

test('a cache record round-trips, and a recalled one holds no content', () => {
  const m = messageFromWire(
    wire({
      body: [{ MsgType: 'TIMCustomElem', MsgContent: { Data: 'secret-data', Desc: 'secret-desc', Ext: '' } }],
      cloudCustomData: 'secret-ccd',
    }),
    'bob',
  );
  metaOf(m).unreadCounted = true;
  metaOf(m).eventSeq = 9;
  const back = fromRecord(toRecord(m), 'bob');
  assert.deepEqual(back.payload, m.payload);
  assert.equal(back.ID, m.ID);
  assert.equal(back.flow, 'in');
  assert.equal(back.cloudCustomData, 'secret-ccd');
  assert.equal(metaOf(back).unreadCounted, true);
  assert.equal(metaOf(back).eventSeq, 9);
  eraseContent(m, 'alice');
  const rec = JSON.stringify(toRecord(m));
  assert.equal(rec.includes('secret'), false);
  const again = fromRecord(JSON.parse(rec), 'bob');
  assert.equal(again.isRevoked, true);
  assert.equal(again.revoker, 'alice');
  assert.equal(again.type, TYPES.MSG_CUSTOM);
  assert.deepEqual(again.payload, { data: '', description: '', extension: '' });
});

test('previews use the English labels', () => {
  const show = (MsgType: string, MsgContent: Record<string, unknown>) =>
    messageForShow(messageFromWire(wire({ body: [{ MsgType, MsgContent }] }), 'bob'));
  assert.equal(show('TIMTextElem', { Text: 'plain' }), 'plain');
  assert.equal(show('TIMCustomElem', { Data: 'x' }), '[Custom Messages]');
  assert.equal(show('TIMFaceElem', { Index: 1 }), '[Animated Sticker]');
  assert.equal(show('TIMLocationElem', { Latitude: 1, Longitude: 2 }), '[Location]');
  assert.equal(show('TIMImageElem', { UUID: 'u', ImageInfoArray: [] }), '[Image]');
  assert.equal(show('TIMSoundElem', { UUID: 'u' }), '[Voice]');
  assert.equal(show('TIMFileElem', { UUID: 'u' }), '[File]');
  assert.equal(show('TIMVideoFileElem', { VideoUUID: 'v', ThumbUUID: 't' }), '[Video]');
});

test('a new outgoing message has a stable ID from its seq and random', () => {
  const m = newOutgoingMessage(
    { type: TYPES.MSG_TEXT, content: { text: 'x' } },
    { to: 'bob', conversationType: 'C2C', payload: { text: 'x' } },
    { me: 'alice', now: 1700000000 },
  );
  assert.equal(m.ID, `alice_bob_${m.sequence}_${m.random}`);
  assert.equal(m.status, 'unSend');
  assert.equal(m.flow, 'out');
  assert.equal(m.conversationID, 'C2Cbob');
  assert.equal(m.time, 1700000000);
  assert.ok(Number.isInteger(m.random) && m.random >= 0 && m.random <= 4294967295);
  const n = newOutgoingMessage(
    { type: TYPES.MSG_TEXT, content: { text: 'x' } },
    { to: 'bob', conversationType: 'C2C', payload: { text: 'x' } },
    { me: 'alice', now: 1700000000 },
  );
  assert.notEqual(n.ID, m.ID);
});

test('the gateway URL follows the server URL', () => {
  assert.equal(gatewayURL('http://127.0.0.1:8080'), 'ws://127.0.0.1:8080/v1/ws');
  assert.equal(gatewayURL('https://im.example.com/base/'), 'wss://im.example.com/base/v1/ws');
  assert.equal(gatewayURL('wss://im.example.com/v1/ws'), 'wss://im.example.com/v1/ws');
  assert.throws(() => gatewayURL('ftp://x'));
});
