import { httpActions } from "../actions/http/index.js";
import { kubernetesActions } from "../actions/kubernetes/index.js";
import { mysqlActions } from "../actions/mysql/index.js";
import { postgresActions } from "../actions/postgres/index.js";
import { prometheusActions } from "../actions/prometheus/index.js";
import { redisActions } from "../actions/redis/index.js";
import type { ActionDefinition } from "../actions/types.js";

/** Built-in actions by name: the only things a catalog step can name. */
export type ActionRegistry = ReadonlyMap<string, ActionDefinition<unknown, unknown>>;

/** Every built-in action Firebreak ships. */
export function builtInActions(): ActionRegistry {
  const all: readonly ActionDefinition<unknown, unknown>[] = [
    ...mysqlActions,
    ...redisActions,
    ...postgresActions,
    ...httpActions,
    ...prometheusActions,
    ...kubernetesActions,
  ] as readonly ActionDefinition<unknown, unknown>[];
  return new Map(all.map((a) => [a.name, a]));
}
