import { Redis } from "ioredis";
import { FirebreakError } from "../../core/errors.js";
import type { ActionContext } from "../types.js";
import type { RedisTarget } from "./target.js";

const CONNECT_TIMEOUT_MS = 5_000;
const COMMAND_TIMEOUT_MS = 10_000;

/**
 * Opens one connection for one run and always closes it: no retries, no offline queue,
 * so a down server fails the run at once with a clear message instead of hanging.
 */
export async function withRedis<T>(
  ctx: ActionContext<RedisTarget>,
  work: (redis: Redis) => Promise<T>,
): Promise<T> {
  const { target, signal } = ctx;
  throwIfAborted(signal, target.name);
  const url = checkedUrl(target);
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    connectionName: "firebreak",
  });
  // A refused connect rejects only with "Connection is closed"; the socket error that says
  // why arrives as an event (and without a listener ioredis would log it too).
  let socketError: unknown;
  redis.on("error", (err: unknown) => {
    socketError ??= err;
  });
  const onAbort = () => redis.disconnect();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    await redis.connect();
    return await work(redis);
  } catch (err) {
    throwIfAborted(signal, target.name);
    const replied = (err as { name?: string }).name === "ReplyError";
    throw translateRedisError(replied || socketError === undefined ? err : socketError, target.name);
  } finally {
    signal.removeEventListener("abort", onAbort);
    await redis.quit().catch(() => redis.disconnect());
  }
}

/** Translates an ioredis error (a Redis error reply or a socket error) into a FirebreakError. */
export function translateRedisError(err: unknown, targetName: string): FirebreakError {
  if (err instanceof FirebreakError) return err;
  const e = (typeof err === "object" && err !== null ? err : {}) as {
    name?: string;
    code?: string;
    message?: string;
    command?: { name?: string };
  };
  const message = e.message ?? String(err);
  // ioredis attaches the failed command with its arguments: for AUTH or HELLO, the password.
  const carriesSecret = e.command?.name === "auth" || e.command?.name === "hello";
  const cause = carriesSecret ? new Error(message) : err;
  const fail = (code: FirebreakError["code"], text: string) =>
    new FirebreakError(code, text, { cause, details: { target: targetName, driverCode: e.code } });
  if (e.name === "ReplyError") {
    const prefix = message.split(" ", 1)[0] ?? "";
    if (prefix === "NOAUTH" || prefix === "WRONGPASS") {
      return fail(
        "forbidden",
        `Redis ${targetName} refused the login (${message}). Check the password in its target URL.`,
      );
    }
    if (prefix === "NOPERM") {
      return fail(
        "forbidden",
        `Redis ${targetName}: Firebreak's user lacks the permission (${message}). Grant it in the ACL.`,
      );
    }
    if (/unknown command/i.test(message)) {
      return fail(
        "action_failed",
        `Redis ${targetName} does not offer this command (${message}); it may be renamed or disabled.`,
      );
    }
    if (/CONFIG SET failed|argument|Invalid/i.test(message)) {
      return fail("input_invalid", `Redis ${targetName} rejected the value: ${message}`);
    }
    return fail("action_failed", `Redis ${targetName}: ${message}`);
  }
  switch (e.code) {
    case "ECONNREFUSED":
      return fail(
        "dependency_unavailable",
        `Redis ${targetName} refused the connection: is it down, or is the port in its URL wrong?`,
      );
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return fail(
        "dependency_unavailable",
        `Redis ${targetName}: the host name in its URL does not resolve.`,
      );
    case "ETIMEDOUT":
      return fail("timeout", `Redis ${targetName} did not answer the connection in time.`);
  }
  if (/Command timed out/i.test(message))
    return fail("timeout", `Redis ${targetName} did not answer in time.`);
  if (/Connection is closed|Stream isn't writeable/i.test(message)) {
    return fail("dependency_unavailable", `Redis ${targetName} closed the connection.`);
  }
  return fail("action_failed", `Redis ${targetName}: ${message}`);
}

function checkedUrl(target: RedisTarget): string {
  let protocol: string;
  try {
    protocol = new URL(target.url).protocol;
  } catch (err) {
    throw new FirebreakError("config_invalid", `Redis target ${target.name}: its url is not a valid URL.`, {
      cause: err,
    });
  }
  if (protocol !== "redis:" && protocol !== "rediss:") {
    throw new FirebreakError(
      "config_invalid",
      `Redis target ${target.name}: its url must start with redis:// or rediss://.`,
    );
  }
  return target.url;
}

function throwIfAborted(signal: AbortSignal, targetName: string): void {
  if (!signal.aborted) return;
  const reason: unknown = signal.reason;
  if (reason instanceof FirebreakError) throw reason;
  throw new FirebreakError("timeout", `Redis ${targetName}: the run was stopped before it finished.`, {
    cause: reason,
  });
}

/** CONFIG GET of one exact parameter name (never a glob: the name is a validated enum member). */
export async function configGet(redis: Redis, parameter: string): Promise<string | undefined> {
  const reply = (await redis.config("GET", parameter)) as string[];
  for (let i = 0; i + 1 < reply.length; i += 2) {
    if (reply[i]?.toLowerCase() === parameter) return reply[i + 1];
  }
  return undefined;
}
