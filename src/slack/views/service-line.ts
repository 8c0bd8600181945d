import type { Service } from "../../core/alerts/services.js";
import { escapeMrkdwn } from "../../core/mrkdwn.js";

/** `checkout · owned by @checkout-team`: the service and its owning user group, for summaries and pages. */
export function serviceText(name: string | null, services: readonly Service[]): string | null {
  if (!name) return null;
  const team = services.find((s) => s.name === name)?.team;
  return `${escapeMrkdwn(name)}${team && /^S[A-Z0-9]+$/.test(team) ? ` · owned by <!subteam^${team}>` : ""}`;
}
