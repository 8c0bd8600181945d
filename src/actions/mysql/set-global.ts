import type { Connection } from "mysql2/promise";
import { z } from "zod";
import { FirebreakError } from "../../core/errors.js";
import type { ActionContext, ActionDefinition, ActionOutput, ActionPreview } from "../types.js";
import { execute, withMysql } from "./mysql-client.js";
import { readGlobals } from "./global-values.js";
import { settingValueSchema, variableNameSchema } from "./schemas.js";
import type { MysqlTarget } from "./target.js";
import { allowedVariableValue } from "./variable-value.js";
import type { AllowedValue } from "./variable-value.js";

export const mysqlSetGlobalArgs = z.strictObject({
  /** A variable listed in the target's allowVariables. */
  variable: variableNameSchema,
  /** A number within the rule's bounds, or one of its values. */
  value: settingValueSchema,
  /** The preview's `expect`: the run refuses if the value changed since the approver saw it. */
  expect: z.strictObject({ current: z.string().max(4096) }).optional(),
});
/** Arguments of `mysql.set_global`. */
export type MysqlSetGlobalArgs = z.infer<typeof mysqlSetGlobalArgs>;

/** `mysql.set_global`: SET GLOBAL on an allowlisted variable, to a value within its bounds. */
export const mysqlSetGlobal: ActionDefinition<MysqlSetGlobalArgs, MysqlTarget> = {
  name: "mysql.set_global",
  kind: "remediation",
  targetType: "mysql",
  description:
    "Set one allowlisted global variable (e.g. max_connections) to a value within its configured bounds.",
  argsSchema: mysqlSetGlobalArgs,
  check: (target, args) => void allowedVariableValue(target, args.variable, args.value),
  preview: (ctx, args) =>
    withMysql(ctx, async (conn): Promise<ActionPreview> => {
      const allowed = allowedVariableValue(ctx.target, args.variable, args.value);
      const current = await currentValue(ctx, conn, args.variable);
      return {
        changes: [`${args.variable} ${current} → ${allowed.display}`],
        table: { columns: ["variable", "current", "new"], rows: [[args.variable, current, allowed.display]] },
        expect: { current },
      };
    }),
  run: (ctx, args) =>
    withMysql(ctx, async (conn): Promise<ActionOutput> => {
      const allowed = allowedVariableValue(ctx.target, args.variable, args.value);
      const before = await currentValue(ctx, conn, args.variable);
      if (args.expect && args.expect.current !== before) {
        throw new FirebreakError(
          "conflict",
          `${args.variable} on ${ctx.target.name} is now ${before}, not ${args.expect.current} as approved; not changed. Preview it again.`,
        );
      }
      ctx.log.info({ target: ctx.target.name, variable: args.variable }, "mysql.set_global");
      await setGlobal(conn, args.variable, allowed);
      const after = await currentValue(ctx, conn, args.variable);
      const adjusted = !sameValue(after, allowed.display);
      return {
        summary: `${ctx.target.name}: ${args.variable} ${before} → ${after}${adjusted ? ` (asked for ${allowed.display}; the server adjusted it)` : ""}`,
        status: adjusted ? "warning" : "ok",
        table: { columns: ["variable", "before", "after"], rows: [[args.variable, before, after]] },
      };
    }),
};

/**
 * A variable name cannot be a parameter, so it is written as a quoted identifier: it
 * matched `[A-Za-z][A-Za-z0-9_]*` and is a key of the target's allowVariables. The value
 * is always bound.
 */
async function setGlobal(conn: Connection, variable: string, value: AllowedValue): Promise<void> {
  if (!/^[a-z][a-z0-9_]{0,63}$/.test(variable))
    throw new FirebreakError("input_invalid", "Invalid variable name.");
  await execute(conn, `SET GLOBAL \`${variable}\` = ${value.placeholder}`, [value.bind]);
}

async function currentValue(
  ctx: ActionContext<MysqlTarget>,
  conn: Connection,
  variable: string,
): Promise<string> {
  const found = (await readGlobals(conn, "VARIABLES", [variable])).get(variable);
  if (!found) {
    throw new FirebreakError("not_found", `MySQL ${ctx.target.name} has no global variable ${variable}.`);
  }
  return found.value;
}

function sameValue(actual: string, wanted: string): boolean {
  if (actual.toLowerCase() === wanted.toLowerCase()) return true;
  const a = Number(actual);
  const b = Number(wanted);
  return actual !== "" && Number.isFinite(a) && a === b;
}
