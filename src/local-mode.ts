import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { EnvOptions } from "./config.js";
import { createConsoleServer } from "./console/console-server.js";
import type { ConsoleServer } from "./console/console-server.js";
import { FirebreakError } from "./core/errors.js";
import { startSlackEmulator } from "./emulator/slack/emulator.js";
import type { SlackEmulator } from "./emulator/slack/emulator.js";
import { createSlackRequestSender } from "./emulator/slack/request-sender.js";
import { startNtfyFake } from "./emulator/ntfy/index.js";
import type { NtfyFake } from "./emulator/ntfy/index.js";
import { startTwilioFake } from "./emulator/twilio/index.js";
import type { TwilioFake } from "./emulator/twilio/index.js";
import type { Runtime } from "./runtime.js";

/** Local mode: Firebreak against a built-in Slack-compatible emulator on loopback, with a web console. */
export interface LocalMode {
  emulator: SlackEmulator;
  console: ConsoleServer;
  slack: { token: string; signingSecret: string; apiUrl: string };
  /** The console's address (the emulator's port). */
  consoleUrl: string;
  /** Called once Firebreak listens: points the console's signed requests and test alerts at it. */
  attach(firebreakUrl: string, runtime?: Runtime): Promise<void>;
  stop(): Promise<void>;
}

/** How to start local mode. */
export interface LocalModeOptions {
  env: EnvOptions;
  logger: Logger;
  /** Where the one line with the console's URL goes; stdout by default. */
  print?: (line: string) => void;
}

/**
 * Starts the Slack emulator and its console on loopback, next to Firebreak's port (PORT+1,
 * or any free port when that is taken). Without ALERTMANAGER_TOKEN it sets a random one in
 * `env`, before the runtime reads it, so that "Fire a test alert" is authenticated as
 * Alertmanager would be.
 */
export async function startLocalMode(opts: LocalModeOptions): Promise<LocalMode> {
  const botToken = "xoxb-local-emulator";
  const signingSecret = randomBytes(16).toString("hex");
  opts.env.alertmanagerToken ??= randomBytes(16).toString("hex");
  let consoleServer: ConsoleServer | null = null;
  const start = (port: number) =>
    startSlackEmulator({
      host: "127.0.0.1",
      port,
      botToken,
      logger: opts.logger.child({ component: "slack-emulator" }),
      fallback: (req, res) => consoleServer?.handle(req, res) ?? false,
    });
  const preferred = opts.env.port > 0 && opts.env.port < 65535 ? opts.env.port + 1 : 0;
  const emulator = await start(preferred).catch((err: unknown) => {
    if (preferred !== 0 && (err as NodeJS.ErrnoException).code === "EADDRINUSE") return start(0);
    throw new FirebreakError(
      "config_invalid",
      `local mode: cannot start the Slack emulator (${String(err)}).`,
      {
        cause: err,
      },
    );
  });
  const phones = await emulatePageProviders(opts.env);
  const consoleApp = createConsoleServer({ emulator, logger: opts.logger.child({ component: "console" }) });
  consoleServer = consoleApp;
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  return {
    emulator,
    console: consoleApp,
    slack: { token: botToken, signingSecret, apiUrl: emulator.apiUrl },
    consoleUrl: emulator.url,
    async attach(firebreakUrl) {
      // Twilio calls FIREBREAK_PUBLIC_URL; here that is wherever Firebreak ended up listening.
      if (phones.twilio && phones.publicUrl) {
        const from = phones.publicUrl;
        phones.twilio.route = (u) => (u.startsWith(from) ? firebreakUrl + u.slice(from.length) : u);
      }
      consoleApp.connect({
        firebreakUrl,
        sender: createSlackRequestSender({
          targetUrl: `${firebreakUrl}/slack/events`,
          signingSecret,
          emulator,
        }),
        ...(opts.env.alertmanagerToken ? { alertmanagerToken: opts.env.alertmanagerToken } : {}),
      });
      print(
        `Firebreak local mode (no SLACK_BOT_TOKEN): open ${emulator.url} — a Slack emulator console; incident pages at ${firebreakUrl}/incidents`,
      );
    },
    async stop() {
      consoleApp.close();
      await emulator.close();
      await phones.twilio?.close();
      await phones.ntfy?.close();
    },
  };
}

const EMULATED_FROM = "+15005550006";

/**
 * Without Twilio or ntfy configured, local mode runs Twilio- and ntfy-compatible emulators
 * and points SMS, voice and push pages at them (setting `env` before the runtime reads it),
 * so a newcomer sees each page fan out in the console without any provider account.
 */
async function emulatePageProviders(
  env: EnvOptions,
): Promise<{ twilio: TwilioFake | null; ntfy: NtfyFake | null; publicUrl?: string }> {
  let twilio: TwilioFake | null = null;
  let ntfy: NtfyFake | null = null;
  const publicUrl = env.notify.publicUrl ?? `http://127.0.0.1:${env.port > 0 ? env.port : 3000}`;
  if (!env.notify.twilio) {
    twilio = await startTwilioFake({ numbers: { [EMULATED_FROM]: { smsUrl: `${publicUrl}/twilio/sms` } } });
    env.notify.publicUrl = publicUrl;
    env.notify.twilio = {
      accountSid: twilio.accountSid,
      authToken: twilio.authToken,
      from: EMULATED_FROM,
      apiUrl: twilio.url,
    };
  }
  if (!env.notify.ntfy) {
    ntfy = await startNtfyFake();
    env.notify.ntfy = { url: ntfy.url };
  }
  return { twilio, ntfy, ...(env.notify.publicUrl ? { publicUrl: env.notify.publicUrl } : {}) };
}
