import type { ActionDefinition } from "../types.js";
import { postgresActivity } from "./activity.js";
import { postgresCancelBackend } from "./cancel-backend.js";
import { postgresLocks } from "./locks.js";
import type { PostgresTarget } from "./target.js";

export type { PostgresTarget } from "./target.js";
export { translatePgError } from "./connection.js";
export { renderLockChains, rootBlockers } from "./lock-chains.js";
export type { LockNode } from "./lock-chains.js";
export { postgresActivity, postgresActivityArgs } from "./activity.js";
export type { PostgresActivityArgs } from "./activity.js";
export { postgresLocks, postgresLocksArgs } from "./locks.js";
export type { PostgresLocksArgs } from "./locks.js";
export { postgresCancelBackend, postgresCancelBackendArgs, checkCancellable } from "./cancel-backend.js";
export type { PostgresCancelBackendArgs, PostgresCancelExpect, BackendRow } from "./cancel-backend.js";

/** Every `postgres.*` action, for the catalog to register. */
export const postgresActions: readonly ActionDefinition<unknown, PostgresTarget>[] = [
  postgresActivity,
  postgresLocks,
  postgresCancelBackend,
];
