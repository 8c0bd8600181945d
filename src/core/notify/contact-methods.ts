/** How a page can reach a person. `slack` is the Slack DM, which everyone has. */
export type ContactMethodType = "slack" | "email" | "sms" | "voice" | "ntfy" | "webhook";

export const CONTACT_METHOD_TYPES: readonly ContactMethodType[] = [
  "slack",
  "email",
  "sms",
  "voice",
  "ntfy",
  "webhook",
];

/** The id of the Slack DM every person has, whether or not it is listed. */
export const SLACK_METHOD_ID = "slack";

/** The id of the install-wide page webhook (FIREBREAK_PAGE_WEBHOOK_URL) used for people without rules. */
export const PAGE_WEBHOOK_METHOD_ID = "page_webhook";

/**
 * One way to reach a person. `target` is the address, E.164 number, ntfy topic or webhook
 * URL (empty for `slack`; empty for the install-wide page webhook, whose URL is read at
 * send time). Methods added in Slack are used only once `verified`.
 */
export interface ContactMethod {
  id: string;
  type: ContactMethodType;
  target: string;
  source: "config" | "slack";
  verified: boolean;
}

/** "Use `methodId` this long after the page": rules run side by side, each once per page. */
export interface NotificationRule {
  methodId: string;
  afterMs: number;
}

/** A person as paging sees them: firebreak.yaml's `people:` merged with what they set in Slack. */
export interface Person {
  userId: string;
  name?: string;
  timeZone?: string;
  methods: ContactMethod[];
  rules: NotificationRule[];
  /** A DM (and their first contact method, if asked for) before each shift starts. */
  handoffNotice?: { firstMethod: boolean };
}

/** Methods added or rules set with `/oncall me`, as stored. `afterMs: null` switches a rule off. */
export interface StoredPreferences {
  methods: ContactMethod[];
  rules: { methodId: string; afterMs: number | null }[];
  handoffFirstMethod?: boolean;
}

/** The Slack DM as a method. */
export const SLACK_DM: ContactMethod = {
  id: SLACK_METHOD_ID,
  type: "slack",
  target: "",
  source: "config",
  verified: true,
};

/** The default for a person without rules: the Slack DM at once. */
export const DEFAULT_RULES: readonly NotificationRule[] = [{ methodId: SLACK_METHOD_ID, afterMs: 0 }];

/**
 * Merges a person's config (may be undefined: not listed under `people:`) with their
 * self-service preferences: methods from both (config wins on an id clash), config rules
 * overridden per method by stored ones, and a stored rule with `afterMs: null` removing it.
 */
export function effectivePerson(
  userId: string,
  configured: Omit<Person, "userId"> | undefined,
  stored: StoredPreferences | undefined,
): Person {
  const methods = new Map<string, ContactMethod>([[SLACK_METHOD_ID, SLACK_DM]]);
  for (const m of stored?.methods ?? []) methods.set(m.id, m);
  for (const m of configured?.methods ?? []) methods.set(m.id, m);
  const rules = new Map<string, number>();
  for (const r of configured?.rules ?? []) rules.set(r.methodId, r.afterMs);
  for (const r of stored?.rules ?? []) {
    if (r.afterMs === null) rules.delete(r.methodId);
    else rules.set(r.methodId, r.afterMs);
  }
  return {
    userId,
    ...(configured?.name ? { name: configured.name } : {}),
    ...(configured?.timeZone ? { timeZone: configured.timeZone } : {}),
    methods: [...methods.values()],
    rules: [...rules].map(([methodId, afterMs]) => ({ methodId, afterMs })),
    ...(stored?.handoffFirstMethod !== undefined
      ? { handoffNotice: { firstMethod: stored.handoffFirstMethod } }
      : {}),
  };
}

/** Whether `text` is an E.164 phone number: +, country code, at most 15 digits in all. */
export function isE164(text: string): boolean {
  return /^\+[1-9]\d{6,14}$/.test(text);
}

/** Whether `text` looks like a deliverable email address (one @, a dot in the domain, no spaces). */
export function isEmailAddress(text: string): boolean {
  return text.length <= 254 && /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;.]{2,}$/.test(text);
}

/** Whether `text` is an ntfy topic name (ntfy's own rule). */
export function isNtfyTopic(text: string): boolean {
  return /^[-_A-Za-z0-9]{1,64}$/.test(text);
}

/** Contact method ids: typed in `/oncall me`, so short and plain. */
export function isMethodId(text: string): boolean {
  return /^[a-z][a-z0-9-]{0,31}$/.test(text);
}

/**
 * A number or address as it may be shown back to its owner's colleagues (never in full):
 * `+49••••••5678`, `a•••@example.com`.
 */
export function maskTarget(type: ContactMethodType, target: string): string {
  if (type === "sms" || type === "voice") return `${target.slice(0, 3)}••••••${target.slice(-4)}`;
  if (type === "email") {
    const [local = "", domain = ""] = target.split("@");
    return `${local.slice(0, 1)}•••@${domain}`;
  }
  if (type === "ntfy") return `${target.slice(0, 2)}•••`;
  if (type === "webhook") {
    try {
      return new URL(target).host;
    } catch {
      return "webhook";
    }
  }
  return "Slack DM";
}
