import type pg from "pg";
import type { Logger } from "pino";
import type { FirebreakConfig } from "../config.js";
import type { Clock } from "../core/ports.js";
import type { Role } from "../core/incident/roles.js";
import type { Incident } from "../store/incidents/incidents.js";

/** Who holds which workspace role (config users, plus Slack user groups). */
export interface RoleDirectory {
  rolesOf(userId: string): Promise<ReadonlySet<Role>>;
}

export type IncidentChangeKind =
  "declared" | "acknowledged" | "mitigated" | "resolved" | "reopened" | "severity_changed" | "role_assigned";

/** A committed-with-the-change notification: paging and alerts react in the same transaction. */
export interface IncidentChange {
  kind: IncidentChangeKind;
  incident: Incident;
  before: Incident | null;
  actor: string;
}

/** Something that reacts to incident changes inside the transaction that makes them. */
export interface IncidentObserver {
  onIncidentChange(tx: pg.PoolClient, change: IncidentChange): Promise<void>;
}

/** What the incident use-cases need, injected. */
export interface IncidentDeps {
  pool: pg.Pool;
  clock: Clock;
  config: FirebreakConfig;
  log: Logger;
  roles: RoleDirectory;
  observers: IncidentObserver[];
}

/** How a command reached us, for the record. */
export type Via = "slash" | "button" | "modal" | "alert" | "cli" | "api" | "web";

/** The result of a use-case, for the listener to render. */
export type Outcome =
  | { status: "changed"; message: string; incident: Incident }
  | { status: "unchanged"; message: string; incident: Incident }
  | { status: "refused"; message: string; incident?: Incident };
