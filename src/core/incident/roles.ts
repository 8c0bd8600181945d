import type { Severity } from "./severity.js";

/** Workspace-wide roles assigned in firebreak.yaml. */
export const ROLES = ["responder", "commander", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Incident-scoped roles a commander hands out with `/incident role`. */
export const INCIDENT_ROLES = ["commander", "comms", "scribe"] as const;
export type IncidentRole = (typeof INCIDENT_ROLES)[number];

/** What a user may be allowed to do to an incident. */
export const PERMISSIONS = [
  "declare",
  "ack",
  "note",
  "mitigate",
  "resolve",
  "reopen",
  "severity",
  "assign_role",
  "checklist",
  "page",
  "oncall_override",
  "maintenance",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * Who holds a permission: workspace roles, `anyone`, or `incident_commander` (the
 * commander of the incident at hand).
 */
export type Grantee = Role | "anyone" | "incident_commander";

export type PermissionPolicy = Record<Permission, readonly Grantee[]>;

export const DEFAULT_PERMISSIONS: PermissionPolicy = {
  declare: ["anyone"],
  ack: ["anyone"],
  note: ["anyone"],
  mitigate: ["anyone"],
  checklist: ["anyone"],
  resolve: ["commander", "admin", "incident_commander"],
  reopen: ["commander", "admin", "incident_commander"],
  severity: ["commander", "admin", "incident_commander"],
  assign_role: ["commander", "admin", "incident_commander"],
  // Waking someone up, or changing who is woken up, takes a role.
  page: ["responder", "commander", "admin", "incident_commander"],
  oncall_override: ["responder", "commander", "admin"],
  // Holding alerts back silences everyone's pages for what the window matches.
  maintenance: ["commander", "admin"],
};

export type Decision = { allowed: true } | { allowed: false; reason: string };

/** May a user holding `roles` do `permission` to an incident commanded by `commander`? */
export function decidePermission(opts: {
  permission: Permission;
  policy: PermissionPolicy;
  userId: string;
  roles: ReadonlySet<Role>;
  incidentCommander?: string | null;
}): Decision {
  const grantees = opts.policy[opts.permission];
  for (const g of grantees) {
    if (g === "anyone") return { allowed: true };
    if (g === "incident_commander" && opts.incidentCommander && opts.incidentCommander === opts.userId)
      return { allowed: true };
    if (g !== "incident_commander" && opts.roles.has(g)) return { allowed: true };
  }
  const who = grantees.map((g) => (g === "incident_commander" ? "the incident's commander" : g)).join(", ");
  return {
    allowed: false,
    reason: `You may not ${PERMISSION_VERBS[opts.permission]}: that needs one of: ${who}. Ask an admin to grant you a role in firebreak.yaml.`,
  };
}

const PERMISSION_VERBS: Record<Permission, string> = {
  declare: "declare incidents",
  ack: "acknowledge incidents",
  note: "add notes",
  mitigate: "mark incidents mitigated",
  resolve: "resolve incidents",
  reopen: "reopen incidents",
  severity: "change severity",
  assign_role: "assign incident roles",
  checklist: "tick checklist items",
  page: "page people or escalate",
  oncall_override: "change who is on call",
  maintenance: "open or end maintenance windows",
};

/** Response target and checklist of a severity. */
export interface SeverityPolicy {
  severity: Severity;
  label: string;
  responseTargetMs: number;
  updateIntervalMs: number;
  checklist: readonly string[];
}
