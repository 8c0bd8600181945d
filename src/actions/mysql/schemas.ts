import { z } from "zod";

/**
 * Variables that can never be set from chat, whatever a target allows: they run SQL on
 * every connection, write server-side files, or load code.
 */
const NEVER_SETTABLE = new Set([
  "init_connect",
  "init_slave",
  "init_replica",
  "init_file",
  "general_log_file",
  "slow_query_log_file",
  "log_error",
  "plugin_dir",
  "secure_file_priv",
  "local_infile",
  "sql_log_bin",
  "gtid_purged",
  "super_read_only",
]);

/**
 * A global variable name: ASCII letters, digits and `_` only, so that it can be written
 * as a quoted identifier once it has also been found in the target's allowlist.
 */
export const variableNameSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, "a variable name is letters, digits and _ only")
  .transform((name) => name.toLowerCase())
  .refine((name) => !NEVER_SETTABLE.has(name), "this variable can never be changed from Firebreak");

/**
 * A value as typed in chat (`300`, `ON`, `FILE,TABLE`) or as a number. No spaces, quotes,
 * semicolons or non-ASCII look-alikes: nothing an allowlisted value needs.
 */
export const settingValueSchema = z.union([
  z.number().finite(),
  z.string().regex(/^[A-Za-z0-9_.,:+-]{1,64}$/, "a value is letters, digits and _ . , : + - only"),
]);

/** `COMMAND` values of the MySQL/MariaDB process list that can be filtered on. */
export const PROCESS_COMMANDS = [
  "Query",
  "Sleep",
  "Connect",
  "Execute",
  "Prepare",
  "Fetch",
  "Killed",
  "Daemon",
  "Binlog Dump",
  "Binlog Dump GTID",
  "Init DB",
  "Field List",
  "Statistics",
  "Close stmt",
] as const;

export const processCommandSchema = z.enum(PROCESS_COMMANDS);

/** A whole number given as a number or as decimal digits (chat sends strings); nothing else coerces. */
export function wholeNumberSchema(min: number, max: number) {
  return z
    .union([
      z.number(),
      z
        .string()
        .regex(/^[0-9]{1,16}$/, "expected a whole number")
        .transform(Number),
    ])
    .pipe(z.number().int().min(min).max(max));
}

/** Seconds, bounded by a week. */
export const secondsSchema = wholeNumberSchema(0, 604_800);

/** A process-list id: a positive safe integer (the server counts up to 2^64, JavaScript safely to 2^53). */
export const connectionIdSchema = wholeNumberSchema(1, Number.MAX_SAFE_INTEGER);
