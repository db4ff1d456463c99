import type { LoggerOptions } from "pino";

/**
 * Pino options for the service: JSON lines, ISO timestamps, and anything that could carry a
 * credential removed before it is written, wherever it appears in a logged object.
 */
export const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  "headers.authorization",
  "headers.cookie",
  "password",
  "*.password",
  "connectionString",
  "*.connectionString",
  "databaseUrl",
  "*.databaseUrl",
  "url",
  "*.url",
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: "[REDACTED]" },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }) },
    base: { service: "notes-app" },
  };
}
