/** The bench's handle on a server child (`child.ts`), forked from the bench's process. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CHILD_ROLE_VARIABLE } from './config.js';
import type { Emitted, FromChild, ToChild } from './messages.js';

/** What a server child runs: forked with `--import tsx`, so the TypeScript source itself. */
const CHILD_ENTRY = fileURLToPath(new URL('./child.ts', import.meta.url));

/** A server child: messages by type, failures and exits as rejections. */
export class Child {
  private readonly process: ChildProcess;
  private readonly waiters: {
    type: FromChild['type'];
    resolve: (m: FromChild) => void;
    reject: (e: Error) => void;
  }[] = [];
  private readonly emitted = new Map<number, Emitted>();
  private readonly emittedWaiters = new Map<
    number,
    { resolve: (emitted: Emitted) => void; reject: (e: Error) => void }
  >();
  private failure: Error | null = null;
  private stderr = '';
  private readonly exited: Promise<void>;

  constructor(private readonly name: string) {
    this.process = fork(CHILD_ENTRY, [], {
      env: { ...process.env, [CHILD_ROLE_VARIABLE]: name },
      execArgv: ['--expose-gc', '--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.process.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-2000);
    });
    this.process.on('message', (message) => this.receive(message as FromChild));
    this.exited = new Promise((resolve) =>
      this.process.on('exit', (code, signal) => {
        this.fail(
          new Error(
            `bench/live: ${this.name} exited (${signal ?? `code ${code}`})${this.stderr ? `:\n${this.stderr}` : ''}`,
          ),
        );
        resolve();
      }),
    );
    this.process.on('error', (error) => this.fail(error));
  }

  private fail(error: Error) {
    this.failure ??= error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
    for (const waiter of this.emittedWaiters.values()) waiter.reject(error);
    this.emittedWaiters.clear();
  }

  private receive(message: FromChild) {
    if (message.type === 'failed') {
      this.fail(new Error(`bench/live: ${this.name} failed: ${message.message}`));
      return;
    }
    if (message.type === 'emitted') {
      this.emitted.set(message.seq, message);
      this.emittedWaiters.get(message.seq)?.resolve(message);
      this.emittedWaiters.delete(message.seq);
      return;
    }
    const index = this.waiters.findIndex((w) => w.type === message.type);
    if (index >= 0) this.waiters.splice(index, 1)[0]!.resolve(message);
  }

  /** Why the child is gone, once it is. */
  get failed(): Error | null {
    return this.failure;
  }

  send(message: ToChild): void {
    if (this.failure) throw this.failure;
    this.process.send(message);
  }

  /** The next message of a type (register before sending what it answers). */
  next<T extends FromChild['type']>(type: T): Promise<Extract<FromChild, { type: T }>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) =>
      this.waiters.push({ type, resolve: resolve as (m: FromChild) => void, reject }),
    );
  }

  /** When the server emitted the delta of this sequence number. */
  emittedAt(seq: number): Promise<Emitted> {
    const emitted = this.emitted.get(seq);
    if (emitted) return Promise.resolve(emitted);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.emittedWaiters.set(seq, { resolve, reject }));
  }

  /** Asks the server to stop; kills it when it does not exit soon. Never throws. */
  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      try {
        if (this.process.connected) this.process.send({ type: 'stop' } satisfies ToChild);
      } catch {
        // Already going.
      }
      let timer: NodeJS.Timeout | undefined;
      const late = await Promise.race([
        this.exited.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), 10_000))),
      ]);
      clearTimeout(timer);
      if (late) this.process.kill('SIGKILL');
    }
    await this.exited;
  }
}
