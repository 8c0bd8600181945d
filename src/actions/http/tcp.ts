import { connect } from "node:net";
import { performance } from "node:perf_hooks";
import { z } from "zod";
import { FirebreakError } from "../../core/errors.js";
import type { ActionDefinition, ActionOutput } from "../types.js";
import { assertAllowed } from "./allowed-hosts.js";
import { translateNetError } from "./net-errors.js";
import { hostSchema, portSchema } from "./schemas.js";
import { DEFAULT_TIMEOUT_MS } from "./target.js";
import type { HttpTarget } from "./target.js";

export const netTcpArgs = z.strictObject({
  /** One of the target's hosts. */
  host: hostSchema,
  /** A port that host allows (any port when its entry names none). */
  port: portSchema,
});
/** Arguments of `net.tcp`. */
export type NetTcpArgs = z.infer<typeof netTcpArgs>;

/** `net.tcp`: opens (and at once closes) one TCP connection to an allowed host:port, timing DNS and connect. */
export const netTcp: ActionDefinition<NetTcpArgs, HttpTarget> = {
  name: "net.tcp",
  kind: "diagnostic",
  targetType: "http",
  description: "Open one TCP connection to host:port (among the target's hosts) and time it.",
  argsSchema: netTcpArgs,
  check: (target, args) => assertAllowed(target, args.host, args.port),
  run: async (ctx, args) => {
    assertAllowed(ctx.target, args.host, args.port);
    const where = args.host.includes(":") ? `[${args.host}]:${args.port}` : `${args.host}:${args.port}`;
    const timeoutMs = ctx.target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([ctx.signal, deadline]);
    const started = performance.now();
    const marks: { dns?: number; connect?: number; remote?: string } = {};
    try {
      await new Promise<void>((resolve, reject) => {
        const socket = connect({ host: args.host, port: args.port, signal });
        socket.once("lookup", () => (marks.dns ??= performance.now() - started));
        socket.once("connect", () => {
          marks.connect = performance.now() - started;
          marks.remote = socket.remoteAddress;
          socket.destroy();
          resolve();
        });
        socket.once("error", (err) => {
          socket.destroy();
          reject(err);
        });
      });
    } catch (err) {
      if (deadline.aborted && !ctx.signal.aborted) {
        throw new FirebreakError(
          "timeout",
          `${ctx.target.name}: no TCP connection to ${where} within ${timeoutMs} ms (a firewall may be dropping packets).`,
          { cause: err },
        );
      }
      if (ctx.signal.aborted) {
        throw new FirebreakError("timeout", `${ctx.target.name}: the check of ${where} was stopped.`, {
          cause: err,
        });
      }
      throw translateNetError(err, ctx.target.name, where);
    }
    const round = (v: number | undefined) => (v === undefined ? null : Math.round(v * 100) / 100);
    return {
      summary: `${ctx.target.name}: ${where}${marks.remote ? ` (${marks.remote})` : ""} accepted a TCP connection in ${round(marks.connect)} ms`,
      table: {
        columns: ["phase", "at_ms"],
        rows: [
          ["dns", round(marks.dns)],
          ["connect", round(marks.connect)],
        ],
      } satisfies ActionOutput["table"],
    };
  },
};
