import { describe, expect, it } from "vitest";
import { httpActions } from "../../src/actions/http/index.js";
import { mysqlActions } from "../../src/actions/mysql/index.js";
import { postgresActions } from "../../src/actions/postgres/index.js";
import { prometheusActions } from "../../src/actions/prometheus/index.js";
import { redisActions } from "../../src/actions/redis/index.js";
import type { ActionDefinition } from "../../src/actions/types.js";

const actions = new Map<string, ActionDefinition<unknown, unknown>>(
  [...mysqlActions, ...redisActions, ...postgresActions, ...httpActions, ...prometheusActions].map((a) => [
    a.name,
    a,
  ]),
);

/** What people paste into chat, on purpose or not. */
const ATTACKS = [
  "; rm -rf /",
  "$(id)",
  "`id`",
  "' OR 1=1 --",
  '" OR ""="',
  "x' ; DROP TABLE users; --",
  "1; SHUTDOWN",
  "x\nFLUSHALL",
  "x\r\nDEL *",
  "${jndi:ldap://x}",
  "max_c\u043ennections", // Cyrillic о
  "\uff4d\uff41\uff58", // fullwidth "max"
  "300\uff1b", // fullwidth semicolon
  "1\u200b", // zero-width space
  "\u0000",
  "a b",
];

/** Every argument a user types, with the other arguments set to something valid. */
const FIELDS: {
  action: string;
  field: string;
  base: Record<string, unknown>;
  wrap?: (s: string) => unknown;
}[] = [
  { action: "mysql.status", field: "names", base: {}, wrap: (s) => [s] },
  { action: "mysql.processlist", field: "commands", base: {} },
  { action: "mysql.processlist", field: "minTimeSeconds", base: {} },
  { action: "mysql.processlist", field: "limit", base: {} },
  { action: "mysql.kill", field: "id", base: {} },
  { action: "mysql.kill", field: "mode", base: { id: 1 } },
  { action: "mysql.kill", field: "minTimeSeconds", base: { id: 1 } },
  { action: "mysql.kill_long_queries", field: "minTimeSeconds", base: { maxCount: 1 } },
  { action: "mysql.kill_long_queries", field: "maxCount", base: { minTimeSeconds: 1 } },
  { action: "mysql.kill_long_queries", field: "mode", base: { minTimeSeconds: 1, maxCount: 1 } },
  { action: "mysql.kill_long_queries", field: "user", base: { minTimeSeconds: 1, maxCount: 1 } },
  { action: "mysql.kill_long_queries", field: "db", base: { minTimeSeconds: 1, maxCount: 1 } },
  { action: "mysql.set_global", field: "variable", base: { value: 1 } },
  { action: "mysql.set_global", field: "value", base: { variable: "max_connections" } },
  { action: "redis.ping", field: "count", base: {} },
  { action: "redis.info", field: "section", base: {} },
  { action: "redis.config_get", field: "parameters", base: {} },
  { action: "redis.config_set", field: "parameter", base: { value: 1 } },
  { action: "redis.config_set", field: "value", base: { parameter: "maxmemory" } },
  { action: "postgres.activity", field: "limit", base: {} },
  { action: "postgres.cancel_backend", field: "pid", base: {} },
  { action: "http.check", field: "path", base: {} },
  { action: "http.check", field: "path", base: {}, wrap: (s) => `/${s}` },
  { action: "http.check", field: "method", base: {} },
  { action: "http.check", field: "expectStatus", base: {} },
  { action: "net.dns", field: "host", base: {} },
  { action: "net.tcp", field: "host", base: { port: 80 } },
  { action: "net.tcp", field: "port", base: { host: "localhost" } },
  { action: "prometheus.query", field: "time", base: { query: "up" } },
  { action: "prometheus.query", field: "limit", base: { query: "up" } },
];

describe("action argument schemas", () => {
  it("cover every action of these adapters", () => {
    expect([...actions.keys()].sort()).toEqual([
      "http.check",
      "mysql.connections",
      "mysql.kill",
      "mysql.kill_long_queries",
      "mysql.processlist",
      "mysql.set_global",
      "mysql.slow_query_settings",
      "mysql.status",
      "net.dns",
      "net.tcp",
      "postgres.activity",
      "postgres.cancel_backend",
      "postgres.locks",
      "prometheus.query",
      "redis.clients",
      "redis.config_get",
      "redis.config_set",
      "redis.info",
      "redis.ping",
    ]);
  });

  it("accept the valid base arguments used below", () => {
    for (const { action, base } of FIELDS) {
      const required =
        action === "mysql.kill"
          ? { id: 1 }
          : action === "postgres.cancel_backend"
            ? { pid: 1 }
            : action === "mysql.kill_long_queries"
              ? { minTimeSeconds: 1, maxCount: 1 }
              : {};
      const parsed = actions.get(action)?.argsSchema.safeParse({ ...required, ...base, ...validFor(action) });
      expect(parsed?.success, action).toBe(true);
    }
  });

  for (const { action, field, base, wrap } of FIELDS) {
    it(`${action} rejects shell, SQL and look-alike input in ${field}${wrap ? " (as a path)" : ""}`, () => {
      const schema = actions.get(action)?.argsSchema;
      expect(schema).toBeDefined();
      for (const attack of ATTACKS) {
        const parsed = schema?.safeParse({ ...base, [field]: wrap ? wrap(attack) : attack });
        expect(parsed?.success, `${action}.${field} = ${JSON.stringify(attack)}`).toBe(false);
      }
    });
  }

  it("prometheus.query takes PromQL itself, but only as one line without control characters", () => {
    const schema = actions.get("prometheus.query")?.argsSchema;
    for (const attack of ATTACKS.filter((a) => [...a].some((c) => c.charCodeAt(0) < 0x20))) {
      expect(schema?.safeParse({ query: attack }).success, JSON.stringify(attack)).toBe(false);
    }
  });

  it("reject arguments no action declares, such as a raw command", () => {
    for (const [name, action] of actions) {
      expect(action.argsSchema.safeParse({ command: "FLUSHALL" }).success, name).toBe(false);
      expect(action.argsSchema.safeParse({ sql: "DROP TABLE users" }).success, name).toBe(false);
    }
  });
});

function validFor(action: string): Record<string, unknown> {
  switch (action) {
    case "mysql.set_global":
      return { variable: "max_connections", value: 300 };
    case "redis.config_set":
      return { parameter: "maxmemory", value: "100mb" };
    case "net.dns":
      return { host: "localhost" };
    case "net.tcp":
      return { host: "localhost", port: 80 };
    case "prometheus.query":
      return { query: "up" };
    default:
      return {};
  }
}
