/**
 * The embedded database's folder belongs to one server at a time. PGlite keeps its pages in memory
 * and writes them back to the folder: two processes on one folder each answer from their own copy
 * and overwrite each other's writes, so what one of them stored is silently lost. A lock file beside
 * the folder (`data/pglite.lock`), created exclusively, names the process holding it; a second start
 * refuses while that process lives, and takes over a lock whose process is gone (killed, crashed).
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { isProcessAlive } from '../node-identity.js';

/** What the lock file holds. */
interface LockRecord {
  pid: number;
  /** One per acquisition: a pid alone cannot tell this process's own lock from a stale one. */
  startId: string;
  startedAt: string;
}

/** The folder is in use by another live server: said as a sentence, without a stack trace. */
export class FolderLockedError extends Error {
  constructor(
    readonly folder: string,
    readonly pid: number,
  ) {
    super(
      `another Pingan Wall server (pid ${pid}) is using ${folder}; stop it, or set DATA_DIR ` +
        `(if no server is running, delete ${lockFileOf(folder)})`,
    );
    this.name = 'FolderLockedError';
  }
}

export interface FolderLock {
  readonly file: string;
  /** Removes the lock file, if it is still this lock's. */
  release(): Promise<void>;
}

/** The lock file of a PGlite folder: beside it, so that it never sits among PostgreSQL's own files. */
export const lockFileOf = (folder: string): string => join(dirname(folder), `${basename(folder)}.lock`);

/**
 * Lock files this process holds. A lock naming this process's pid is stale unless it is one of
 * these: in a container the server often gets the same pid on every start.
 */
const held = new Set<string>();

async function readLock(file: string): Promise<LockRecord | null> {
  try {
    const record = JSON.parse(await readFile(file, 'utf8')) as Partial<LockRecord>;
    return typeof record.pid === 'number' && typeof record.startId === 'string'
      ? (record as LockRecord)
      : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    // Unreadable (damaged: it is only ever created whole): nobody can be shown to hold it.
    return null;
  }
}

/**
 * Creates the lock file with its content in one step: written to a file of its own, then linked to
 * the lock's name, which fails if it exists. A lock file is never seen empty or half-written.
 */
async function create(file: string, record: LockRecord): Promise<boolean> {
  const draft = `${file}.${record.startId}.tmp`;
  const handle = await open(draft, 'w');
  try {
    await handle.writeFile(JSON.stringify(record));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(draft).catch(() => {});
  }
}

/**
 * Locks a PGlite folder for this process, or throws FolderLockedError when a live server holds it.
 * A stale lock is moved aside (one rename: of two servers taking it over at once, one wins) and
 * replaced, and the takeover is logged.
 */
export async function lockFolder(folder: string, logger?: Logger): Promise<FolderLock> {
  const file = lockFileOf(folder);
  const record: LockRecord = {
    pid: process.pid,
    startId: randomBytes(8).toString('hex'),
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await create(file, record)) {
      held.add(file);
      return {
        file,
        async release() {
          held.delete(file);
          const current = await readLock(file).catch(() => null);
          if (current?.startId === record.startId) await unlink(file).catch(() => {});
        },
      };
    }
    let holder: LockRecord | null;
    try {
      holder = await readLock(file);
    } catch {
      continue; // released between our attempt and the read: try again
    }
    const own = holder?.pid === process.pid;
    if (holder && (own ? held.has(file) : isProcessAlive(holder.pid)))
      throw new FolderLockedError(folder, holder.pid);
    // Stale: move it aside, and check that what was moved is the lock judged stale, not a fresh one
    // another starting server has just written.
    const aside = `${file}.stale-${record.startId}`;
    try {
      await rename(file, aside);
    } catch {
      continue;
    }
    const moved = await readLock(aside).catch(() => null);
    if (holder && moved?.startId !== holder.startId) {
      await rename(aside, file);
      continue;
    }
    await unlink(aside).catch(() => {});
    logger?.warn(
      { folder, stalePid: holder?.pid ?? null, staleSince: holder?.startedAt ?? null },
      holder
        ? `took over the lock of ${folder} from pid ${holder.pid}, which is no longer running`
        : `took over an unreadable lock of ${folder}`,
    );
  }
  throw new Error(`could not lock ${folder}: its lock file ${file} keeps changing`);
}
