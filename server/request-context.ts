/**
 * The request a piece of work is done for. The HTTP middleware runs each request inside
 * `withRequest`, and the logger adds the request's id to every line logged while it runs (its
 * handler, the services it calls, the queries they make).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<string>();

/** Runs `work` as part of the request `requestId`. */
export const withRequest = <T>(requestId: string, work: () => T): T => current.run(requestId, work);

/** The id of the request being served, if any. */
export const currentRequestId = (): string | undefined => current.getStore();
