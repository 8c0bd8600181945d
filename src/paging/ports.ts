import type { Incident } from "../store/incidents/incidents.js";
import type { Queryable } from "../store/pool.js";

/** Why someone is paged, for the page itself and the channel. */
export type PageCause =
  | {
      kind: "escalation";
      policy: string;
      step: number;
      steps: number;
      repeat: number;
      ackTimeoutMs: number;
      /** Why paging started after a hold (a self-heal failed, was refused, or did not clear the alert). */
      note?: string;
    }
  | { kind: "adhoc"; by: string };

/**
 * How paging reaches people in Slack. Implemented over the Slack outbox
 * (slack/notifiers/page-notifier.ts): each call is queued in the caller's transaction, so a
 * page goes out exactly when its claim commits.
 */
export interface PageNotifier {
  /**
   * The page's DM with an Acknowledge button. An escalation DM still queued when the
   * incident is acknowledged (the outbox was behind) is withdrawn and recorded.
   */
  sendDm(
    tx: Queryable,
    incident: Incident,
    page: { id: number; userId: string },
    cause: PageCause,
  ): Promise<void>;
  /** Tells the incident channel who was paged, and why. */
  announcePaged(
    tx: Queryable,
    incident: Incident,
    userIds: readonly string[],
    cause: PageCause,
  ): Promise<void>;
  /** DMs `userId` a line of their own (a handoff notice, a test page). */
  dmPerson(tx: Queryable, userId: string, text: string): Promise<void>;
  /** DMs `userId` that the postmortem of a resolved incident is due. */
  remindPostmortem(tx: Queryable, incident: Incident, userId: string): Promise<void>;
}
