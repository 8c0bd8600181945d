import { z } from "zod";
import type { ActionDefinition, ActionOutput } from "../types.js";
import { redisParameterSchema } from "./config-parameters.js";
import { allowedRule } from "./config-value.js";
import { configGet, withRedis } from "./connection.js";
import type { RedisTarget } from "./target.js";

export const redisConfigGetArgs = z.strictObject({
  /** Parameters to read; all the target's allowlisted parameters when absent. A single name is accepted too. */
  parameters: z
    .preprocess((v) => (typeof v === "string" ? [v] : v), z.array(redisParameterSchema).min(1).max(50))
    .optional(),
});
/** Arguments of `redis.config_get`. */
export type RedisConfigGetArgs = z.infer<typeof redisConfigGetArgs>;

/** `redis.config_get`: current values of allowlisted config parameters. */
export const redisConfigGet: ActionDefinition<RedisConfigGetArgs, RedisTarget> = {
  name: "redis.config_get",
  kind: "diagnostic",
  targetType: "redis",
  description: "Current values of config parameters the target allowlists.",
  argsSchema: redisConfigGetArgs,
  run: async (ctx, args) => {
    const names = args.parameters ?? allowlisted(ctx.target);
    for (const name of names) allowedRule(ctx.target, name);
    if (names.length === 0) {
      return {
        summary: `${ctx.target.name}: no config parameter is allowlisted for Firebreak (see allowConfig)`,
      };
    }
    return withRedis(ctx, async (redis): Promise<ActionOutput> => {
      const rows: (string | null)[][] = [];
      for (const name of names) rows.push([name, (await configGet(redis, name)) ?? null]);
      return {
        summary: `${ctx.target.name}: ${rows.map(([k, v]) => `${k}=${v ?? "?"}`).join(", ")}`,
        table: { columns: ["parameter", "value"], rows },
      };
    });
  },
};

/** The target's allowlisted parameters Firebreak can name at all (others are silently unusable). */
function allowlisted(target: RedisTarget): string[] {
  return Object.keys(target.allowConfig)
    .map((k) => k.toLowerCase())
    .filter((k) => redisParameterSchema.safeParse(k).success);
}
