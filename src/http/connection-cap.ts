// At most `max` open HTTP connections per client address; one more is closed at once, before a
// byte is read. A connection that becomes a WebSocket session stops counting (the gateway has
// its own per-user limits), so thousands of sessions behind one NAT still connect. Over TLS the
// socket counted is the TLS one ('secureConnection'), the same object an upgrade hands over; the
// TLS handshake before it is bounded by the server's handshakeTimeout.
import { Server as HttpsServer } from 'node:https';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

const counted = new WeakSet<Socket>();

export function capConnectionsPerAddress(server: Server, max: number): void {
  if (max <= 0) return;
  const open = new Map<string, number>();
  const release = (socket: Socket, address: string): void => {
    if (!counted.delete(socket)) return;
    const n = (open.get(address) ?? 1) - 1;
    if (n <= 0) open.delete(address);
    else open.set(address, n);
  };
  server.on(server instanceof HttpsServer ? 'secureConnection' : 'connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const n = (open.get(address) ?? 0) + 1;
    if (n > max) {
      socket.destroy();
      return;
    }
    open.set(address, n);
    counted.add(socket);
    socket.once('close', () => release(socket, address));
  });
  server.on('upgrade', (_req, socket: Socket) => release(socket, socket.remoteAddress ?? ''));
}
