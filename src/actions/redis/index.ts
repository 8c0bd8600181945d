import type { ActionDefinition } from "../types.js";
import { redisClients } from "./clients.js";
import { redisConfigGet } from "./config-get.js";
import { redisConfigSet } from "./config-set.js";
import { redisInfo } from "./info.js";
import { redisPing } from "./ping.js";
import type { RedisTarget } from "./target.js";

export type { RedisTarget, RedisConfigRule } from "./target.js";
export { REDIS_TUNABLE_PARAMETERS, MEMORY_PARAMETERS } from "./config-parameters.js";
export type { RedisParameter } from "./config-parameters.js";
export { parseRedisMemory } from "./config-value.js";
export { translateRedisError } from "./connection.js";
export { redisPing, redisPingArgs } from "./ping.js";
export type { RedisPingArgs } from "./ping.js";
export { redisInfo, redisInfoArgs, REDIS_INFO_SECTIONS } from "./info.js";
export type { RedisInfoArgs } from "./info.js";
export { redisClients, redisClientsArgs } from "./clients.js";
export type { RedisClientsArgs } from "./clients.js";
export { redisConfigGet, redisConfigGetArgs } from "./config-get.js";
export type { RedisConfigGetArgs } from "./config-get.js";
export { redisConfigSet, redisConfigSetArgs } from "./config-set.js";
export type { RedisConfigSetArgs } from "./config-set.js";

/**
 * Every `redis.*` action, for the catalog to register. There is deliberately no action
 * that sends an arbitrary command: FLUSHALL, FLUSHDB, EVAL, DEBUG and the rest cannot be
 * expressed through any of these schemas.
 */
export const redisActions: readonly ActionDefinition<unknown, RedisTarget>[] = [
  redisPing,
  redisInfo,
  redisClients,
  redisConfigGet,
  redisConfigSet,
];
