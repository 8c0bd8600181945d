import type { ActionDefinition } from "../types.js";
import { httpCheck } from "./check.js";
import { netDns } from "./dns.js";
import { netTcp } from "./tcp.js";
import type { HttpTarget } from "./target.js";

export type { HttpTarget } from "./target.js";
export { DEFAULT_TIMEOUT_MS } from "./target.js";
export { parseHostEntry, allowedHosts } from "./allowed-hosts.js";
export type { AllowedHost } from "./allowed-hosts.js";
export { translateNetError } from "./net-errors.js";
export { measureRequest } from "./measure-request.js";
export type { MeasuredResponse, Phase, PhaseMarks } from "./measure-request.js";
export { httpCheck, httpCheckArgs } from "./check.js";
export type { HttpCheckArgs } from "./check.js";
export { netDns, netDnsArgs } from "./dns.js";
export type { NetDnsArgs } from "./dns.js";
export { netTcp, netTcpArgs } from "./tcp.js";
export type { NetTcpArgs } from "./tcp.js";

/** Every action on an `http` target (`http.check`, `net.dns`, `net.tcp`), for the catalog to register. */
export const httpActions: readonly ActionDefinition<unknown, HttpTarget>[] = [httpCheck, netDns, netTcp];
