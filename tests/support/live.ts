/** A socket on the live channel of a test server, typed by the protocol of shared/live.ts. */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/live.js';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A socket that has connected with `token` (rejects with the server's refusal); disconnect it after. */
export async function connectedSocket(baseUrl: string, token: string): Promise<LiveSocket> {
  const socket: LiveSocket = io(`${baseUrl}/live`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.on('connect', resolve);
      socket.on('connect_error', reject);
    });
    return socket;
  } catch (error) {
    socket.disconnect();
    throw error;
  }
}
