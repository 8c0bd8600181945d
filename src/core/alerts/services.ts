import type { LabelMatcher } from "./label-matcher.js";
import { matchesAll } from "./label-matcher.js";
import type { AlertRouteDecision } from "./routing.js";
import type { LabelSet } from "./types.js";

/** A service of firebreak.yaml: what it is called, who owns it, who is paged and where it is announced. */
export interface Service {
  /** Typed in `/incident declare P1 checkout: …` and `/incident list checkout`. */
  name: string;
  /** The owning team: a Slack user group whose members are invited. */
  team?: string;
  /** Further Slack users to invite. */
  invite: readonly string[];
  escalationPolicy?: string;
  announceChannel?: string;
  /** Which alerts are the service's; none: only declarations name it. */
  matchers: readonly LabelMatcher[];
}

/** The first service (in config order) whose matchers all hold for `labels`; a service without matchers never matches. */
export function serviceForLabels(labels: LabelSet, services: readonly Service[]): Service | undefined {
  return services.find((s) => s.matchers.length > 0 && matchesAll(labels, s.matchers));
}

/** The service named (case-insensitively), if any. */
export function serviceNamed(name: string, services: readonly Service[]): Service | undefined {
  const wanted = name.trim().toLowerCase();
  return services.find((s) => s.name === wanted);
}

/** A route decision that names the service it came from. */
export interface ServiceRouteDecision extends AlertRouteDecision {
  service?: string;
}

/**
 * Puts a service ahead of the generic route: the service decides who is invited (its team
 * and users), which policy pages and where the incident is announced; what the service
 * leaves unset, and the route's severity and diagnostics, still come from the route.
 */
export function applyService(route: AlertRouteDecision, service: Service | undefined): ServiceRouteDecision {
  if (!service) return route;
  return {
    ...route,
    service: service.name,
    invite: service.invite,
    usergroups: service.team ? [service.team] : [],
    ...(service.escalationPolicy ? { escalationPolicy: service.escalationPolicy } : {}),
    ...(service.announceChannel ? { announceChannel: service.announceChannel } : {}),
  };
}

/**
 * `/incident declare P1 checkout: Payments fail` names the service `checkout` when one of
 * that name exists: returns it and the title without the prefix. Anything else (`DB: slow`
 * with no service `db`) is left as the title.
 */
export function splitServicePrefix(
  title: string,
  services: readonly Service[],
): { service?: Service; title: string } {
  const m = /^([a-z0-9][a-z0-9_-]{0,63}):\s*(\S[\s\S]*)$/i.exec(title.trim());
  const service = m ? serviceNamed(m[1]!, services) : undefined;
  return service ? { service, title: m![2]!.trim() } : { title };
}
