import { z } from "zod";
import type { ContactMethod, ContactMethodType, Person } from "../core/notify/contact-methods.js";
import {
  SLACK_METHOD_ID,
  isE164,
  isEmailAddress,
  isMethodId,
  isNtfyTopic,
} from "../core/notify/contact-methods.js";
import { parseRuleDelay } from "../core/notify/rule-delay.js";
import { canonicalTimeZone } from "../core/oncall/zoned-time.js";
import { slackUserId } from "./incidents.js";

/** The field each method type takes its target from. */
const TARGET_FIELD: Record<ContactMethodType, "address" | "number" | "topic" | "url" | null> = {
  slack: null,
  email: "address",
  sms: "number",
  voice: "number",
  ntfy: "topic",
  webhook: "url",
};

const METHOD_TYPES = Object.keys(TARGET_FIELD) as [ContactMethodType, ...ContactMethodType[]];

const contactMethod = z
  .strictObject(
    {
      id: z.string({ error: 'id must be a short name like "phone" (rules refer to it)' }),
      type: z.enum(METHOD_TYPES, { error: `type must be one of ${METHOD_TYPES.join(", ")}` }),
      address: z.string().optional(),
      number: z.string({ error: 'number must be a quoted string like "+4915112345678"' }).optional(),
      topic: z.string().optional(),
      url: z.string().optional(),
    },
    { error: 'each contact method looks like { id: phone, type: sms, number: "+4915112345678" }' },
  )
  .transform((raw, ctx): ContactMethod => {
    const problem = (path: string, message: string) => {
      ctx.addIssue({ code: "custom", message, path: [path] });
      return z.NEVER;
    };
    if (!isMethodId(raw.id))
      return problem(
        "id",
        `"${raw.id}" cannot be a contact method id: use lowercase letters, digits and "-", like "phone"`,
      );
    if (raw.id === SLACK_METHOD_ID && raw.type !== "slack")
      return problem(
        "id",
        `"slack" names the Slack DM every person has: give this ${raw.type} method another id`,
      );
    const field = TARGET_FIELD[raw.type];
    for (const other of ["address", "number", "topic", "url"] as const) {
      if (other !== field && raw[other] !== undefined)
        return problem(
          other,
          field
            ? `a ${raw.type} method takes ${field}, not ${other}`
            : `a slack method takes nothing but id and type (it is the Slack DM)`,
        );
    }
    const target = field ? raw[field]?.trim() : "";
    if (field && !target) return problem(field, `a ${raw.type} method needs ${field}`);
    const value = target ?? "";
    if ((raw.type === "sms" || raw.type === "voice") && !isE164(value))
      return problem(
        "number",
        `"${value}" is not an E.164 number: write it with + and the country code, no spaces, like "+4915112345678"`,
      );
    if (raw.type === "email" && !isEmailAddress(value))
      return problem("address", `"${value}" is not an email address like alice@example.com`);
    if (raw.type === "ntfy" && !isNtfyTopic(value))
      return problem("topic", `"${value}" is not an ntfy topic: letters, digits, "-" and "_", at most 64`);
    if (raw.type === "webhook") {
      let ok: boolean;
      try {
        ok = ["http:", "https:"].includes(new URL(value).protocol);
      } catch {
        ok = false;
      }
      if (!ok) return problem("url", `"${value}" is not an http(s) URL like "https://gateway.example/pages"`);
    }
    return { id: raw.id, type: raw.type, target: value, source: "config", verified: true };
  });

const notificationRule = z.strictObject(
  {
    method: z.string({ error: "method names a contact method id, or slack for the DM" }),
    after: z.union([z.string(), z.literal(0)], { error: 'after is a delay like "0m", "1m" or "3m"' }),
  },
  { error: "each notification rule looks like { method: phone, after: 1m }" },
);

const personBody = z
  .strictObject({
    name: z.string().min(1).max(120).optional(),
    time_zone: z.string().optional(),
    contact_methods: z.array(contactMethod).default([]),
    notification_rules: z.array(notificationRule).default([]),
  })
  .transform((raw, ctx): Omit<Person, "userId"> => {
    let timeZone: string | undefined;
    if (raw.time_zone !== undefined) {
      timeZone = canonicalTimeZone(raw.time_zone.trim());
      if (timeZone === undefined)
        ctx.addIssue({
          code: "custom",
          message: `time_zone "${raw.time_zone}" is not an IANA time zone: use a name like Europe/Berlin or UTC`,
          path: ["time_zone"],
        });
    }
    const ids = new Set<string>([SLACK_METHOD_ID]);
    raw.contact_methods.forEach((m, i) => {
      if (ids.has(m.id) && m.id !== SLACK_METHOD_ID)
        ctx.addIssue({
          code: "custom",
          message: `contact method id "${m.id}" is used twice: give each method its own id`,
          path: ["contact_methods", i, "id"],
        });
      ids.add(m.id);
    });
    const rules = raw.notification_rules.flatMap((r, i) => {
      if (!ids.has(r.method)) {
        ctx.addIssue({
          code: "custom",
          message: `no contact method "${r.method}" (this person has ${[...ids].join(", ")}): add it under contact_methods or fix the id`,
          path: ["notification_rules", i, "method"],
        });
        return [];
      }
      try {
        return [{ methodId: r.method, afterMs: parseRuleDelay(String(r.after)) }];
      } catch (err) {
        ctx.addIssue({
          code: "custom",
          message: (err as Error).message,
          path: ["notification_rules", i, "after"],
        });
        return [];
      }
    });
    return {
      ...(raw.name ? { name: raw.name } : {}),
      ...(timeZone ? { timeZone } : {}),
      methods: raw.contact_methods.filter((m) => m.type !== "slack" || m.id !== SLACK_METHOD_ID),
      rules,
    };
  });

/** `people:` in firebreak.yaml: each person's contact methods and notification rules, by Slack user id. */
export const peopleSchema = z.record(z.string(), personBody).superRefine((map, ctx) => {
  for (const key of Object.keys(map)) {
    if (!slackUserId.safeParse(key).success)
      ctx.addIssue({
        code: "custom",
        message: `"${key}" is not a Slack user id: people are keyed by ids like U0123ABCD (profile → ⋯ → Copy member ID)`,
        path: [key],
      });
  }
});

/** The people section as parsed, by Slack user id. */
export type PeopleConfig = Record<string, Omit<Person, "userId">>;

/** To spread into the file's schema. */
export const peopleSectionShape = { people: peopleSchema.default({}) };

/** Method types the people in config use (to check their providers are configured). */
export function methodTypesInUse(people: PeopleConfig): Map<ContactMethodType, string> {
  const used = new Map<ContactMethodType, string>();
  for (const [userId, p] of Object.entries(people))
    p.methods.forEach((m, i) => {
      if (!used.has(m.type)) used.set(m.type, `people.${userId}.contact_methods[${i}]`);
    });
  return used;
}
