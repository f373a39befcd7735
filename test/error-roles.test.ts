// Domain errors name roles, and each edge names them in its own protocol: a REST caller reads
// the API's field (To_Account), a WebSocket client the op's field (to), for the same failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../src/domain/errors.js';
import { startTestServer } from './helpers/server.js';
import { text } from './helpers/rest.js';
import { WsClient } from './helpers/ws.js';

test('an unknown recipient: REST says To_Account, WebSocket says to', async () => {
  const s = await startTestServer();
  try {
    await s.call('im_open_login_svc/multiaccount_import', { Accounts: ['alice', 'bob'] });
    const rest = await s.call('openim/sendmsg', {
      From_Account: 'alice',
      To_Account: 'nobody',
      MsgRandom: 1,
      MsgBody: text('hi'),
    });
    assert.deepEqual([rest.ErrorCode, rest.ErrorInfo], [90012, 'To_Account nobody does not exist']);
    const c = await WsClient.login(s, 'alice');
    const ws = await c.request('send', { to: 'nobody', random: 1, body: text('hi') });
    assert.deepEqual([ws.code, ws.message], [90012, 'to nobody does not exist']);
    await c.close();
  } finally {
    await s.close();
  }
});

test('an unknown peer of a read mark: REST says Peer_Account, WebSocket says peer', async () => {
  const s = await startTestServer();
  try {
    await s.call('im_open_login_svc/multiaccount_import', { Accounts: ['alice', 'bob'] });
    const rest = await s.call('openim/admin_set_msg_read', { Report_Account: 'alice', Peer_Account: 'nobody' });
    assert.deepEqual([rest.ErrorCode, rest.ErrorInfo], [90003, 'Peer_Account nobody does not exist']);
    const unknownReporter = await s.call('openim/admin_set_msg_read', {
      Report_Account: 'nobody',
      Peer_Account: 'alice',
    });
    assert.deepEqual(
      [unknownReporter.ErrorCode, unknownReporter.ErrorInfo],
      [90008, 'Report_Account nobody does not exist'],
    );
    const c = await WsClient.login(s, 'alice');
    const ws = await c.request('read', { peer: 'nobody' });
    assert.deepEqual([ws.code, ws.message], [90003, 'peer nobody does not exist']);
    await c.close();
  } finally {
    await s.close();
  }
});

test('an ApiError keeps its role, and without an edge reads in plain role words', () => {
  const e = new ApiError(90012, (n) => `${n.recipient} bob does not exist`, 'recipient');
  assert.equal(e.field, 'recipient');
  assert.equal(e.info, 'recipient bob does not exist');
  assert.equal(new ApiError(90001, 'fixed text').infoWith({} as never), 'fixed text', 'a fixed text needs no names');
});
