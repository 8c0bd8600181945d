import { z } from "zod";
import type { ActionDefinition, ActionOutput } from "../types.js";
import { withRedis } from "./connection.js";
import { parseInfo } from "./parse-info.js";
import type { RedisTarget } from "./target.js";

/** INFO sections `redis.info` may show. */
export const REDIS_INFO_SECTIONS = [
  "server",
  "clients",
  "memory",
  "stats",
  "replication",
  "keyspace",
] as const;

export const redisInfoArgs = z.strictObject({
  section: z
    .preprocess((v) => (typeof v === "string" ? v.toLowerCase() : v), z.enum(REDIS_INFO_SECTIONS))
    .default("server"),
});
/** Arguments of `redis.info`. */
export type RedisInfoArgs = z.infer<typeof redisInfoArgs>;

/** `redis.info`: one INFO section as a field/value table. */
export const redisInfo: ActionDefinition<RedisInfoArgs, RedisTarget> = {
  name: "redis.info",
  kind: "diagnostic",
  targetType: "redis",
  description: "One section of Redis INFO (server, clients, memory, stats, replication, keyspace).",
  argsSchema: redisInfoArgs,
  run: (ctx, args) =>
    withRedis(ctx, async (redis): Promise<ActionOutput> => {
      const fields = parseInfo(await redis.info(args.section));
      return {
        summary: `${ctx.target.name}: INFO ${args.section}, ${fields.size} field${fields.size === 1 ? "" : "s"}`,
        table: { columns: ["field", "value"], rows: [...fields] },
      };
    }),
};
