import type pg from "pg";
import type { Logger } from "pino";
import type { FirebreakConfig } from "../config.js";
import type { Clock, UserGroupDirectory } from "../core/ports.js";
import type { Incident } from "../store/incidents/incidents.js";
import type {
  FollowUpNotifier,
  IncidentChangeListener,
  IncidentNotifier,
  IncidentPaging,
  RoleDirectory,
} from "./ports.js";

/** What the incident use-cases need, injected by the composition root (src/runtime.ts). */
export interface IncidentDeps {
  pool: pg.Pool;
  clock: Clock;
  config: FirebreakConfig;
  log: Logger;
  roles: RoleDirectory;
  notifier: IncidentNotifier;
  /** Told of every change inside its transaction: paging. */
  changeListeners: readonly IncidentChangeListener[];
  /** `/incident escalate` and `/incident page`; absent where paging is not wired (some tests). */
  paging?: IncidentPaging;
  /** Who is in a service's owning team, invited when someone declares for the service. */
  usergroups?: UserGroupDirectory;
  /** Follow-ups' messages in the incident channel; absent, follow-ups are stored and recorded only. */
  followUps?: FollowUpNotifier;
}

/** How a command reached us, for the record (sms, voice, link, email: answering a page where it landed). */
export type Via =
  "slash" | "button" | "modal" | "alert" | "cli" | "api" | "web" | "sms" | "voice" | "link" | "email";

/** The result of a use-case, for the listener to render. */
export type Outcome =
  | { status: "changed"; message: string; incident: Incident }
  | { status: "unchanged"; message: string; incident: Incident }
  | { status: "refused"; message: string; incident?: Incident };
