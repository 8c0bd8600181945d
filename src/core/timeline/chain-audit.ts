import { GENESIS_HASH, checkLink } from "./event-hash.js";
import type { ChainBreak, StoredEvent } from "./event-hash.js";

/** What `firebreak audit verify` found: chains and events read, the first break of each chain. */
export interface AuditReport {
  chains: number;
  events: number;
  broken: ChainBreak[];
}

/**
 * Verifies a stream of events in (incident, seq) order, one chain after another, holding
 * only the last link of the current chain: memory does not grow with the history. Reports
 * the first broken link of each chain, as `verifyChain` does for one.
 */
export class ChainAudit {
  readonly report: AuditReport = { chains: 0, events: 0, broken: [] };
  private incidentId: number | undefined;
  private prevHash = GENESIS_HASH;
  private expectedSeq = 1;
  private broken = false;

  add(e: StoredEvent): void {
    this.report.events++;
    if (e.incidentId !== this.incidentId) {
      this.report.chains++;
      this.incidentId = e.incidentId;
      this.prevHash = GENESIS_HASH;
      this.expectedSeq = 1;
      this.broken = false;
    }
    if (this.broken) return; // past its first break a chain proves nothing more
    const problem = checkLink(e, this.prevHash, this.expectedSeq);
    if (problem) {
      this.report.broken.push(problem);
      this.broken = true;
    }
    this.prevHash = e.hash;
    this.expectedSeq++;
  }
}
