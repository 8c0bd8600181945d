import { homedir } from "node:os";
import { z } from "zod";
import { FirebreakError } from "../core/errors.js";
import type { HttpTarget } from "../actions/http/target.js";
import type { MysqlTarget } from "../actions/mysql/target.js";
import type { PostgresTarget } from "../actions/postgres/target.js";
import type { PrometheusTarget } from "../actions/prometheus/target.js";
import type { RedisTarget } from "../actions/redis/target.js";
import { parseRedisMemory } from "../actions/redis/config-value.js";
import { durationString } from "./incidents.js";

/** Target types a catalog command can reach (every ActionDefinition targetType but `none`). */
export const TARGET_TYPES = ["kubernetes", "mysql", "redis", "postgres", "http", "prometheus"] as const;
export type ConfiguredTargetType = (typeof TARGET_TYPES)[number];

const targetName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "a target name is lowercase letters, digits, _ and - (max 63)");
const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]{0,127}$/, "expected an environment variable name like ORDERS_MYSQL_URL");

/**
 * A connection URL, inline (only without a password) or named by the environment variable
 * holding it (`url_env`), so that secrets never sit in firebreak.yaml.
 */
const connection = {
  url: z
    .string()
    .max(2048)
    .refine((u) => URL.canParse(u), "expected a URL")
    .refine(
      (u) => !URL.canParse(u) || new URL(u).password === "",
      "a URL with a password belongs in the environment: name the variable with url_env instead",
    )
    .optional(),
  url_env: envName.optional(),
};
const exactlyOneUrl = (t: { url?: string | undefined; url_env?: string | undefined }) =>
  Boolean(t.url) !== Boolean(t.url_env);
const oneUrlMessage = { message: "give exactly one of url or url_env" };

/** A bound in a rule: a number, or for Redis memory parameters a size like `64mb`. */
const bound = z.union([
  z.number(),
  z.string().transform((s, ctx) => {
    const bytes = parseRedisMemory(s);
    if (bytes === undefined) {
      ctx.addIssue({ code: "custom", message: `"${s}" is not a number or a size like 64mb or 2gb` });
      return z.NEVER;
    }
    return bytes;
  }),
]);
const rule = z.strictObject({
  min: bound.optional(),
  max: bound.optional(),
  values: z
    .array(z.string().regex(/^[A-Za-z0-9_.,:+-]{1,64}$/))
    .max(50)
    .optional(),
});

const mysqlEntry = z
  .strictObject({
    ...connection,
    allow_variables: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), rule).default({}),
  })
  .refine(exactlyOneUrl, oneUrlMessage);
const redisEntry = z
  .strictObject({
    ...connection,
    allow_config: z.record(z.string().regex(/^[a-z][a-z0-9-]{0,63}$/), rule).default({}),
  })
  .refine(exactlyOneUrl, oneUrlMessage);
const postgresEntry = z.strictObject({ ...connection }).refine(exactlyOneUrl, oneUrlMessage);
const prometheusEntry = z.strictObject({ ...connection }).refine(exactlyOneUrl, oneUrlMessage);
const httpEntry = z.strictObject({
  url: z
    .string()
    .max(2048)
    .refine((u) => /^https?:\/\//.test(u) && URL.canParse(u), "expected an http:// or https:// URL"),
  hosts: z.array(z.string().min(1).max(260)).max(50).default([]),
  timeout: durationString.optional(),
});
const kubernetesEntry = z
  .strictObject({
    /** Path of a kubeconfig file; or `kubeconfig_env`, a variable holding the path or the kubeconfig itself. */
    kubeconfig: z.string().min(1).max(1024).optional(),
    kubeconfig_env: envName.optional(),
    /** The kubeconfig's current-context when omitted. */
    context: z.string().min(1).max(253).optional(),
    /** Namespaces commands may touch; anything else is refused. */
    namespaces: z
      .array(z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/))
      .min(1)
      .max(100),
    /** Replica bounds of `k8s.scale`; without them scaling is refused. */
    scale: z
      .strictObject({ min: z.int().min(0).max(1000), max: z.int().min(1).max(1000) })
      .refine((x) => x.min <= x.max, "min is above max")
      .optional(),
  })
  .refine((t) => Boolean(t.kubeconfig) !== Boolean(t.kubeconfig_env), {
    message: "give exactly one of kubeconfig (a path) or kubeconfig_env",
  });

/** The `targets` section of firebreak.yaml, per type, by name. */
export const targetsSectionShape = {
  targets: z
    .strictObject({
      mysql: z.record(targetName, mysqlEntry).default({}),
      redis: z.record(targetName, redisEntry).default({}),
      postgres: z.record(targetName, postgresEntry).default({}),
      http: z.record(targetName, httpEntry).default({}),
      prometheus: z.record(targetName, prometheusEntry).default({}),
      kubernetes: z.record(targetName, kubernetesEntry).default({}),
    })
    .default({ mysql: {}, redis: {}, postgres: {}, http: {}, prometheus: {}, kubernetes: {} }),
};

type Section = z.output<(typeof targetsSectionShape)["targets"]>;

/**
 * A configured Kubernetes context, shaped as the `k8s.*` actions' KubernetesTarget: the
 * kubeconfig is a path (read at run time) or, from the environment, the YAML itself.
 */
export interface KubernetesTargetSpec {
  readonly name: string;
  readonly kubeconfig: string;
  readonly context?: string;
  readonly namespaces: readonly string[];
  readonly scale?: { readonly min: number; readonly max: number };
}

/** The targets as written in firebreak.yaml: URLs still named by their environment variables. */
export interface TargetsConfig {
  readonly section: Section;
}

export function buildTargetsConfig(section: Section): TargetsConfig {
  return { section };
}

/** Every configured target, secrets resolved from the environment. */
export interface ResolvedTargets {
  readonly mysql: ReadonlyMap<string, MysqlTarget>;
  readonly redis: ReadonlyMap<string, RedisTarget>;
  readonly postgres: ReadonlyMap<string, PostgresTarget>;
  readonly http: ReadonlyMap<string, HttpTarget>;
  readonly prometheus: ReadonlyMap<string, PrometheusTarget>;
  readonly kubernetes: ReadonlyMap<string, KubernetesTargetSpec>;
  /** Secret values taken from the environment (URLs, their passwords), for redaction. */
  readonly secrets: readonly string[];
}

/** The names configured for a target type, sorted. */
export function targetNames(targets: ResolvedTargets, type: string): string[] {
  const map = (targets as unknown as Record<string, ReadonlyMap<string, unknown> | undefined>)[type];
  return map ? [...map.keys()].sort() : [];
}

/** One configured target by type and name (undefined when there is none). */
export function findTarget(targets: ResolvedTargets, type: string, name: string): unknown {
  const map = (targets as unknown as Record<string, ReadonlyMap<string, unknown> | undefined>)[type];
  return map?.get(name);
}

export const NO_TARGETS: ResolvedTargets = {
  mysql: new Map(),
  redis: new Map(),
  postgres: new Map(),
  http: new Map(),
  prometheus: new Map(),
  kubernetes: new Map(),
  secrets: [],
};

/**
 * Resolves `*_env` names against the environment. A variable that is unset stops start-up
 * with a config_invalid error naming it and the target that needs it.
 */
export function resolveTargets(
  config: TargetsConfig,
  secrets: Readonly<Record<string, string | undefined>>,
): ResolvedTargets {
  const found: string[] = [];
  const secret = (name: string, where: string): string => {
    const value = secrets[name]?.trim();
    if (!value)
      throw new FirebreakError(
        "config_invalid",
        `${name}: is not set, but firebreak.yaml ${where} reads it; export it (or remove the target).`,
      );
    found.push(value);
    try {
      const password = decodeURIComponent(new URL(value).password);
      if (password) found.push(password, encodeURIComponent(password));
    } catch {
      // Not a URL (a kubeconfig path, say): the value itself is what gets redacted.
    }
    return value;
  };
  const url = (t: { url?: string | undefined; url_env?: string | undefined }, where: string) =>
    t.url ?? secret(t.url_env!, `${where}.url_env`);
  const s = config.section;
  const mysql = new Map<string, MysqlTarget>();
  for (const [name, t] of Object.entries(s.mysql))
    mysql.set(name, {
      name,
      url: url(t, `targets.mysql.${name}`),
      allowVariables: t.allow_variables,
    });
  const redis = new Map<string, RedisTarget>();
  for (const [name, t] of Object.entries(s.redis))
    redis.set(name, {
      name,
      url: url(t, `targets.redis.${name}`),
      allowConfig: t.allow_config,
    });
  const postgres = new Map<string, PostgresTarget>();
  for (const [name, t] of Object.entries(s.postgres))
    postgres.set(name, { name, url: url(t, `targets.postgres.${name}`) });
  const prometheus = new Map<string, PrometheusTarget>();
  for (const [name, t] of Object.entries(s.prometheus))
    prometheus.set(name, { name, url: url(t, `targets.prometheus.${name}`) });
  const http = new Map<string, HttpTarget>();
  for (const [name, t] of Object.entries(s.http))
    http.set(name, {
      name,
      url: t.url,
      hosts: t.hosts,
      ...(t.timeout === undefined ? {} : { timeoutMs: t.timeout }),
    });
  const kubernetes = new Map<string, KubernetesTargetSpec>();
  for (const [name, t] of Object.entries(s.kubernetes)) {
    kubernetes.set(name, {
      name,
      kubeconfig: t.kubeconfig
        ? t.kubeconfig.replace(/^~(?=\/)/, homedir())
        : secret(t.kubeconfig_env!, `targets.kubernetes.${name}.kubeconfig_env`),
      ...(t.context ? { context: t.context } : {}),
      namespaces: t.namespaces,
      ...(t.scale ? { scale: t.scale } : {}),
    });
  }
  return {
    mysql,
    redis,
    postgres,
    http,
    prometheus,
    kubernetes,
    secrets: [...new Set(found)].filter((v) => v.length >= 4),
  };
}
