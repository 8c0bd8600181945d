import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { EnvOptions } from "./config.js";
import { startSlackEmulator } from "./emulator/slack/emulator.js";
import type { SlackEmulator } from "./emulator/slack/emulator.js";
import type { Runtime } from "./runtime.js";

/** Local mode: Firebreak against a built-in Slack-compatible emulator on loopback. */
export interface LocalMode {
  emulator: SlackEmulator;
  slack: { token: string; signingSecret: string; apiUrl: string };
  /** Called once Firebreak listens: points the emulator's inbound requests at it. */
  attach(firebreakUrl: string, runtime: Runtime): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalMode(opts: { env: EnvOptions; logger: Logger }): Promise<LocalMode> {
  const botToken = "xoxb-local-emulator";
  const signingSecret = randomBytes(16).toString("hex");
  const emulator = await startSlackEmulator({
    host: "127.0.0.1",
    port: 0,
    botToken,
    logger: opts.logger.child({ component: "slack-emulator" }),
  });
  return {
    emulator,
    slack: { token: botToken, signingSecret, apiUrl: emulator.apiUrl },
    async attach(firebreakUrl) {
      opts.logger.info(
        { slackEmulator: emulator.url, firebreak: firebreakUrl },
        "local mode: no SLACK_BOT_TOKEN, using the built-in Slack emulator",
      );
    },
    async stop() {
      await emulator.close();
    },
  };
}
