// Sequential latency of set_key_values and get_key_values (20 pairs of 100-byte values) on a fresh
// in-process SQLite server. After a build: node dist/bench/extensions.js [calls]
import { withServer } from '../test/helpers/server.js';

const N = Number(process.argv[2] ?? 300);

await withServer(['alice', 'bob'], async (s) => {
  const keys: string[] = [];
  for (let i = 0; i < N; i++) {
    const r = await s.call('openim/sendmsg', {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgRandom: i + 1,
      SupportMessageExtension: 1,
      MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'x' } }],
    });
    keys.push(r.MsgKey as string);
  }
  const time = async (label: string, call: (i: number) => Promise<Record<string, unknown>>): Promise<void> => {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const r = await call(i);
      if (r.ErrorCode !== 0) throw new Error(`${label}: ${JSON.stringify(r)}`);
    }
    console.log(`${label}: ${((performance.now() - t0) / N).toFixed(2)} ms/call over ${N} sequential calls`);
  };
  const pairs = Array.from({ length: 20 }, (_, j) => ({ Key: `k${j}`, Value: 'v'.repeat(100) }));
  await time('set_key_values, 20 pairs', (i) =>
    s.call('openim_msg_ext_http_svc/set_key_values', {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgKey: keys[i],
      OperateType: 1,
      ExtensionList: pairs,
    }),
  );
  await time('get_key_values, 20 pairs', (i) =>
    s.call('openim_msg_ext_http_svc/get_key_values', { From_Account: 'alice', To_Account: 'bob', MsgKey: keys[i] }),
  );
});
