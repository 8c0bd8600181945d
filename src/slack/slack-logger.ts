import type { Logger as SlackLogger } from "@slack/logger";
import { LogLevel } from "@slack/logger";
import type { Logger } from "pino";

/** Slack's SDK logger interface over our pino root (the SDKs are chatty: their info is our debug). */
export function pinoToSlackLogger(log: Logger, name = "slack"): SlackLogger {
  let child = log.child({ component: name });
  let level: LogLevel = LogLevel.WARN;
  const join = (msgs: unknown[]) =>
    msgs
      .map((m) => (typeof m === "string" ? m : m instanceof Error ? m.message : JSON.stringify(m)))
      .join(" ");
  return {
    debug: (...msgs: unknown[]) => child.debug(join(msgs)),
    info: (...msgs: unknown[]) => child.debug(join(msgs)),
    warn: (...msgs: unknown[]) => child.warn(join(msgs)),
    error: (...msgs: unknown[]) => child.error(join(msgs)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: (n: string) => {
      child = log.child({ component: n });
    },
  };
}
