import type { Severity } from "../incident/severity.js";
import { matchesAll } from "./label-matcher.js";
import type { LabelMatcher } from "./label-matcher.js";
import type { LabelSet } from "./types.js";

/** What to do with an alert group whose labels match: one entry of `alerts.routes`. */
export interface AlertRoute {
  /** All must hold; none means "every group" (a catch-all, put it last). */
  matchers: readonly LabelMatcher[];
  /** Slack user ids to invite into the incident channel. */
  invite: readonly string[];
  /** Slack user group ids whose members are invited. */
  usergroups: readonly string[];
  /** Name of the escalation policy that pages for this group. */
  escalationPolicy?: string;
  /** Channel id where the new incident is announced. */
  announceChannel?: string;
  /** Overrides the severity the labels map to. */
  severityOverride?: Severity;
  /** Catalog commands to run at once, read-only diagnostics. */
  autoDiagnostics: readonly string[];
}

/** The route chosen for a group. `routeIndex` is null when no route matched. */
export interface AlertRouteDecision {
  routeIndex: number | null;
  invite: readonly string[];
  usergroups: readonly string[];
  escalationPolicy?: string;
  announceChannel?: string;
  severityOverride?: Severity;
  autoDiagnostics: readonly string[];
}

/**
 * Picks the first route, in order, whose matchers all hold for `labels`. Pass a group's
 * `commonLabels`: they are computed over every alert of the group, truncated ones
 * included, so a route never depends on which alert happened to be listed first.
 */
export function routeAlertGroup(labels: LabelSet, routes: readonly AlertRoute[]): AlertRouteDecision {
  const routeIndex = routes.findIndex((route) => matchesAll(labels, route.matchers));
  const route = routes[routeIndex];
  if (!route) return { routeIndex: null, invite: [], usergroups: [], autoDiagnostics: [] };
  const { matchers: _matchers, ...decision } = route;
  return { routeIndex, ...decision };
}
