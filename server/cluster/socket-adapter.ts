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

export interface SocketAdapter {
  adapter: ReturnType<typeof createAdapter>;
  close(): Promise<void>;
}

export function postgresAdapter(url: string, logger: Pick<Logger, 'warn'>): SocketAdapter {
  const pool = new pg.Pool({ connectionString: url, max: 4, application_name: 'pingan-wall live' });
  // An idle connection the server closed (a restart, a network cut) is replaced at the next use.
  pool.on('error', (error) => logger.warn({ err: error }, 'live channel: a database connection failed'));
  const adapter = createAdapter(pool, {
    errorHandler: (error) =>
      logger.warn({ err: error }, 'live channel: the database did not carry a message'),
  });
  return { adapter, close: () => pool.end() };
}
