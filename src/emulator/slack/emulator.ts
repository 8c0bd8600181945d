import { EventEmitter } from "node:events";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import type { Logger } from "pino";
import { FirebreakError } from "../../core/errors.js";
import { FaultInjector } from "./faults.js";
import { sendText } from "./http-io.js";
import { TierLimiter } from "./rate-tiers.js";
import { DEFAULT_IDENTITY, seedWorkspace } from "./seed.js";
import { SocketModeServer } from "./socket-mode.js";
import type { SocketModeOptions } from "./socket-mode.js";
import { WorkspaceState } from "./state.js";
import type {
  EmulatedChannel,
  EmulatedMessage,
  EmulatedUser,
  EmulatedView,
  EmulatorEvent,
  EmulatorEventMap,
  InjectedFault,
  RecordedCall,
} from "./types.js";
import { routeSlackRequest } from "./web-api-handler.js";
import type { RouteDeps } from "./web-api-handler.js";

/** How to start an emulator; every field has a sensible default for tests. */
export interface SlackEmulatorOptions {
  /** Interface to listen on; 127.0.0.1 unless told otherwise. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The bot token the app must present; `xoxb-emulator` by default. */
  botToken?: string;
  /** The app-level token apps.connections.open accepts (Socket Mode); `xapp-1-…-emulator` by default. */
  appToken?: string;
  /** Socket Mode timings (ack timeout, redelivery schedule…); Slack's by default. */
  socketMode?: SocketModeOptions;
  /** The humans of the workspace (the bot is always added); alice, bob, carol and dave by default. */
  users?: EmulatedUser[];
  logger?: Logger;
  /** The emulator's clock: message ts, trigger expiry, rate-limit windows. */
  now?: () => Date;
  /**
   * Enforce Slack's published rate limits (per-method tiers in any sliding minute, about
   * one message a second per channel) with 429 and Retry-After. Off by default.
   */
  enforceRateLimits?: boolean;
  /** Serves requests on paths that are not Slack's (the local-mode console); return true if handled. */
  fallback?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
}

/** A human acting in the emulated workspace (the console, or a test). */
export interface HumanMessage {
  channelId: string;
  userId: string;
  text: string;
  threadTs?: string;
}

/**
 * A Slack workspace on a local port, speaking the Web API protocol, with its state
 * readable as plain data and every call recorded.
 */
export class SlackEmulator extends EventEmitter<EmulatorEventMap> {
  /** The base URL, ending in "/". */
  readonly url: string;
  /** What to give WebClient as `slackApiUrl` (ends in "/api/"). */
  readonly apiUrl: string;
  readonly botToken: string;
  /** The app-level (`xapp-`) token that opens Socket Mode connections. */
  readonly appToken: string;
  readonly state: WorkspaceState;
  /** Slack's Socket Mode side: connections, envelopes, acks, disconnects. */
  readonly socketMode: SocketModeServer;
  /** Every request answered, oldest first. */
  readonly calls: RecordedCall[] = [];
  private readonly faults: FaultInjector;
  private readonly tiers: TierLimiter;
  private readonly policy: RouteDeps["policy"];
  private readonly routes: RouteDeps;

  constructor(
    private readonly server: Server,
    options: {
      url: string;
      botToken: string;
      appToken: string;
      now: () => Date;
      logger: Logger;
      users?: EmulatedUser[];
      socketMode?: SocketModeOptions;
      enforceRateLimits?: boolean;
    },
  ) {
    super();
    this.url = options.url;
    this.apiUrl = `${options.url}api/`;
    this.botToken = options.botToken;
    this.appToken = options.appToken;
    this.state = new WorkspaceState(DEFAULT_IDENTITY, options.now, this);
    this.faults = new FaultInjector(options.now);
    this.tiers = new TierLimiter(options.now);
    this.policy = { enforceTiers: options.enforceRateLimits ?? false, outageStatus: null };
    seedWorkspace(this.state, options.users);
    this.socketMode = new SocketModeServer({
      ...options.socketMode,
      wsBaseUrl: options.url.replace(/^http/, "ws"),
      appId: this.state.identity.appId,
      now: options.now,
      logger: options.logger,
    });
    this.routes = {
      state: this.state,
      faults: this.faults,
      tiers: this.tiers,
      policy: this.policy,
      botToken: this.botToken,
      appToken: this.appToken,
      openSocketModeUrl: () => this.socketMode.issueUrl(),
      baseUrl: this.url,
      logger: options.logger,
      record: (call) => {
        this.calls.push(call);
        this.emit("call", call);
      },
    };
  }

  /**
   * Answers a request on one of Slack's paths (`/api/…`, upload and response URLs,
   * `/files/…`); false when the path is none of them, for a server that also serves
   * other things.
   */
  handleRequest(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    return routeSlackRequest(this.routes, req, res);
  }

  channels(): EmulatedChannel[] {
    return [...this.state.channels.values()];
  }

  channelByName(name: string): EmulatedChannel | undefined {
    return this.state.channelByName(name);
  }

  /** The bot's DM channel with a user, if one was opened. */
  dm(userId: string): EmulatedChannel | undefined {
    return this.state.dm(userId);
  }

  users(): EmulatedUser[] {
    return [...this.state.users.values()];
  }

  /**
   * A channel's messages oldest first, thread replies included; ephemerals only those
   * visible to `visibleTo`.
   */
  messages(channelId: string, options: { visibleTo?: string } = {}): EmulatedMessage[] {
    return this.state
      .allMessages(channelId)
      .filter((m) => m.ephemeral_for === undefined || m.ephemeral_for === options.visibleTo);
  }

  /** Every ephemeral message shown to a user, oldest first. */
  ephemerals(userId: string): EmulatedMessage[] {
    return this.channels().flatMap((c) =>
      this.state.allMessages(c.id).filter((m) => m.ephemeral_for === userId),
    );
  }

  /** The modals a user has open, bottom of the stack first. */
  views(userId: string): EmulatedView[] {
    return this.state.viewStack(userId);
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  /** Makes the next `times` calls to a method fail with an error or a 429. */
  failNext(method: string, fault: InjectedFault, times = 1): void {
    this.faults.failNext(method, fault, times);
  }

  /** Limits a method to `perMinute` calls in any sliding minute, answering 429 beyond. */
  rateLimit(method: string, limit: { perMinute: number } | null): void {
    if (limit === null) this.faults.clearRateLimit(method);
    else this.faults.rateLimit(method, limit.perMinute);
  }

  /**
   * Turns Slack's published rate limits on or off (see `enforceRateLimits` in the
   * options); turning them on starts with empty windows.
   */
  enforceRateLimits(on: boolean): void {
    if (on && !this.policy.enforceTiers) this.tiers.reset();
    this.policy.enforceTiers = on;
  }

  /**
   * Slack is down: until `endOutage()`, every request to a Slack path (Web API, response
   * and upload URLs) is answered with `status` (503 by default) and recorded.
   */
  startOutage(status = 503): void {
    this.policy.outageStatus = status;
  }

  endOutage(): void {
    this.policy.outageStatus = null;
  }

  /**
   * A response_url for an interaction by `userId` in `channelId`; `messageTs` is the
   * message `replace_original` / `delete_original` act on.
   */
  responseUrl(
    channelId: string,
    userId: string,
    source: { messageTs?: string; ephemeral?: boolean } = {},
  ): string {
    if (!this.state.channels.has(channelId)) {
      throw new FirebreakError("not_found", `The emulator has no channel ${channelId}.`);
    }
    const id = this.state.issueResponseTarget({
      channelId,
      userId,
      ...(source.messageTs === undefined ? {} : { messageTs: source.messageTs }),
      ...(source.ephemeral === undefined ? {} : { messageIsEphemeral: source.ephemeral }),
    });
    return `${this.url}response/${id}`;
  }

  /** A trigger id views.open accepts for three seconds (by the emulator's clock), once. */
  issueTriggerId(userId: string): string {
    return this.state.issueTrigger(userId);
  }

  /** Posts a message as a human (what the console's composer does). */
  postAsUser(input: HumanMessage): EmulatedMessage {
    const channel = this.state.channels.get(input.channelId);
    if (!channel) throw new FirebreakError("not_found", `The emulator has no channel ${input.channelId}.`);
    if (!this.state.users.has(input.userId)) {
      throw new FirebreakError("not_found", `The emulator has no user ${input.userId}.`);
    }
    return this.state.postMessage({
      channel: channel.id,
      user: input.userId,
      text: input.text,
      ...(input.threadTs === undefined ? {} : { thread_ts: input.threadTs }),
    });
  }

  /**
   * Resolves with the first recorded call, message or view (past or future) that
   * satisfies `predicate`; rejects with a `timeout` FirebreakError after `timeoutMs`.
   */
  waitFor(
    predicate: (event: EmulatorEvent) => boolean,
    options: { timeoutMs?: number } = {},
  ): Promise<EmulatorEvent> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const past = this.pastEvents().find(predicate);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const listeners = {
        call: (call: RecordedCall) => check({ type: "call", call }),
        message: (message: EmulatedMessage) => check({ type: "message", message }),
        view: (view: EmulatedView) => check({ type: "view", view }),
      };
      const stop = () => {
        clearTimeout(timer);
        this.off("call", listeners.call);
        this.off("message", listeners.message);
        this.off("view", listeners.view);
      };
      const check = (event: EmulatorEvent) => {
        let matched: boolean;
        try {
          matched = predicate(event);
        } catch (err) {
          stop();
          reject(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        if (matched) {
          stop();
          resolve(event);
        }
      };
      const timer = setTimeout(() => {
        stop();
        const recent = this.calls.slice(-5).map((c) => c.method);
        reject(
          new FirebreakError(
            "timeout",
            `Slack emulator: nothing matched within ${timeoutMs} ms (${this.calls.length} calls recorded; last: ${recent.join(", ") || "none"}).`,
          ),
        );
      }, timeoutMs);
      this.on("call", listeners.call);
      this.on("message", listeners.message);
      this.on("view", listeners.view);
    });
  }

  /** The first message (past or future) satisfying `predicate`. */
  async waitForMessage(
    predicate: (message: EmulatedMessage) => boolean,
    options: { timeoutMs?: number } = {},
  ): Promise<EmulatedMessage> {
    const event = await this.waitFor((e) => e.type === "message" && predicate(e.message), options);
    if (event.type !== "message")
      throw new FirebreakError("internal", "waitForMessage matched a non-message");
    return event.message;
  }

  /** The first call to `method` (past or future) satisfying `predicate`. */
  async waitForCall(
    method: string,
    predicate: (call: RecordedCall) => boolean = () => true,
    options: { timeoutMs?: number } = {},
  ): Promise<RecordedCall> {
    const event = await this.waitFor(
      (e) => e.type === "call" && e.call.method === method && predicate(e.call),
      options,
    );
    if (event.type !== "call") throw new FirebreakError("internal", "waitForCall matched a non-call");
    return event.call;
  }

  /** Stops listening and drops open connections (Socket Mode ones too). */
  async close(): Promise<void> {
    this.removeAllListeners();
    await this.socketMode.close();
    await new Promise<void>((resolve, reject) => {
      this.server.close((err) => (err ? reject(err) : resolve()));
      this.server.closeAllConnections();
    });
  }

  private pastEvents(): EmulatorEvent[] {
    const calls = this.calls.map((call): EmulatorEvent => ({ type: "call", call }));
    const messages = this.channels().flatMap((c) =>
      this.state.allMessages(c.id).map((message): EmulatorEvent => ({ type: "message", message })),
    );
    const views = [...this.state.views.values()].map((view): EmulatorEvent => ({ type: "view", view }));
    return [...calls, ...messages, ...views];
  }
}

/** Starts an emulator on a free port of 127.0.0.1 (by default), seeded with the default workspace. */
export async function startSlackEmulator(options: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const logger = (options.logger ?? pino({ level: "silent" })).child({ component: "slack-emulator" });
  const host = options.host ?? "127.0.0.1";
  let dispatch: (req: IncomingMessage, res: ServerResponse) => Promise<void> = () => Promise.resolve();
  const server = createServer((req, res) => {
    dispatch(req, res).catch((err: unknown) => {
      logger.error({ err }, "slack emulator request failed");
      if (!res.headersSent) sendText(res, 500, "internal_error");
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const emulator = new SlackEmulator(server, {
    url: `http://${urlHost}:${port}/`,
    botToken: options.botToken ?? "xoxb-emulator",
    appToken: options.appToken ?? `xapp-1-${DEFAULT_IDENTITY.appId}-1-emulator`,
    now: options.now ?? (() => new Date()),
    logger,
    ...(options.users === undefined ? {} : { users: options.users }),
    ...(options.socketMode === undefined ? {} : { socketMode: options.socketMode }),
    ...(options.enforceRateLimits === undefined ? {} : { enforceRateLimits: options.enforceRateLimits }),
  });
  server.on("upgrade", (req, socket, head) => {
    if (!emulator.socketMode.handleUpgrade(req, socket, head)) socket.destroy();
  });
  dispatch = async (req, res) => {
    if (await emulator.handleRequest(req, res)) return;
    if (options.fallback && (await options.fallback(req, res))) return;
    sendText(res, 404, "not_found");
  };
  return emulator;
}
