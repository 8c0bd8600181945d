import pino from "pino";
import type { Logger } from "pino";

/** Paths whose values never reach a log line. */
const REDACT = [
  "token",
  "*.token",
  "password",
  "*.password",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "req.headers.authorization",
  "req.headers.cookie",
  "signingSecret",
  "*.signingSecret",
  "secret",
  "*.secret",
  "url",
  "*.databaseUrl",
  "*.redisUrl",
];

/** The one pino root; children carry request, incident, user and command ids. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, redact: { paths: REDACT, censor: "[redacted]" }, base: { app: "firebreak" } },
    destination,
  );
}
