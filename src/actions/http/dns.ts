import { lookup } from "node:dns/promises";
import { performance } from "node:perf_hooks";
import { z } from "zod";
import type { ActionDefinition, ActionOutput } from "../types.js";
import { allowedHosts, assertAllowed } from "./allowed-hosts.js";
import { translateNetError } from "./net-errors.js";
import { hostSchema } from "./schemas.js";
import type { HttpTarget } from "./target.js";

export const netDnsArgs = z.strictObject({
  /** One of the target's hosts; all of them (the URL's host first) when absent. */
  host: hostSchema.optional(),
});
/** Arguments of `net.dns`. */
export type NetDnsArgs = z.infer<typeof netDnsArgs>;

/**
 * `net.dns`: resolves the target's hosts to A and AAAA addresses with the system resolver
 * (getaddrinfo, so /etc/hosts counts, as it does for every other client on this machine),
 * timing each. A name that does not resolve is a row with an error, not a failed run.
 */
export const netDns: ActionDefinition<NetDnsArgs, HttpTarget> = {
  name: "net.dns",
  kind: "diagnostic",
  targetType: "http",
  description: "Resolve the target's hosts (A and AAAA) with the system resolver, timing each.",
  argsSchema: netDnsArgs,
  check: (target, args) => {
    if (args.host !== undefined) assertAllowed(target, args.host);
  },
  run: async (ctx, args) => {
    if (args.host !== undefined) assertAllowed(ctx.target, args.host);
    const hosts =
      args.host !== undefined
        ? [args.host.toLowerCase()]
        : [...new Set(allowedHosts(ctx.target).map((h) => h.host))];
    const rows: (string | number | null)[][] = [];
    const failed: string[] = [];
    for (const host of hosts) {
      if (ctx.signal.aborted) break;
      const started = performance.now();
      try {
        const addresses = await lookup(host, { all: true, order: "ipv4first" });
        const took = Math.round((performance.now() - started) * 100) / 100;
        for (const a of addresses) rows.push([host, a.family === 6 ? "AAAA" : "A", a.address, took, null]);
        if (addresses.length === 0) failed.push(host);
      } catch (err) {
        const took = Math.round((performance.now() - started) * 100) / 100;
        rows.push([host, null, null, took, translateNetError(err, ctx.target.name, host).message]);
        failed.push(host);
      }
    }
    const resolved = hosts.length - failed.length;
    return {
      summary: `${ctx.target.name}: ${resolved} of ${hosts.length} host${hosts.length === 1 ? "" : "s"} resolved${failed.length > 0 ? `; failed: ${failed.join(", ")}` : ""}`,
      status: failed.length > 0 ? "error" : "ok",
      table: { columns: ["host", "type", "address", "ms", "error"], rows } satisfies ActionOutput["table"],
    };
  },
};
