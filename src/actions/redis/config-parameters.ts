import { z } from "zod";

/**
 * The Redis config parameters Firebreak can name at all. Deliberately absent: anything
 * that names a file or directory (`dir` + `dbfilename` is the classic way to make Redis
 * write an attacker's file), secrets (`requirepass`, `masterauth`), network and TLS
 * settings, and switches that enable more commands (`enable-debug-command`).
 */
export const REDIS_TUNABLE_PARAMETERS = [
  "maxmemory",
  "maxmemory-policy",
  "maxmemory-samples",
  "maxmemory-eviction-tenacity",
  "maxmemory-clients",
  "maxclients",
  "timeout",
  "tcp-keepalive",
  "slowlog-log-slower-than",
  "slowlog-max-len",
  "latency-monitor-threshold",
  "latency-tracking",
  "lua-time-limit",
  "busy-reply-threshold",
  "client-query-buffer-limit",
  "proto-max-bulk-len",
  "hz",
  "dynamic-hz",
  "activedefrag",
  "active-defrag-ignore-bytes",
  "active-defrag-threshold-lower",
  "active-defrag-threshold-upper",
  "active-defrag-cycle-min",
  "active-defrag-cycle-max",
  "active-expire-effort",
  "lazyfree-lazy-eviction",
  "lazyfree-lazy-expire",
  "lazyfree-lazy-server-del",
  "lazyfree-lazy-user-del",
  "lazyfree-lazy-user-flush",
  "appendonly",
  "appendfsync",
  "no-appendfsync-on-rewrite",
  "auto-aof-rewrite-percentage",
  "auto-aof-rewrite-min-size",
  "save",
  "stop-writes-on-bgsave-error",
  "rdbcompression",
  "repl-backlog-size",
  "repl-backlog-ttl",
  "repl-timeout",
  "repl-diskless-sync",
  "repl-diskless-sync-delay",
  "replica-serve-stale-data",
  "min-replicas-to-write",
  "min-replicas-max-lag",
  "notify-keyspace-events",
  "loglevel",
  "tracking-table-max-keys",
] as const;

/** A tunable Redis config parameter name. */
export type RedisParameter = (typeof REDIS_TUNABLE_PARAMETERS)[number];

/** Parameters whose numbers are byte counts and accept Redis's unit suffixes (`100mb`, `1gb`). */
export const MEMORY_PARAMETERS: ReadonlySet<string> = new Set<RedisParameter>([
  "maxmemory",
  "maxmemory-clients",
  "client-query-buffer-limit",
  "proto-max-bulk-len",
  "active-defrag-ignore-bytes",
  "auto-aof-rewrite-min-size",
  "repl-backlog-size",
]);

/**
 * A parameter name from REDIS_TUNABLE_PARAMETERS, case-insensitively. Command names
 * (`FLUSHALL`, `CONFIG`, `EVAL`) and globs (`*`) are not parameters and fail here.
 */
export const redisParameterSchema = z.preprocess(
  (v) => (typeof v === "string" ? v.toLowerCase() : v),
  z.enum(REDIS_TUNABLE_PARAMETERS, { error: "not a Redis parameter Firebreak may read or change" }),
);

/**
 * A value as typed in chat (`100mb`, `allkeys-lru`, `yes`) or a number. No spaces, quotes,
 * control characters or non-ASCII look-alikes; empty only for parameters like `save`
 * whose rule lists "" among its values.
 */
export const redisValueSchema = z.union([
  z.number().finite(),
  z.string().regex(/^[A-Za-z0-9_.,:+-]{0,64}$/, "a value is letters, digits and _ . , : + - only"),
]);
