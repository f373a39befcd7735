// The baseline: a bare node:http server, in its own child process, that reads each POST body,
// parses it and answers the JSON Parley answers for the same call, with no authentication, no
// validation and no storage. Parley's figures are reported as a ratio to this server's.
//   sendmsg            {"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"MsgTime":…,"MsgKey":"…"}
//   admin_msgwithdraw  {"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}
//   admin_getroammsg   a page captured from Parley in the same run (set over IPC), re-serialized per request
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomInt } from 'node:crypto';
import { cpuNow, serveIpc, type IpcMessage } from './common.js';

let page: unknown = {
  ActionStatus: 'OK',
  ErrorInfo: '',
  ErrorCode: 0,
  Complete: 1,
  MsgCnt: 0,
  LastMsgTime: 0,
  LastMsgKey: '',
  MsgList: [],
};

function answer(path: string, body: Record<string, unknown>): unknown {
  if (path.startsWith('/v4/openim/sendmsg')) {
    const time = Math.floor(Date.now() / 1000);
    return {
      ActionStatus: 'OK',
      ErrorInfo: '',
      ErrorCode: 0,
      MsgTime: time,
      MsgKey: `${randomInt(0, 4294967295)}_${body.MsgRandom}_${time}`,
    };
  }
  if (path.startsWith('/v4/openim/admin_getroammsg')) return page;
  return { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      body = {};
    }
    const out = JSON.stringify(answer(req.url ?? '/', body));
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(out) });
    res.end(out);
  });
}

async function main(): Promise<void> {
  const server = createServer(handle);
  // The same keep-alive as Parley's Fastify server.
  server.keepAliveTimeout = 75_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  serveIpc({
    'set-page': (a) => {
      page = JSON.parse(a.json as string);
    },
    cpu: () => cpuNow(),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      setImmediate(() => process.exit(0));
    },
  });
  process.send!({ type: 'ready', url: `http://127.0.0.1:${port}`, pid: process.pid } satisfies IpcMessage);
}

main().catch((e) => {
  process.stderr.write(`bare-server: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
