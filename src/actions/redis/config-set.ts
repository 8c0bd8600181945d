import { z } from "zod";
import { FirebreakError } from "../../core/errors.js";
import type { ActionContext, ActionDefinition, ActionOutput, ActionPreview } from "../types.js";
import { MEMORY_PARAMETERS, redisParameterSchema, redisValueSchema } from "./config-parameters.js";
import { allowedConfigValue } from "./config-value.js";
import { configGet, withRedis } from "./connection.js";
import type { RedisTarget } from "./target.js";
import type { Redis } from "ioredis";

export const redisConfigSetArgs = z.strictObject({
  /** A parameter the target allowlists, e.g. `maxmemory`. */
  parameter: redisParameterSchema,
  /** Within the rule's bounds or values; memory sizes as bytes or `100mb` / `1gb`. */
  value: redisValueSchema,
  /** The preview's `expect`: the run refuses if the value changed since the approver saw it. */
  expect: z.strictObject({ current: z.string().max(4096) }).optional(),
});
/** Arguments of `redis.config_set`. */
export type RedisConfigSetArgs = z.infer<typeof redisConfigSetArgs>;

/** `redis.config_set`: CONFIG SET on one allowlisted parameter, to a value within its bounds. */
export const redisConfigSet: ActionDefinition<RedisConfigSetArgs, RedisTarget> = {
  name: "redis.config_set",
  kind: "remediation",
  targetType: "redis",
  description:
    "Change one allowlisted config parameter (e.g. maxmemory) to a value within its configured bounds.",
  argsSchema: redisConfigSetArgs,
  check: (target, args) => void allowedConfigValue(target, args.parameter, args.value),
  preview: async (ctx, args) => {
    const value = allowedConfigValue(ctx.target, args.parameter, args.value);
    return withRedis(ctx, async (redis): Promise<ActionPreview> => {
      const current = await currentValue(ctx, redis, args.parameter);
      return {
        changes: [
          `${args.parameter} ${shown(args.parameter, current)} → ${shown(args.parameter, value)} on ${ctx.target.name}`,
        ],
        table: { columns: ["parameter", "current", "new"], rows: [[args.parameter, current, value]] },
        expect: { current },
      };
    });
  },
  run: async (ctx, args) => {
    const value = allowedConfigValue(ctx.target, args.parameter, args.value);
    return withRedis(ctx, async (redis): Promise<ActionOutput> => {
      const before = await currentValue(ctx, redis, args.parameter);
      if (args.expect && args.expect.current !== before) {
        throw new FirebreakError(
          "conflict",
          `${args.parameter} on ${ctx.target.name} is now ${show(before)}, not ${show(args.expect.current)} as approved; not changed. Preview it again.`,
        );
      }
      ctx.log.info({ target: ctx.target.name, parameter: args.parameter }, "redis.config_set");
      await redis.config("SET", args.parameter, value);
      const after = await currentValue(ctx, redis, args.parameter);
      return {
        summary: `${ctx.target.name}: ${args.parameter} ${shown(args.parameter, before)} → ${shown(args.parameter, after)}`,
        status: after.toLowerCase() === value.toLowerCase() ? "ok" : "warning",
        table: { columns: ["parameter", "before", "after"], rows: [[args.parameter, before, after]] },
      };
    });
  },
};

async function currentValue(
  ctx: ActionContext<RedisTarget>,
  redis: Redis,
  parameter: string,
): Promise<string> {
  const value = await configGet(redis, parameter);
  if (value === undefined) {
    throw new FirebreakError(
      "not_found",
      `Redis ${ctx.target.name} has no config parameter ${parameter} (too old a version?).`,
    );
  }
  return value;
}

function show(value: string): string {
  return value === "" ? '""' : value;
}

/** A value as people read it: memory sizes as Redis writes them (`2gb`, `512mb`), `0` as no limit. */
function shown(parameter: string, value: string): string {
  if (!MEMORY_PARAMETERS.has(parameter) || !/^[0-9]{1,16}$/.test(value)) return show(value);
  const bytes = Number(value);
  if (bytes === 0) return "0 (no limit)";
  for (const [unit, size] of [
    ["gb", 1024 ** 3],
    ["mb", 1024 ** 2],
    ["kb", 1024],
  ] as const)
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  return value;
}
