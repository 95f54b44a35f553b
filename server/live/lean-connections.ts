/**
 * What a wall's connection keeps on the server, and nothing more (DESIGN.md, "Performance
 * targets": heap per wall ≤ 0.8× a bare default Socket.IO connection; `npm run bench` measures
 * both in one run). A wall needs its socket, its rooms and who it is; not the HTTP request it
 * connected with, nor the headers, query and token of its handshake once it is let in, nor a copy of
 * its token's principal of its own.
 */
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Server, Socket } from 'socket.io';
import type { Principal } from '../../shared/roles.js';

/** What every socket of one token shares (`socket.data`). */
export interface ViewerData {
  principal: Principal;
  /** Set once an action found the token revoked: its sockets are closing. */
  revoked?: boolean;
}

/**
 * Lets go of each connection's handshake request once the connection is made. Socket.IO's
 * documentation ("Memory usage") drops `rawSocket.request`; in engine.io 6 a WebSocket's request is
 * also kept by the upgrade's stand-in response (its `req`), which the TCP socket's close listener
 * holds for as long as the connection lives, so that one is let go too. Returns what to call once a
 * socket has connected to the namespace: its handshake is built from the request after the
 * engine's connection, and a `?token=` in the query authenticates it there.
 */
export function releasingRequests(io: Server): (socket: Socket) => void {
  const upgrades = new WeakMap<IncomingMessage, { req: IncomingMessage | null }>();
  io.engine.use((request: IncomingMessage, response: unknown, next: () => void) => {
    // Polling's responses are the HTTP server's own, done with once answered.
    if (!(response instanceof ServerResponse)) upgrades.set(request, response as { req: null });
    next();
  });
  return (socket) => {
    const conn = socket.conn as { request: IncomingMessage | null };
    const upgrade = conn.request && upgrades.get(conn.request);
    if (upgrade) upgrade.req = null;
    conn.request = null;
  };
}

const NOTHING: Readonly<Record<string, never>> = Object.freeze({});

/**
 * Empties what a handshake holds once the namespace's middleware has let the socket in: the
 * request's headers, its query and the URL's (a kiosk's `?token=`), and the token in `auth`: a
 * secret nothing reads again. The time, the address and the URL's path stay, for whoever inspects
 * a socket.
 */
export function forgetHandshake(socket: Socket): void {
  const { handshake } = socket;
  const path = handshake.url?.split('?', 1)[0] ?? '';
  Object.assign(handshake, { headers: NOTHING, query: NOTHING, auth: NOTHING, url: path });
}

/**
 * One {@link ViewerData} per token for all its sockets (a command centre's walls share one wall
 * token): joined on connect, left on disconnect, forgotten with its last socket.
 */
export class SharedViewers {
  private readonly byToken = new Map<number, { data: ViewerData; sockets: number }>();

  /** The data of a token's sockets; the latest principal read for it is the one they share. */
  join(principal: Principal): ViewerData {
    const entry = this.byToken.get(principal.tokenId);
    if (!entry) {
      const data: ViewerData = { principal };
      this.byToken.set(principal.tokenId, { data, sockets: 1 });
      return data;
    }
    entry.sockets++;
    if (JSON.stringify(entry.data.principal) !== JSON.stringify(principal)) entry.data.principal = principal;
    return entry.data;
  }

  leave(tokenId: number): void {
    const entry = this.byToken.get(tokenId);
    if (!entry) return;
    if (--entry.sockets === 0) this.byToken.delete(tokenId);
  }
}
