import { z } from "zod";
import { parseDuration } from "../core/duration.js";
import { ROLES } from "../core/incident/roles.js";
import { SEVERITIES } from "../core/incident/severity.js";
import { TARGET_TYPES } from "../config-schema/targets.js";

const duration = z.string().transform((s, ctx) => {
  try {
    return s.trim() === "0" || s.trim() === "0s" ? 0 : parseDuration(s);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
});

const paramName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,39}$/, "a parameter name is lowercase letters, digits and _ (max 40)");

const regexSource = z
  .string()
  .min(1)
  .max(500)
  .refine((p) => {
    try {
      new RegExp(`^(?:${p})$`, "u");
      return true;
    } catch {
      return false;
    }
  }, "not a valid regular expression (JavaScript syntax, unicode mode)");

const base = {
  name: paramName,
  description: z.string().min(1).max(300),
  /** Not required, and without a default: its step arguments are left out when not given. */
  optional: z.boolean().default(false),
};

/** One parameter as written in a command file. */
const parameter = z.discriminatedUnion("type", [
  z.strictObject({
    ...base,
    type: z.literal("string"),
    pattern: regexSource,
    max_length: z.int().min(1).max(1000).default(200),
    default: z.string().max(1000).optional(),
  }),
  z.strictObject({
    ...base,
    type: z.literal("enum"),
    values: z
      .array(z.string().regex(/^[A-Za-z0-9 _.:/-]{1,64}$/))
      .min(1)
      .max(100),
    default: z.string().optional(),
  }),
  z.strictObject({
    ...base,
    type: z.literal("integer"),
    min: z.int(),
    max: z.int(),
    default: z.int().optional(),
  }),
  z.strictObject({
    ...base,
    type: z.literal("duration"),
    min: duration,
    max: duration,
    unit: z.enum(["seconds", "milliseconds"]).default("seconds"),
    default: z.string().optional(),
  }),
  z.strictObject({ ...base, type: z.literal("target"), default: z.string().optional() }),
]);

export type ParameterFile = z.output<typeof parameter>;

const requester = z.enum([...ROLES, "anyone"]);

const policy = z.strictObject({
  /** Roles that may request it (or `anyone`). */
  request: z.array(requester).min(1),
  approvals: z
    .strictObject({ count: z.int().min(1).max(5), roles: z.array(z.enum(ROLES)).min(1) })
    .optional(),
  severities: z.array(z.enum(SEVERITIES)).min(1).optional(),
  channels: z.enum(["incident", "any"]).optional(),
  cooldown: duration.default(0),
  /** One run per target at a time; remediations default to true, diagnostics to false. */
  exclusive: z.boolean().optional(),
  timeout: duration.default(30_000),
  approval_expiry: duration.optional(),
  auto_approve_for_alerts: z
    .strictObject({ max_per_hour: z.int().min(1).max(60), cooldown: duration })
    .optional(),
});

/** One `commands/*.yaml` file. */
export const commandFileSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,79}$/, "a command name is lowercase letters, digits, . _ - (max 80)"),
  title: z.string().min(1).max(100),
  description: z.string().min(1).max(1000),
  kind: z.enum(["diagnostic", "remediation"]),
  target_type: z.enum(TARGET_TYPES),
  /** A configured target name, or `{{param}}` naming a parameter of type target. */
  target: z.string().min(1).max(100),
  parameters: z.array(parameter).max(20).default([]),
  fixed: z.record(paramName, z.union([z.string().max(1000), z.number()])).default({}),
  steps: z
    .array(
      z.strictObject({
        action: z.string().min(1).max(100),
        args: z.record(z.string(), z.unknown()).default({}),
      }),
    )
    .min(1)
    .max(10),
  policy,
});

export type CommandFile = z.output<typeof commandFileSchema>;
