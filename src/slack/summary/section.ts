import type pg from "pg";
import type { Incident } from "../../store/incidents/incidents.js";
import type { Block } from "../views/blocks.js";

/**
 * A part of an incident's pinned summary after its fields (the alert group, where the
 * escalation stands, the run picker): read in the transaction that renders the summary.
 */
export type SummarySection = (tx: pg.PoolClient, incident: Incident) => Promise<Block[]>;
