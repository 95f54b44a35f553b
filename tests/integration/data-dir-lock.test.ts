/**
 * The embedded database belongs to one server at a time: a second server on the same folder refuses
 * to start, saying which process holds it, instead of answering requests whose writes are lost. The
 * lock is of PGlite's folder, so these tests run on PGlite only (PostgreSQL serves many nodes).
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lockFileOf } from '../../server/db/folder-lock.js';
import { StartError } from '../../server/server.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

const pglite = databaseTargets.find((target) => target.name === 'pglite')!;

/** The pid of a process that has exited: nothing runs under it now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('the embedded database folder', () => {
  let database: TestDatabase;
  const running: TestServer[] = [];
  const start = async () => {
    const server = await startTestServer({ target: pglite, database });
    running.push(server);
    return server;
  };
  const stop = async (server: TestServer) => {
    running.splice(running.indexOf(server), 1);
    await server.stop();
  };

  // One folder for all, initialised here: a first start on a folder is slow.
  beforeAll(async () => {
    database = await pglite.create({ persistent: true });
    await (await startTestServer({ target: pglite, database })).stop();
  });
  afterEach(async () => {
    for (const server of running.splice(0)) await server.stop();
  });
  afterAll(() => database?.drop());

  it('refuses a second server on the same folder, naming the folder and the pid that holds it', async () => {
    const first = await start();
    const second = start();
    await expect(second).rejects.toBeInstanceOf(StartError);
    await expect(second).rejects.toThrow(
      `another Pingan Wall server (pid ${process.pid}) is using ${database.pgliteDir}; stop it, or set DATA_DIR`,
    );
    // The first one still serves, and what it stores stays.
    expect((await first.api('/api/health')).status).toBe(200);
  });

  it('starts on the folder once the server that held it has stopped', async () => {
    const first = await start();
    await expect(readFile(lockFileOf(database.pgliteDir!), 'utf8')).resolves.toContain(
      `"pid":${process.pid}`,
    );
    await stop(first);
    // Released on stop.
    await expect(readFile(lockFileOf(database.pgliteDir!), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    const again = await start();
    expect((await again.api('/api/health')).status).toBe(200);
  });

  it('takes over a lock left by a server that was killed', async () => {
    const pid = await deadPid();
    await writeFile(
      lockFileOf(database.pgliteDir!),
      JSON.stringify({ pid, startId: 'killed-9', startedAt: '2026-11-25T02:00:00.000Z' }),
    );
    const server = await start();
    expect((await server.api('/api/health')).status).toBe(200);
    const lock = JSON.parse(await readFile(lockFileOf(database.pgliteDir!), 'utf8'));
    expect(lock.pid).toBe(process.pid);
    expect(lock.startId).not.toBe('killed-9');
  });
});
