import { DrizzleQueryError } from 'drizzle-orm';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { currentRequestId } from './request-context.js';

/**
 * JSON logs; tokens and authorisation headers are redacted wherever they appear, and errors pass
 * through `loggableError`, so a failed query never writes its parameters. A line logged while a
 * request is served carries its `requestId`. `destination`: standard output unless told (a test
 * reads what was logged).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: {
      paths: ['token', '*.token', 'req.headers.authorization', 'authorization'],
      censor: '[redacted]',
    },
    serializers: { err: (error: unknown) => pino.stdSerializers.err(loggableError(error) as Error) },
    mixin: () => {
      const requestId = currentRequestId();
      return requestId === undefined ? {} : { requestId };
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type LogFormat = 'auto' | 'pretty' | 'json';

export interface ConsoleLogOptions {
  /** `auto`: readable lines on a terminal, JSON lines when standard output is a file or a pipe. */
  format: LogFormat;
  /** The city's zone: the readable lines' times are its wall clock. */
  timezone: string;
  /** Whether standard output is a terminal; by default, as the process finds it. */
  terminal?: boolean;
}

/** `12-03 16:40:05.123`: a time of the log in the city's zone. */
function logTime(timezone: string): (epochMs: unknown) => string {
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    fractionalSecondDigits: 3,
    hourCycle: 'h23',
  });
  return (epochMs) => {
    const at = new Date(Number(epochMs));
    // A line must never be lost to its time: one that is not an epoch is written as it came.
    if (Number.isNaN(at.getTime())) return String(epochMs);
    const parts = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
    return `${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}.${parts.fractionalSecond}`;
  };
}

/**
 * The stream of readable lines: one line per event, its fields after the message.
 * `destination`: standard output unless told.
 */
export function prettyStream(
  timezone: string,
  colorize: boolean,
  destination: number | NodeJS.WritableStream = 1,
): DestinationStream {
  return pretty({
    colorize,
    singleLine: true,
    ignore: 'pid,hostname',
    // The prettifier is given the epoch, and writes it in the city's zone.
    translateTime: false,
    customPrettifiers: { time: logTime(timezone) },
    destination,
    // Written as logged: a line is on the terminal before the process exits or crashes.
    sync: true,
  });
}

/** Whether the logs are readable lines rather than JSON: asked for, or `auto` on a terminal. */
export const readableLogs = (format: LogFormat, terminal: boolean): boolean =>
  format === 'pretty' || (format === 'auto' && terminal);

/** The server's logger on standard output: readable on a terminal, JSON lines elsewhere. */
export function createConsoleLogger(level: string, options: ConsoleLogOptions): Logger {
  const terminal = options.terminal ?? process.stdout.isTTY === true;
  return createLogger(
    level,
    readableLogs(options.format, terminal) ? prettyStream(options.timezone, terminal) : undefined,
  );
}

/** The driver's error under a failed query: its code and message, not its detail (which quotes values). */
function driverError(cause: unknown): Error | undefined {
  if (!(cause instanceof Error)) return undefined;
  const code = (cause as { code?: unknown }).code;
  const safe = Object.assign(new Error(cause.message), typeof code === 'string' ? { code } : {});
  safe.name = cause.name;
  safe.stack = cause.stack;
  return safe;
}

/** A failed query as it may be logged: its SQL, and its driver's code and message. */
class FailedQueryError extends Error {
  readonly query: string;
  readonly code: string | undefined;

  constructor(failed: DrizzleQueryError) {
    const cause = driverError(failed.cause);
    super(`Failed query: ${failed.query}`, { cause });
    this.name = 'DrizzleQueryError';
    this.query = failed.query;
    this.code = (cause as { code?: string } | undefined)?.code;
    // The original's first line is its message, parameters included: keep only its frames.
    const header = `${failed.name}: ${failed.message}\n`;
    this.stack = failed.stack?.startsWith(header)
      ? `${this.name}: ${this.message}\n${failed.stack.slice(header.length)}`
      : `${this.name}: ${this.message}`;
  }
}

/**
 * An error as it may be logged. drizzle's DrizzleQueryError carries the query's parameters — a
 * subscription's webhook secret, an SMTP password, a robot's URL — in its `params`, its message and
 * its stack; it is replaced by its SQL and its driver's code and message, wherever it sits in a chain
 * of causes. Anything else is returned as it is.
 */
export function loggableError(error: unknown, depth = 0): unknown {
  if (error instanceof DrizzleQueryError) return new FailedQueryError(error);
  if (!(error instanceof Error) || error.cause === undefined || depth >= 10) return error;
  const cause = loggableError(error.cause, depth + 1);
  if (cause === error.cause) return error;
  const copy = new Error(error.message, { cause });
  copy.name = error.name;
  copy.stack = error.stack;
  return copy;
}
