import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { startNtfyFake } from "../../src/emulator/ntfy/index.js";
import type { NtfyFake } from "../../src/emulator/ntfy/index.js";
import { startTwilioFake } from "../../src/emulator/twilio/index.js";
import type { TwilioFake } from "../../src/emulator/twilio/index.js";
import { dueTimerJobs } from "../../src/jobs/due-timers.js";
import { runTimerJob } from "../../src/jobs/timer-scheduler.js";
import { listIncidents } from "../../src/store/incidents/incidents.js";
import { eventually, startHarness } from "./harness.js";
import type { Harness } from "./harness.js";
import { startSmtpSink } from "./smtp-sink.js";
import type { SmtpSink } from "./smtp-sink.js";

/** Firebreak's public address in these tests: Twilio signs it; a "proxy" (the fakes' route) maps it to the harness. */
export const PUBLIC_URL = "https://firebreak.example.test";
export const TWILIO_FROM = "+14155550100";
export const NTFY_TOKEN = "tk_firebreak_e2e";

/** A whole Firebreak with every page provider pointed at a fake speaking the real protocol. */
export interface PagingHarness extends Harness {
  twilio: TwilioFake;
  ntfy: NtfyFake;
  smtp: SmtpSink;
  clock: { offsetMs: number; now(): Date };
  prefix: string;
  /** Moves the clock on and runs every timer due by then, as the reconciler's sweep does. */
  tick(ms: number): Promise<void>;
  /** Declares an incident with `/incident declare <text>` as `userId`; resolves with its number. */
  declare(text: string, userId?: string): Promise<number>;
  /** A URL Firebreak handed out (ack link, calendar), as reachable here. */
  local(url: string): string;
  /** Deletes this install's keys in Redis (a flush, for this install). */
  flushRedis(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPagingHarness(
  configYaml: string,
  env: Record<string, string> = {},
): Promise<PagingHarness> {
  const twilio = await startTwilioFake({
    numbers: { [TWILIO_FROM]: { smsUrl: `${PUBLIC_URL}/twilio/sms` } },
  });
  const ntfy = await startNtfyFake({ tokens: [NTFY_TOKEN] });
  const smtp = await startSmtpSink();
  const prefix = `fbtest-notify-${randomBytes(4).toString("hex")}`;
  const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };
  const h = await startHarness({
    configYaml,
    clock,
    env: {
      FIREBREAK_REDIS_PREFIX: prefix,
      FIREBREAK_PUBLIC_URL: PUBLIC_URL,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_FROM,
      TWILIO_API_URL: twilio.url,
      NTFY_URL: ntfy.url,
      NTFY_TOKEN,
      SMTP_URL: smtp.url,
      FIREBREAK_EMAIL_FROM: "Firebreak <pages@firebreak.example.test>",
      ...env,
    },
  });
  twilio.route = (u) => u.replace(PUBLIC_URL, h.url);
  const redis = new Redis(process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379");
  const flushRedis = async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  };
  return {
    ...h,
    twilio,
    ntfy,
    smtp,
    clock,
    prefix,
    async tick(ms) {
      clock.offsetMs += ms;
      const now = clock.now();
      for (const job of await dueTimerJobs(h.runtime.paging, now))
        await runTimerJob(h.runtime.paging, job, now);
    },
    async declare(text, userId = "U0CAROL") {
      const before = (await listIncidents(h.db.pool)).length;
      await h.sender.slashCommand({
        command: "/incident",
        text: `declare ${text}`,
        userId,
        channelId: "C0INCIDENTS",
      });
      const all = await eventually(async () => {
        const list = await listIncidents(h.db.pool);
        return list.length > before ? list : null;
      }, "incident declared");
      return all[0]!.id;
    },
    local: (url) => url.replace(PUBLIC_URL, h.url),
    flushRedis,
    async stop() {
      await h.stop();
      await flushRedis();
      redis.disconnect();
      await twilio.close();
      await ntfy.close();
      await smtp.close();
    },
  };
}
