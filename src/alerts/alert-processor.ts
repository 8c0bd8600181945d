import type { Logger } from "pino";
import { listGroupsWithPendingAction } from "../store/alerts/alert-groups.js";
import { listDueNotifications, recordNotificationFailure } from "../store/alerts/notifications.js";
import { getIncident } from "../store/incidents/incidents.js";
import { runPendingAction } from "./pending-actions.js";
import type { RouteCommand } from "../core/alerts/routing.js";
import { processNotification } from "./process-notification.js";
import type { AlertIngestDeps, ProcessOutcome } from "./process-notification.js";

const AUTO_DIAGNOSTICS_WAIT_MS = 30_000;

/** How long after receipt the sweeper takes over a notification nobody processed. */
export const SWEEP_GRACE_MS = 5_000;

/** How an AlertProcessor runs. */
export interface AlertProcessorOptions {
  /** Notifications processed at once in this process. */
  concurrency?: number;
  log: Logger;
  onProcessed?: (outcome: ProcessOutcome | "failed") => void;
}

/**
 * Processes stored notifications: those this process just received, at once (`kick`), and
 * — in worker processes — anything left unprocessed (a crash, a failure) by a periodic
 * sweep. Every path goes through processNotification's row locks, so two processes or
 * two replicas working on the same notification do it once.
 */
export class AlertProcessor {
  private readonly queue: number[] = [];
  private readonly queued = new Set<number>();
  private active = 0;
  private idleWaiters: (() => void)[] = [];
  private sweeping: Promise<void> | null = null;
  private stopped = false;
  private pendingActions: Promise<void> = Promise.resolve();
  private readonly enrichments = new Set<Promise<void>>();

  constructor(
    private readonly deps: AlertIngestDeps,
    private readonly o: AlertProcessorOptions,
  ) {}

  /** Processes a just-stored notification soon; a full queue leaves it to the sweeper. */
  kick(id: number): void {
    if (this.stopped || this.queued.has(id) || this.queue.length >= 10_000) return;
    this.queued.add(id);
    this.queue.push(id);
    this.pump();
  }

  /**
   * One sweep (the `alert-sweeper` job, in worker processes): due notifications, then
   * pending lifecycle changes. Returns when done; a failure is thrown for the job to count.
   */
  async sweep(): Promise<void> {
    if (this.sweeping) return this.sweeping;
    this.sweeping = (async () => {
      for (const id of await listDueNotifications(this.deps.incidents.pool, 200)) this.kick(id);
      await this.idle();
      for (const g of await listGroupsWithPendingAction(this.deps.incidents.pool, 100))
        await this.runAction(g.id);
      await this.deps.automation?.sweep();
    })().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  /** Resolves when nothing is queued or running (tests, shutdown). */
  async idle(): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return this.pendingActions;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await this.pendingActions;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    this.queued.clear();
    await this.sweeping?.catch(() => undefined);
    await this.idle();
    await Promise.all(this.enrichments);
  }

  private pump(): void {
    while (this.active < (this.o.concurrency ?? 4) && this.queue.length > 0) {
      const id = this.queue.shift()!;
      this.active += 1;
      void this.processOne(id).finally(() => {
        this.active -= 1;
        this.queued.delete(id);
        this.pump();
        if (this.active === 0 && this.queue.length === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const w of waiters) w();
        }
      });
    }
  }

  private async processOne(id: number): Promise<void> {
    const log = this.o.log.child({ alertNotification: id });
    try {
      const outcome = await processNotification(this.deps, id);
      this.o.onProcessed?.(outcome);
      if (
        outcome.status === "processed" &&
        outcome.incidentId !== null &&
        (outcome.autoDiagnostics?.length || outcome.selfHeal)
      ) {
        const p = this.enrich(outcome.incidentId, outcome.autoDiagnostics ?? [], outcome.selfHeal ?? false);
        this.enrichments.add(p);
        void p.finally(() => this.enrichments.delete(p));
      }
      if (outcome.status === "processed" && outcome.pendingAction) {
        const groupId = outcome.groupId;
        // Lifecycle changes run one at a time: each holds two connections for a moment.
        this.pendingActions = this.pendingActions.then(() => this.runAction(groupId));
      }
    } catch (err) {
      this.o.onProcessed?.("failed");
      log.warn({ err }, "could not process an Alertmanager notification; the sweeper retries it");
      await recordNotificationFailure(
        this.deps.incidents.pool,
        id,
        err instanceof Error ? err.message : String(err),
        10_000,
      ).catch(() => undefined);
    }
  }

  /**
   * Alert enrichment and self-heal: once the incident's channel exists (results are posted
   * there), runs the route's diagnostics and waits for them, then starts its self-heal.
   * Waits a bounded time for the channel. The diagnostics are best effort (a crash before
   * they run means a responder runs them by hand); a self-heal a crash left pending is
   * started by the sweeper, and one whose channel never came is not run and pages at once.
   */
  private async enrich(
    incidentId: number,
    diagnostics: readonly RouteCommand[],
    selfHeal: boolean,
  ): Promise<void> {
    const automation = this.deps.automation;
    if (!automation) return;
    try {
      const deadline = Date.now() + AUTO_DIAGNOSTICS_WAIT_MS;
      while (!(await getIncident(this.deps.incidents.pool, incidentId))?.channelId) {
        if (this.stopped) return;
        if (Date.now() > deadline) {
          this.o.log.warn(
            { incidentId },
            "no incident channel in time; auto-diagnostics and self-heal not run",
          );
          if (selfHeal) await automation.runSelfHeal(incidentId, { channelMissing: true });
          return;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      if (diagnostics.length) await automation.runDiagnostics(incidentId, diagnostics);
    } catch (err) {
      this.o.log.warn({ err, incidentId }, "auto-diagnostics failed");
    }
    if (!selfHeal || this.stopped) return;
    try {
      await automation.runSelfHeal(incidentId);
    } catch (err) {
      this.o.log.warn({ err, incidentId }, "could not start the self-heal; the sweeper retries it");
    }
  }

  private async runAction(groupId: number): Promise<void> {
    try {
      await runPendingAction(this.deps.incidents, groupId);
    } catch (err) {
      this.o.log.warn(
        { err, alertGroup: groupId },
        "could not apply an alert group's lifecycle change; will retry",
      );
    }
  }
}
