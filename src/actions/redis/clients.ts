import { z } from "zod";
import type { ActionDefinition, ActionOutput } from "../types.js";
import { configGet, withRedis } from "./connection.js";
import { parseInfo } from "./parse-info.js";
import type { RedisTarget } from "./target.js";

export const redisClientsArgs = z.strictObject({});
/** Arguments of `redis.clients`: none. */
export type RedisClientsArgs = z.infer<typeof redisClientsArgs>;

const WARN_AT = 0.8;
const ERROR_AT = 0.95;

/** `redis.clients`: connected clients against maxclients, blocked clients and refused connections. */
export const redisClients: ActionDefinition<RedisClientsArgs, RedisTarget> = {
  name: "redis.clients",
  kind: "diagnostic",
  targetType: "redis",
  description: "connected_clients against maxclients, blocked clients, rejected connections.",
  argsSchema: redisClientsArgs,
  run: (ctx) =>
    withRedis(ctx, async (redis): Promise<ActionOutput> => {
      const info = parseInfo(await redis.info("clients"));
      const stats = parseInfo(await redis.info("stats"));
      // INFO carries maxclients since Redis 7; older servers need CONFIG GET.
      const max = Number(info.get("maxclients") ?? (await configGet(redis, "maxclients")));
      const connected = Number(info.get("connected_clients"));
      const ratio = connected / max;
      const percent = Number.isFinite(ratio) ? Math.round(ratio * 1000) / 10 : null;
      const cell = (v: string | undefined) => (v === undefined || v === "" ? null : Number(v));
      return {
        summary: `${ctx.target.name}: ${connected} of ${max} clients connected (${percent ?? "?"}%)`,
        status: ratio >= ERROR_AT ? "error" : ratio >= WARN_AT ? "warning" : "ok",
        table: {
          columns: ["metric", "value"],
          rows: [
            ["connected_clients", connected],
            ["maxclients", Number.isFinite(max) ? max : null],
            ["percent_used", percent],
            ["blocked_clients", cell(info.get("blocked_clients"))],
            ["rejected_connections", cell(stats.get("rejected_connections"))],
            ["total_connections_received", cell(stats.get("total_connections_received"))],
          ],
        },
      };
    }),
};
