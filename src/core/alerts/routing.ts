import type { Severity } from "../incident/severity.js";
import { matchesAll } from "./label-matcher.js";
import type { LabelMatcher } from "./label-matcher.js";
import type { LabelSet } from "./types.js";

/** A catalog command an alert route names, with the parameters it runs with (typed values as written). */
export interface RouteCommand {
  command: string;
  /** `name → value` as in `/run`; the command's defaults fill the rest. */
  params: Readonly<Record<string, string>>;
}

/**
 * The remediation a route runs first, before paging anyone: a catalog remediation marked
 * `auto_approve_for_alerts`, run under its guardrails.
 */
export interface RouteSelfHeal extends RouteCommand {
  /**
   * Paging is held until this long after the fix succeeded; it starts at once when the fix
   * fails or is refused. Undefined: paging starts at once and the fix runs alongside.
   */
  pageAfterMs?: number;
}

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
  /** Catalog diagnostics to run once the incident's channel exists. */
  autoDiagnostics: readonly RouteCommand[];
  /** The remediation to try before paging anyone. */
  selfHeal?: RouteSelfHeal;
}

/** A route's matchers as written in firebreak.yaml (`label → spec`), to name the route in records and errors. */
export function describeRouteMatch(route: Pick<AlertRoute, "matchers">): Record<string, string> {
  return Object.fromEntries(
    route.matchers.map((m) => [m.name, m.operator === "=" ? m.value : `${m.operator}${m.value}`]),
  );
}

/** The route chosen for a group. `routeIndex` is null when no route matched. */
export interface AlertRouteDecision {
  routeIndex: number | null;
  invite: readonly string[];
  usergroups: readonly string[];
  escalationPolicy?: string;
  announceChannel?: string;
  severityOverride?: Severity;
  autoDiagnostics: readonly RouteCommand[];
  selfHeal?: RouteSelfHeal;
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
