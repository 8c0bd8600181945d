import { z } from "zod";

const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";

/** A namespace or container name: a DNS-1123 label. */
export const dnsLabel = (what: string) =>
  z
    .string()
    .max(63, `a ${what} is at most 63 characters`)
    .regex(new RegExp(`^${LABEL}$`), `a ${what} is lowercase letters, digits and '-' (a DNS-1123 label)`);

/** A pod or deployment name: a DNS-1123 subdomain. */
export const dnsSubdomain = (what: string) =>
  z
    .string()
    .max(253, `a ${what} name is at most 253 characters`)
    .regex(
      new RegExp(`^${LABEL}(\\.${LABEL})*$`),
      `a ${what} name is lowercase letters, digits, '-' and '.' (a DNS-1123 subdomain)`,
    );

export const namespaceArg = dnsLabel("namespace");

const KEY = String.raw`([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`;
const VALUE = String.raw`([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?`;
const REQUIREMENT = String.raw`(!?${KEY}|${KEY}(==?|!=)${VALUE}|${KEY} (in|notin) \(${VALUE}(,${VALUE})*\))`;

/**
 * A label selector in its plain forms only: `app=web`, `tier!=db`, `env in (a,b)`, `!canary`,
 * comma-separated, no other spaces.
 */
export const labelSelectorArg = z
  .string()
  .max(256)
  .regex(
    new RegExp(`^${REQUIREMENT}(,${REQUIREMENT})*$`),
    "a label selector is like app=web,tier!=db or env in (prod,staging)",
  );

/** A whole number within bounds, given as a number or as its decimal digits. */
export const intArg = (min: number, max: number) =>
  z
    .union([
      z.number(),
      z
        .string()
        .regex(/^-?\d{1,9}$/, "expected a whole number")
        .transform(Number),
    ])
    .pipe(z.int().min(min).max(max));

/** A boolean, given as one or as `true`/`false`. */
export const boolArg = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);
