/**
 * Deadlines on database calls. A PostgreSQL behind a network that stops answering (a partition, a
 * host gone without a reset) leaves every query waiting for TCP to give up, a quarter of an hour: an
 * API request hangs, and a background loop that awaits its query never runs again. postgres.js has a
 * deadline for connecting but none for a query, so the client handed to drizzle is wrapped: every
 * query, and every transaction's wait for its connection and its commit, fails with
 * DatabaseTimeoutError after the deadline, and a query still waiting for a connection is dropped.
 */
import type { Sql, TransactionSql } from 'postgres';

/** The database did not answer in time: unavailable, as far as the caller can tell. */
export class DatabaseTimeoutError extends Error {
  readonly code = 'DATABASE_TIMEOUT';

  constructor(readonly timeoutMs: number) {
    super(`the database did not answer within ${timeoutMs} ms`);
    this.name = 'DatabaseTimeoutError';
  }
}

/** Marks a failure of a call to PostgreSQL, so that a socket error there is told from any other. */
export const FROM_DATABASE = Symbol('pingan.fromDatabase');

function marked(error: unknown): never {
  if (error instanceof Error && !(FROM_DATABASE in error))
    Object.defineProperty(error, FROM_DATABASE, { value: true });
  throw error;
}

/**
 * Settles as `work` does, or rejects with DatabaseTimeoutError after `ms` (then calls `onTimeout`).
 * `work` itself goes on; the caller stops waiting for it.
 */
export function withDeadline<T>(work: PromiseLike<T>, ms: number, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new DatabaseTimeoutError(ms));
      onTimeout?.();
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error as Error);
      },
    );
  });
}

/** postgres.js's pending query: a lazy promise (it runs when awaited) that can be cancelled. */
interface PendingQuery extends PromiseLike<unknown> {
  cancel(): unknown;
  /** Set once the query is handed to a connection (postgres.js's internals, src/connection.js). */
  state?: unknown;
}

const isQuery = (value: unknown): value is PendingQuery =>
  typeof (value as PendingQuery | null)?.then === 'function' &&
  typeof (value as PendingQuery).cancel === 'function';

/** Methods of a pending query that return the query itself, changed (`.values()`, `.raw()`…). */
const CHAINED = new Set(['values', 'raw', 'simple', 'execute', 'describe']);

function timedQuery<T extends PendingQuery>(query: T, ms: number): T {
  const timed: T = new Proxy(query, {
    get(target, property) {
      if (property === 'then')
        return (onValue?: (value: unknown) => unknown, onError?: (error: unknown) => unknown) =>
          withDeadline(target, ms, () => {
            // Still queued for a connection: dropped from the queue, so it never runs after its caller
            // gave up. One already sent is left alone: postgres.js cancels it over a new connection
            // and drops that attempt's failure unhandled, which would end the process.
            if (target.state === undefined) target.cancel();
          })
            .catch(marked)
            .then(onValue, onError);
      if (property === 'catch')
        return (onError: (error: unknown) => unknown) => timed.then(undefined, onError);
      if (property === 'finally') return (onSettled: () => void) => Promise.resolve(timed).finally(onSettled);
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (CHAINED.has(String(property)))
        return (...args: unknown[]) => {
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          return result === target ? timed : result;
        };
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
  return timed;
}

type Body = (sql: TransactionSql) => unknown;

/**
 * A transaction: the wait for a connection and its BEGIN, and the COMMIT, each within the deadline
 * (the queries in between are timed one by one). A transaction given up before it began rolls back
 * as soon as it does.
 */
function timedBegin(target: Sql, args: unknown[], ms: number): Promise<unknown> {
  const body = args[args.length - 1] as Body;
  const options = args.length > 1 ? (args[0] as string) : undefined;
  return new Promise((resolve, reject) => {
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(Object.defineProperty(new DatabaseTimeoutError(ms), FROM_DATABASE, { value: true }));
      }, ms);
    };
    arm();
    const timedBody = async (sql: TransactionSql) => {
      if (timedOut) throw new DatabaseTimeoutError(ms);
      clearTimeout(timer);
      const result: unknown = await body(timedClient(sql, ms));
      if (!timedOut) arm();
      return result;
    };
    const run = options === undefined ? target.begin(timedBody) : target.begin(options, timedBody);
    run.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        try {
          marked(error);
        } catch {
          reject(error as Error);
        }
      },
    );
  });
}

/**
 * The postgres.js client with a deadline of `ms` on every query (`unsafe`, tagged templates),
 * transaction (`begin`) and savepoint. Everything else passes through unchanged.
 */
export function timedClient<S extends Sql | TransactionSql>(sql: S, ms: number): S {
  return new Proxy(sql, {
    apply(target, thisArg, args: unknown[]) {
      const result: unknown = Reflect.apply(target, thisArg, args);
      return isQuery(result) ? timedQuery(result, ms) : result;
    },
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const call = value as (...a: unknown[]) => unknown;
      switch (property) {
        case 'unsafe':
          return (...args: unknown[]) => {
            const result = call.apply(target, args);
            return isQuery(result) ? timedQuery(result, ms) : result;
          };
        case 'begin':
          return (...args: unknown[]) => timedBegin(target as Sql, args, ms);
        case 'savepoint':
          return (...args: unknown[]) => {
            const body = args[args.length - 1] as Body;
            return call.apply(target, [
              ...args.slice(0, -1),
              (inner: TransactionSql) => body(timedClient(inner, ms)),
            ]);
          };
        default:
          return value;
      }
    },
  });
}
