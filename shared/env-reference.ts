/**
 * `env:NAME`: how a configuration names a value kept in the server's environment (a feed's token, a
 * robot's key, a CA certificate), read when the server starts. Its own module so that every schema
 * of a configuration can check one without importing the city's.
 */
export const ENV_REFERENCE = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;
