import { createHmac, randomBytes, randomInt } from "node:crypto";
import { inputInvalid } from "../core/errors.js";
import type { ContactMethod } from "../core/notify/contact-methods.js";
import { SLACK_METHOD_ID, effectivePerson, maskTarget } from "../core/notify/contact-methods.js";
import { planDeliveries } from "../core/notify/plan-deliveries.js";
import { isRateLimited, nextAllowedSend } from "../core/notify/rate-limit.js";
import { testMessage, verificationMessage } from "../core/notify/verification-messages.js";
import { formatDuration } from "../core/duration.js";
import type { MeCommand, SelfServiceType } from "../core/oncall/parse-me-command.js";
import type { OutboundMessage } from "../core/ports.js";
import {
  countVerifyAttempt,
  insertContactMethod,
  loadPreferences,
  lockPendingVerifications,
  markVerified,
  removeContactMethod,
  setHandoffChoice,
  setRule,
  setVerification,
} from "../store/contact-methods/preferences.js";
import { lastSentAt, recordSent } from "../store/deliveries/contact-sends.js";
import { getSigningKey } from "../store/links/signing-keys.js";
import type { Queryable } from "../store/pool.js";
import { withTransaction } from "../store/pool.js";
import { WORKSPACE_CHAIN, appendTimelineEvent } from "../store/timeline/timeline-events.js";
import { calendarUrl } from "./calendar-feed.js";
import type { PagingContext } from "./context.js";

/** What `/oncall me` needs: paging's context (providers to send codes and tests, the DM notifier). */
export type MeDeps = Pick<
  PagingContext,
  "pool" | "clock" | "config" | "settings" | "providers" | "pages" | "log"
>;

const CODE_TTL_MS = 15 * 60_000;
const MAX_CODE_TRIES = 5;
const LABEL: Record<ContactMethod["type"], string> = {
  slack: "Slack DM",
  email: "email",
  sms: "SMS",
  voice: "voice call",
  ntfy: "push (ntfy)",
  webhook: "webhook",
};
const SETUP: Record<SelfServiceType, string> = {
  sms: "SMS is not set up on this Firebreak (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM).",
  voice: "Voice calls are not set up on this Firebreak (TWILIO_* and FIREBREAK_PUBLIC_URL).",
  email: "Email is not set up on this Firebreak (SMTP_URL and FIREBREAK_EMAIL_FROM).",
  ntfy: "Push is not set up on this Firebreak (NTFY_URL).",
};

const codeHash = (key: Buffer, contactMethodId: number, code: string) =>
  createHmac("sha256", key).update(`verify:${contactMethodId}:${code}`).digest("hex");

async function personOf(deps: MeDeps, db: Queryable, userId: string) {
  const stored = (await loadPreferences(db, [userId])).get(userId);
  return { stored, person: effectivePerson(userId, deps.config.people[userId], stored) };
}

async function record(
  tx: Queryable,
  deps: MeDeps,
  userId: string,
  kind: string,
  data: Record<string, unknown>,
) {
  await appendTimelineEvent(tx, {
    incidentId: WORKSPACE_CHAIN,
    actor: userId,
    kind,
    at: deps.clock.now(),
    data: { user: userId, ...data },
  });
}

/** Sends one message now through its provider; the error's message when it fails (contacts redacted). */
async function sendNow(
  deps: MeDeps,
  m: OutboundMessage,
): Promise<{ ok: true; ref: string | null } | { ok: false; error: string }> {
  try {
    const provider = await deps.providers.get(m.type);
    return { ok: true, ...(await provider.send(m)) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** Refuses a second SMS, call or email to one number or address within the minute. */
async function checkRateLimit(deps: MeDeps, type: ContactMethod["type"], target: string): Promise<void> {
  if (!isRateLimited(type)) return;
  const now = deps.clock.now();
  const allowed = nextAllowedSend(type, await lastSentAt(deps.pool, type, target), now);
  if (allowed > now)
    throw inputInvalid(
      `Something went to that ${type === "email" ? "address" : "number"} less than a minute ago (one a minute at most): try again in ${Math.ceil((allowed.getTime() - now.getTime()) / 1000)}s.`,
    );
}

async function show(deps: MeDeps, userId: string): Promise<string> {
  const { person, stored } = await personOf(deps, deps.pool, userId);
  const now = deps.clock.now();
  const plan = planDeliveries(person, now, {
    available: deps.providers.available,
    pageWebhook: Boolean(deps.settings.webhook),
  });
  const lines = ["*Your contact methods*"];
  for (const m of person.methods) {
    const where = m.type === "slack" ? "" : ` ${maskTarget(m.type, m.target)}`;
    const origin = m.source === "config" && m.type !== "slack" ? " (firebreak.yaml)" : "";
    const state = m.verified ? "" : " — waiting for its code: `/oncall me verify <code>`";
    lines.push(`• \`${m.id}\` — ${LABEL[m.type]}${where}${origin}${state}`);
  }
  lines.push("*When you are paged*");
  if (person.rules.length === 0) lines.push("• at once: `slack` (the default, until you set rules)");
  const byDelay = new Map<number, string[]>();
  for (const d of plan.deliveries) {
    const after = d.dueAt.getTime() - now.getTime();
    byDelay.set(after, [...(byDelay.get(after) ?? []), `\`${d.methodId}\``]);
  }
  if (person.rules.length > 0)
    for (const [after, ids] of [...byDelay].sort((a, b) => a[0] - b[0]))
      lines.push(`• ${after === 0 ? "at once" : `after ${formatDuration(after)}`}: ${ids.join(", ")}`);
  for (const s of plan.skipped) lines.push(`• not used: \`${s.methodId}\` (${s.reason})`);
  lines.push(
    `*Before each shift*: a DM${stored?.handoffFirstMethod ? ", and your first contact method" : ""} (\`/oncall me handoff on|off\`)`,
  );
  const mine = await calendarUrl(deps, { kind: "person", userId });
  if (mine) {
    lines.push(`*Your shifts as a calendar*: ${mine}`);
    for (const name of Object.keys(deps.config.paging.schedules))
      lines.push(`• schedule \`${name}\`: ${await calendarUrl(deps, { kind: "schedule", schedule: name })}`);
  }
  lines.push("Change them: `/oncall me add|verify|rule|test|remove|handoff` (`/oncall help`).");
  return lines.join("\n");
}

async function add(deps: MeDeps, userId: string, type: SelfServiceType, target: string): Promise<string> {
  if (!deps.providers.available.has(type)) throw inputInvalid(SETUP[type]);
  const { person } = await personOf(deps, deps.pool, userId);
  const same = person.methods.find((m) => m.type === type && m.target === target);
  if (same) throw inputInvalid(`You already have that ${LABEL[type]} as \`${same.id}\`.`);
  await checkRateLimit(deps, type, target);
  const taken = new Set(person.methods.map((m) => m.id));
  let methodId: string = type;
  for (let n = 2; taken.has(methodId); n += 1) methodId = `${type}-${n}`;
  const code = String(randomInt(100_000, 1_000_000));
  const now = deps.clock.now();
  const contactMethodId = await withTransaction(deps.pool, async (tx) => {
    const id = await insertContactMethod(tx, { userId, methodId, type, target, now });
    const key = await getSigningKey(tx);
    await setVerification(tx, {
      contactMethodId: id,
      codeHash: codeHash(key, id, code),
      now,
      expiresAt: new Date(now.getTime() + CODE_TTL_MS),
    });
    await record(tx, deps, userId, "oncall.contact_method_added", { method: methodId, type });
    return id;
  });
  const sent = await sendNow(
    deps,
    verificationMessage(
      { type, target },
      code,
      `<verify-${contactMethodId}-${randomBytes(6).toString("hex")}@firebreak>`,
    ),
  );
  if (!sent.ok) {
    await withTransaction(deps.pool, async (tx) => {
      await removeContactMethod(tx, userId, methodId, deps.clock.now());
      await record(tx, deps, userId, "oncall.contact_method_removed", {
        method: methodId,
        type,
        reason: "code not sent",
      });
    });
    throw inputInvalid(
      `Could not send the code (${sent.error}): \`${methodId}\` was not added. Check it and try again.`,
    );
  }
  await withTransaction(deps.pool, (tx) => recordSent(tx, type, target, now));
  const how = type === "voice" ? "Answer the call for" : type === "email" ? "Check your mail for" : "We sent";
  return `${how} a six-digit code to ${maskTarget(type, target)} (method \`${methodId}\`). Type \`/oncall me verify <code>\` within 15 minutes; until then it is not used for pages.`;
}

async function verify(deps: MeDeps, userId: string, code: string, methodId?: string): Promise<string> {
  const now = deps.clock.now();
  return withTransaction(deps.pool, async (tx) => {
    const pending = (await lockPendingVerifications(tx, userId)).filter(
      (p) => !methodId || p.methodId === methodId,
    );
    if (pending.length === 0)
      throw inputInvalid(
        "Nothing of yours is waiting for a code: add a method first, like `/oncall me add sms +4915112345678`.",
      );
    const key = await getSigningKey(tx);
    const live = pending.filter((p) => p.expiresAt > now && p.attempts < MAX_CODE_TRIES);
    const match = live.find((p) => p.codeHash === codeHash(key, p.contactMethodId, code));
    if (!match) {
      const newest = live[0];
      if (!newest)
        throw inputInvalid("The code has expired (or was mistyped too often): add the method again.");
      await countVerifyAttempt(tx, newest.contactMethodId);
      const left = MAX_CODE_TRIES - newest.attempts - 1;
      return `:warning: That code does not match. ${left > 0 ? `${left} tr${left === 1 ? "y" : "ies"} left.` : "No tries left: add the method again."}`;
    }
    await markVerified(tx, match.contactMethodId, now);
    const { person } = await personOf(deps, tx, userId);
    const hadNoRules = person.rules.length === 0;
    // Keep the DM a person without rules always had, and use the new method at once.
    if (hadNoRules) await setRule(tx, { userId, methodId: SLACK_METHOD_ID, afterMs: 0, now });
    if (!person.rules.some((r) => r.methodId === match.methodId))
      await setRule(tx, { userId, methodId: match.methodId, afterMs: 0, now });
    await record(tx, deps, userId, "oncall.contact_method_verified", {
      method: match.methodId,
      type: match.type,
    });
    return `:white_check_mark: \`${match.methodId}\` is verified: pages reach you there at once${hadNoRules ? " (and by Slack DM, as before)" : ""}. Delay it with \`/oncall me rule ${match.methodId} 2m\`.`;
  });
}

async function rule(deps: MeDeps, userId: string, methodId: string, afterMs: number | null): Promise<string> {
  const now = deps.clock.now();
  return withTransaction(deps.pool, async (tx) => {
    const { person } = await personOf(deps, tx, userId);
    const method = person.methods.find((m) => m.id === methodId);
    if (!method)
      throw inputInvalid(`You have no contact method \`${methodId}\` (\`/oncall me\` lists yours).`);
    if (person.rules.length === 0 && methodId !== SLACK_METHOD_ID && afterMs !== null)
      await setRule(tx, { userId, methodId: SLACK_METHOD_ID, afterMs: 0, now });
    await setRule(tx, { userId, methodId, afterMs, now });
    await record(tx, deps, userId, "oncall.rule_set", { method: methodId, after_ms: afterMs });
    if (afterMs === null) return `\`${methodId}\` is no longer used for pages.`;
    const when = afterMs === 0 ? "at once" : `${formatDuration(afterMs)} after a page`;
    return `Pages reach you by ${LABEL[method.type]} (\`${methodId}\`) ${when}${method.verified ? "" : ", once you verify it"}.`;
  });
}

async function test(deps: MeDeps, userId: string, methodId: string): Promise<string> {
  const { person } = await personOf(deps, deps.pool, userId);
  const method = person.methods.find((m) => m.id === methodId);
  if (!method) throw inputInvalid(`You have no contact method \`${methodId}\` (\`/oncall me\` lists yours).`);
  if (!method.verified)
    throw inputInvalid(`\`${methodId}\` is not verified yet: \`/oncall me verify <code>\` first.`);
  const now = deps.clock.now();
  const type = method.type;
  if (type === "slack") {
    await withTransaction(deps.pool, async (tx) => {
      await deps.pages.dmPerson(
        tx,
        userId,
        ":test_tube: Firebreak test page: this is how pages reach you. Nothing to do.",
      );
      await record(tx, deps, userId, "oncall.test_page", {
        method: methodId,
        type: "slack",
        outcome: "sent",
      });
    });
    return "Sent you a test page by Slack DM.";
  }
  if (!deps.providers.available.has(method.type))
    throw inputInvalid(
      `${LABEL[method.type]} is not set up on this Firebreak: \`/oncall me\` says what is missing.`,
    );
  await checkRateLimit(deps, method.type, method.target);
  const webhook =
    method.type === "webhook" && deps.settings.webhookSecret
      ? {
          url: method.target,
          secret: deps.settings.webhookSecret,
          userId,
          timeoutMs: deps.settings.webhookTimeoutMs,
        }
      : undefined;
  const sent = await sendNow(
    deps,
    testMessage(
      { type, target: method.target },
      { ...(webhook ? { webhook } : {}), messageId: `<test-${randomBytes(8).toString("hex")}@firebreak>` },
    ),
  );
  await withTransaction(deps.pool, async (tx) => {
    if (sent.ok && isRateLimited(method.type)) await recordSent(tx, method.type, method.target, now);
    await record(tx, deps, userId, "oncall.test_page", {
      method: methodId,
      type: method.type,
      outcome: sent.ok ? "sent" : "failed",
    });
  });
  if (!sent.ok) throw inputInvalid(`The test page did not go out: ${sent.error}`);
  return `Sent a test page by ${LABEL[method.type]} to ${maskTarget(method.type, method.target)}.`;
}

async function remove(deps: MeDeps, userId: string, methodId: string): Promise<string> {
  if (methodId === SLACK_METHOD_ID)
    throw inputInvalid(
      "The Slack DM cannot be removed; `/oncall me rule slack off` stops using it for pages.",
    );
  if (deps.config.people[userId]?.methods.some((m) => m.id === methodId))
    throw inputInvalid(`\`${methodId}\` is set in firebreak.yaml: ask an admin to change it there.`);
  return withTransaction(deps.pool, async (tx) => {
    const removed = await removeContactMethod(tx, userId, methodId, deps.clock.now());
    if (!removed)
      throw inputInvalid(`You have no contact method \`${methodId}\` (\`/oncall me\` lists yours).`);
    await record(tx, deps, userId, "oncall.contact_method_removed", { method: methodId, type: removed.type });
    return `Removed \`${methodId}\`; it is no longer used for pages.`;
  });
}

/** Runs one `/oncall me …` for `userId`; the answer is mrkdwn for an ephemeral reply. Numbers and addresses are never shown in full. */
export async function runMeCommand(deps: MeDeps, command: MeCommand, userId: string): Promise<string> {
  switch (command.kind) {
    case "show":
      return show(deps, userId);
    case "add":
      return add(deps, userId, command.type, command.target);
    case "verify":
      return verify(deps, userId, command.code, command.methodId);
    case "rule":
      return rule(deps, userId, command.methodId, command.afterMs);
    case "test":
      return test(deps, userId, command.methodId);
    case "remove":
      return remove(deps, userId, command.methodId);
    case "handoff":
      await withTransaction(deps.pool, async (tx) => {
        await setHandoffChoice(tx, { userId, firstMethod: command.firstMethod, now: deps.clock.now() });
        await record(tx, deps, userId, "oncall.handoff_set", { first_method: command.firstMethod });
      });
      return command.firstMethod
        ? "Before each shift you get a DM, and a message through your first contact method."
        : "Before each shift you get a DM.";
  }
}
