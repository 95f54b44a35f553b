/**
 * The wall's watchdog, on a thread of its own: the page tells it, every few seconds, that it is
 * alive, which `seq` it has applied and when it last painted. When the page falls silent — its
 * script hung or paused, its thread stuck — the watchdog beats in its stead over HTTP
 * (`POST /api/walls/heartbeat`), with the `seq` and paint time it last heard, so that the server
 * finds the screen frozen rather than dark. A closed page takes its watchdog with it: dark.
 */
import type { WatchdogMessage } from './watchdog.js';

let settings: Extract<WatchdogMessage, { type: 'start' }> | null = null;
let lastAlive = Date.now();
let seq: number | null = null;
let paintedAt: number | null = null;
let timer: ReturnType<typeof setInterval> | null = null;

async function beatInstead(): Promise<void> {
  if (!settings) return;
  const now = Date.now();
  // The page beats over its socket while it is alive; two of its own intervals missed, it is not.
  if (now - lastAlive < 2 * settings.heartbeatMs) return;
  try {
    await fetch(new URL('/api/walls/heartbeat', self.location.origin), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${settings.token}` },
      body: JSON.stringify({
        screen: settings.screen,
        seq,
        paintedMsAgo: paintedAt === null ? null : Math.max(0, now - paintedAt),
      }),
    });
  } catch {
    // The server is away: the next beat tries again.
  }
}

function schedule(heartbeatMs: number): void {
  if (timer !== null) clearInterval(timer);
  timer = setInterval(() => void beatInstead(), heartbeatMs);
}

self.onmessage = (event: MessageEvent<WatchdogMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'start':
      settings = message;
      lastAlive = Date.now();
      schedule(message.heartbeatMs);
      break;
    case 'alive':
      lastAlive = Date.now();
      seq = message.seq;
      paintedAt = message.paintedAt;
      if (settings && message.heartbeatMs !== settings.heartbeatMs) {
        settings = { ...settings, heartbeatMs: message.heartbeatMs };
        schedule(message.heartbeatMs);
      }
      break;
  }
};
