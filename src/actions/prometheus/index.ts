import type { ActionDefinition } from "../types.js";
import { prometheusQuery } from "./query.js";
import type { PrometheusTarget } from "./target.js";

export type { PrometheusTarget } from "./target.js";
export { prometheusQuery, prometheusQueryArgs } from "./query.js";
export type { PrometheusQueryArgs } from "./query.js";
export { resultTable, sampleValue } from "./response.js";
export type { PromEnvelope, PromQueryData, PromSample } from "./response.js";

/** Every `prometheus.*` action, for the catalog to register. */
export const prometheusActions: readonly ActionDefinition<unknown, PrometheusTarget>[] = [prometheusQuery];
