import { performance } from "node:perf_hooks";
import { z } from "zod";
import type { ActionDefinition, ActionOutput } from "../types.js";
import { withRedis } from "./connection.js";
import type { RedisTarget } from "./target.js";

export const redisPingArgs = z.strictObject({
  /** How many PINGs to time, one after another on one connection. */
  count: z
    .union([
      z.number(),
      z
        .string()
        .regex(/^[0-9]{1,2}$/)
        .transform(Number),
    ])
    .pipe(z.number().int().min(1).max(10))
    .default(3),
});
/** Arguments of `redis.ping`. */
export type RedisPingArgs = z.infer<typeof redisPingArgs>;

/** `redis.ping`: whether Redis answers, and how fast (round trips timed on an open connection). */
export const redisPing: ActionDefinition<RedisPingArgs, RedisTarget> = {
  name: "redis.ping",
  kind: "diagnostic",
  targetType: "redis",
  description: "PING Redis and time the round trips.",
  argsSchema: redisPingArgs,
  run: (ctx, args) =>
    withRedis(ctx, async (redis): Promise<ActionOutput> => {
      const rows: [number, string, number][] = [];
      for (let i = 1; i <= args.count; i++) {
        const started = performance.now();
        const reply = await redis.ping();
        rows.push([i, reply, round(performance.now() - started)]);
      }
      const times = rows.map((r) => r[2]);
      const min = Math.min(...times);
      const max = Math.max(...times);
      const avg = round(times.reduce((a, b) => a + b, 0) / times.length);
      return {
        summary: `${ctx.target.name}: PONG in ${avg} ms on average (min ${min}, max ${max}, ${times.length} pings)`,
        table: { columns: ["ping", "reply", "ms"], rows },
      };
    }),
};

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
