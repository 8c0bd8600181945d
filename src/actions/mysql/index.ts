import type { ActionDefinition } from "../types.js";
import { mysqlConnections } from "./connections.js";
import { mysqlKill } from "./kill.js";
import { mysqlKillLongQueries } from "./kill-long-queries.js";
import { mysqlProcesslist } from "./processlist.js";
import { mysqlSetGlobal } from "./set-global.js";
import { mysqlSlowQuerySettings } from "./slow-query-settings.js";
import { mysqlStatus } from "./status.js";
import type { MysqlTarget } from "./target.js";

export type { MysqlTarget, MysqlVariableRule } from "./target.js";
export { translateMysqlError } from "./errors.js";
export { mysqlConnections, mysqlConnectionsArgs } from "./connections.js";
export type { MysqlConnectionsArgs } from "./connections.js";
export { mysqlStatus, mysqlStatusArgs, MYSQL_STATUS_NAMES, MYSQL_VARIABLE_NAMES } from "./status.js";
export type { MysqlStatusArgs } from "./status.js";
export { mysqlProcesslist, mysqlProcesslistArgs } from "./processlist.js";
export type { MysqlProcesslistArgs } from "./processlist.js";
export { mysqlSlowQuerySettings, mysqlSlowQuerySettingsArgs } from "./slow-query-settings.js";
export type { MysqlSlowQuerySettingsArgs } from "./slow-query-settings.js";
export { mysqlKill, mysqlKillArgs } from "./kill.js";
export type { MysqlKillArgs, MysqlKillExpect } from "./kill.js";
export { mysqlKillLongQueries, mysqlKillLongQueriesArgs } from "./kill-long-queries.js";
export type { MysqlKillLongQueriesArgs } from "./kill-long-queries.js";
export { mysqlSetGlobal, mysqlSetGlobalArgs } from "./set-global.js";
export type { MysqlSetGlobalArgs } from "./set-global.js";

/** Every `mysql.*` action, for the catalog to register. */
export const mysqlActions: readonly ActionDefinition<unknown, MysqlTarget>[] = [
  mysqlConnections,
  mysqlStatus,
  mysqlProcesslist,
  mysqlSlowQuerySettings,
  mysqlKill,
  mysqlKillLongQueries,
  mysqlSetGlobal,
];
