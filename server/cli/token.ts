/**
 * Token administration from the shell, for when no admin token is at hand:
 *   npm run token -- create <role> <name> [street…]
 *   npm run token -- list
 *   npm run token -- revoke <id>
 *   npm run token -- --help
 */
import { join } from 'node:path';
import { ROLES, type Role } from '../../shared/roles.js';
import { loadCityConfig } from '../config/city.js';
import { ConfigError, parseEnv } from '../config/env.js';
import { openDatabase } from '../db/client.js';
import { FolderLockedError } from '../db/folder-lock.js';
import { TokenRepository } from '../repositories/tokens.js';

const usage = `usage:
  npm run token -- create <${ROLES.join('|')}> <name> [street code…]
  npm run token -- list
  npm run token -- revoke <id>
  npm run token -- --help`;

const help = `Creates, lists and revokes Pingan Wall's API tokens, straight in the database: for when no
admin token is at hand (with one, POST /api/tokens does the same over the API).

${usage}

  create   a new token of a role, named for who holds it (a street token: its street codes
           after the name). The token is printed this once; only its hash is stored.
  list     every token: id, role, name, streets, active or revoked. Never the tokens themselves.
  revoke   ends a token by id; a server that is running closes its sockets at their next action.

Roles: ${ROLES.join(', ')} (what each may do: README, "Roles").

It reads the server's environment: DATABASE_URL (PostgreSQL; absent: the embedded database under
DATA_DIR, which the server must not be holding), DATA_DIR, CITY_CONFIG (the street codes), PORT.

Examples:
  npm run token -- create wall "command centre, screen 2"
  npm run token -- create street "Qinglong street head" qinglong
  npm run token -- revoke 7
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

async function serverIsRunning(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(help);
    return;
  }
  // A command that does not exist is said before any database is opened.
  if (!['create', 'list', 'revoke'].includes(command ?? '')) fail(usage);
  let env;
  try {
    env = parseEnv();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  // The embedded database belongs to one process at a time.
  if (!env.DATABASE_URL && (await serverIsRunning(env.PORT)))
    fail(
      'The server is running on the embedded database: stop it first, or use POST /api/tokens with an admin token.',
    );

  const database = await openDatabase({
    url: env.DATABASE_URL,
    pgliteDir: join(env.DATA_DIR, 'pglite'),
  }).catch((error: unknown) =>
    error instanceof FolderLockedError
      ? fail(`${error.message}; or use POST /api/tokens`)
      : Promise.reject(error),
  );
  try {
    await database.migrate();
    const tokens = new TokenRepository(database.db);
    switch (command ?? '') {
      case 'create': {
        const [role, name, ...streets] = args;
        if (!role || !(ROLES as readonly string[]).includes(role))
          fail(`role: expected one of ${ROLES.join(', ')}\n${usage}`);
        if (!name) fail(`name: is required\n${usage}`);
        const city = await loadCityConfig(env.CITY_CONFIG);
        const unknown = streets.filter((code) => !city.streets.some((s) => s.code === code));
        if (unknown.length > 0) fail(`streets: unknown street ${unknown.join(', ')}`);
        if (role === 'street' && streets.length === 0)
          fail('streets: a street token needs at least one street code');
        const { id, token } = await tokens.create({ name, role: role as Role, streets });
        process.stdout.write(`token ${id} (${role}): ${token}\nshown once; only its hash is stored.\n`);
        if (role === 'wall') process.stdout.write(`the wall: http://localhost:${env.PORT}/?token=${token}\n`);
        break;
      }
      case 'list':
        for (const t of await tokens.list())
          process.stdout.write(
            `${t.id}\t${t.role}\t${t.name}\t${t.streets.join(',') || '-'}\t${t.revokedAt ? 'revoked' : 'active'}\n`,
          );
        break;
      case 'revoke': {
        const id = Number(args[0]);
        if (!Number.isInteger(id)) fail(`id: expected a token id\n${usage}`);
        process.stdout.write((await tokens.revoke(id)) ? `token ${id} revoked\n` : `no active token ${id}\n`);
        break;
      }
      default:
        fail(usage);
    }
  } finally {
    await database.close();
  }
}

await main();
