// `npm start`: builds what is missing or older than its sources, then runs the server.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The newest modification time under some folders (0 when none exist). */
function newest(...paths) {
  let latest = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) {
        if (entry === 'node_modules' || entry.startsWith('.')) continue;
        latest = Math.max(latest, newest(join(path, entry)));
      }
    } else latest = Math.max(latest, stat.mtimeMs);
  }
  return latest;
}

function builtAt(file) {
  return existsSync(file) ? statSync(file).mtimeMs : 0;
}

function build(script, what) {
  process.stdout.write(`Building ${what}…\n`);
  const result = spawnSync('npm', ['run', '--silent', script], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (builtAt('dist/server/main.js') < newest('server', 'shared', 'tsconfig.json', 'tsconfig.build.json'))
  build('build:server', 'the server');
if (
  builtAt('display/build/index.html') <
  newest('display/src', 'display/svelte.config.js', 'display/vite.config.ts', 'shared')
)
  build('build:display', 'the display');

const server = spawn(process.execPath, ['--enable-source-maps', 'dist/server/main.js'], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
