/**
 * The command-line tools say what they do and take, and `--help` touches nothing: no database is
 * opened, no port is taken.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const TSX = join('node_modules', '.bin', 'tsx');

/** Runs a tool; its output and exit code, whether it succeeded or not. */
async function tool(script: string, args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(TSX, [script, ...args], {
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the command-line tools', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = join(await mkdtemp(join(tmpdir(), 'pingan-cli-')), 'data');
  });
  afterAll(() => rm(dirname(dataDir), { recursive: true, force: true }));

  it('token --help says what it does, its commands and roles, and opens no database', async () => {
    for (const flag of ['--help', '-h']) {
      const result = await tool('server/cli/token.ts', [flag], { DATA_DIR: dataDir, DATABASE_URL: '' });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        'npm run token -- create <admin|leader|officer|street|wall|feed> <name>',
      );
      for (const command of ['create', 'list', 'revoke', 'DATABASE_URL', 'DATA_DIR'])
        expect(result.stdout).toContain(command);
    }
    expect(existsSync(dataDir)).toBe(false);
  });

  it('token with an unknown command, or none, says how to use it and fails, opening no database', async () => {
    for (const args of [['frobnicate'], []]) {
      const result = await tool('server/cli/token.ts', args, { DATA_DIR: dataDir, DATABASE_URL: '' });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('usage:');
    }
    expect(existsSync(dataDir)).toBe(false);
  });

  it('the simulator’s --help lists its options with their defaults; an unknown option is refused with them', async () => {
    const help = await tool('server/simulator/main.ts', ['--help']);
    expect(help.code).toBe(0);
    for (const option of [
      '--port N',
      '--host ADDRESS',
      '--city FILE',
      '--scenario FILE',
      '--seed N',
      '--backfill-days N',
    ])
      expect(help.stdout).toContain(option);
    expect(help.stdout).toContain('default 4100');
    const wrong = await tool('server/simulator/main.ts', ['--prot', '4100']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("Unknown option '--prot'");
    expect(wrong.stderr).toContain('--port N');
  });

  it('feed:check --help says what a dry run does and its exit codes', async () => {
    const result = await tool('server/cli/feed-check.ts', ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('storing nothing');
    expect(result.stdout).toContain('usage: npm run feed:check');
  });
});
