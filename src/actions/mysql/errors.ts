import { FirebreakError } from "../../core/errors.js";

interface MysqlDriverError {
  code?: string;
  errno?: number;
  sqlMessage?: string;
  message?: string;
}

/** Translates a mysql2 error (MySQL errno or socket error) into a FirebreakError a user can act on. */
export function translateMysqlError(err: unknown, targetName: string): FirebreakError {
  if (err instanceof FirebreakError) return err;
  const e = (typeof err === "object" && err !== null ? err : {}) as MysqlDriverError;
  const detail = e.sqlMessage ?? e.message ?? String(err);
  const fail = (code: FirebreakError["code"], message: string) =>
    new FirebreakError(code, message, {
      cause: err,
      details: { target: targetName, errno: e.errno, driverCode: e.code },
    });
  switch (e.errno) {
    case 1045:
    case 1698:
      return fail(
        "forbidden",
        `MySQL ${targetName} refused the login: ${detail}. Check the user and password in its target URL.`,
      );
    case 1044:
    case 1142:
    case 1227:
      return fail(
        "forbidden",
        `MySQL ${targetName}: ${detail}. Grant Firebreak's user the privilege, or run this by hand.`,
      );
    case 1094:
      return fail("not_found", `MySQL ${targetName}: ${detail}. The connection has already gone.`);
    case 1095:
      return fail(
        "forbidden",
        `MySQL ${targetName}: ${detail}. Firebreak's user needs CONNECTION_ADMIN (or SUPER) to kill other users' connections.`,
      );
    case 1049:
      return fail(
        "config_invalid",
        `MySQL ${targetName}: ${detail}. Fix the database name in its target URL.`,
      );
    case 1193:
    case 1231:
    case 1232:
    case 1238:
      return fail("input_invalid", `MySQL ${targetName} rejected the value: ${detail}.`);
    case 1040:
      return fail(
        "dependency_unavailable",
        `MySQL ${targetName} has no free connection (${detail}); Firebreak could not get in either.`,
      );
    case 1969:
    case 3024:
      return fail("timeout", `MySQL ${targetName}: the query took too long and was stopped (${detail}).`);
  }
  switch (e.code) {
    case "ECONNREFUSED":
      return fail(
        "dependency_unavailable",
        `MySQL ${targetName} refused the connection: is it down, or is the port in its URL wrong?`,
      );
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return fail(
        "dependency_unavailable",
        `MySQL ${targetName}: the host name in its URL does not resolve.`,
      );
    case "ETIMEDOUT":
    case "PROTOCOL_SEQUENCE_TIMEOUT":
      return fail("timeout", `MySQL ${targetName} did not answer in time (${detail}).`);
    case "PROTOCOL_CONNECTION_LOST":
    case "ECONNRESET":
      return fail("dependency_unavailable", `MySQL ${targetName} closed the connection (${detail}).`);
  }
  return fail("action_failed", `MySQL ${targetName}: ${detail}`);
}
