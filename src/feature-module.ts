import type { App } from "@slack/bolt";
import type { Router } from "express";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type pg from "pg";
import type { EnvOptions, FirebreakConfig } from "./config.js";
import type { Clock } from "./core/ports.js";
import type { IncidentDeps, IncidentObserver } from "./incidents/deps.js";
import type { Metrics } from "./metrics.js";
import type { Incident } from "./store/incidents/incidents.js";
import type { Block } from "./slack/views/blocks.js";
import type { OutboxHandler } from "./slack/outbox-drainer.js";
import type { SlackTransport } from "./slack/slack-transport.js";

export type ProcessRole = "web" | "worker" | "both";

/** What the runtime hands each feature (alerts, paging, runs …). */
export interface ModuleContext {
  env: EnvOptions;
  config: FirebreakConfig;
  log: Logger;
  clock: Clock;
  pool: pg.Pool;
  redis: Redis;
  slack: SlackTransport;
  incidents: IncidentDeps;
  metrics: Metrics;
  role: ProcessRole;
}

/**
 * A feature plugged into the runtime: its outbox continuations, incident observers,
 * Slack listeners, HTTP routes and background work. Everything is optional.
 */
export interface FeatureModule {
  name: string;
  outboxHandlers?: ReadonlyMap<string, OutboxHandler>;
  /** React to incident changes inside the transaction that makes them. */
  observers?: IncidentObserver[];
  /** Adds blocks to an incident's pinned summary (after the fields, before the checklist). */
  summaryBlocks?: SummaryContributor;
  registerSlack?(app: App): void;
  /** Mounted on the HTTP server before Slack's endpoint (each route parses its own body). */
  routes?: Router;
  /** Background work; called in worker processes (`worker`, `start`). */
  startWorker?(): Promise<void>;
  stop?(): Promise<void>;
}

/** Blocks a feature adds to the summary of an incident; read in the transaction rendering it. */
export type SummaryContributor = (tx: pg.PoolClient, incident: Incident) => Promise<Block[]>;

export type FeatureFactory = (ctx: ModuleContext) => FeatureModule | Promise<FeatureModule>;
