/**
 * The Socket.IO adapter that joins the nodes on one PostgreSQL (@socket.io/postgres-adapter): each
 * broadcast and server-side event is a NOTIFY on a channel every node LISTENs to, and a packet over
 * 8000 bytes goes through the `socket_io_attachments` table (migrated with the others). It uses a
 * small pool of its own (node-postgres, which the adapter is written for): one connection LISTENs,
 * the others NOTIFY and write attachments.
 */
import { createAdapter } from '@socket.io/postgres-adapter';
import pg from 'pg';
import type { Logger } from 'pino';
import { withDeadline } from '../db/deadline.js';

const CLOSE_MS = 2000;

export interface SocketAdapter {
  adapter: ReturnType<typeof createAdapter>;
  close(): Promise<void>;
}

export function postgresAdapter(url: string, logger: Pick<Logger, 'warn'>): SocketAdapter {
  const pool = new pg.Pool({ connectionString: url, max: 4, application_name: 'pingan-wall live' });
  // A connection the server closed (a restart, a network cut) is replaced at the next use; the one
  // that LISTENs is taken again by the adapter. Its error is said, never thrown: node-postgres emits
  // it on the client, and unheard it would end the process.
  const failed = (error: Error) => logger.warn({ err: error }, 'live channel: a database connection failed');
  pool.on('error', failed);
  pool.on('connect', (client) => client.on('error', failed));
  const adapter = createAdapter(pool, {
    errorHandler: (error) =>
      logger.warn({ err: error }, 'live channel: the database did not carry a message'),
  });
  return {
    adapter,
    // The LISTEN connection the adapter was taking again after a network cut may never be handed
    // back: the stop waits for the pool a little, then leaves that connection to the process's end.
    close: () =>
      withDeadline(pool.end(), CLOSE_MS).catch((error: unknown) =>
        logger.warn({ err: error }, 'live channel: its database connections did not close in time'),
      ),
  };
}
