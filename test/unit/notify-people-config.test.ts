import { describe, expect, it } from "vitest";
import { contactProviderWarnings, parseFirebreakConfig, readEnvOptions } from "../../src/config.js";

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected an error");
};

const ISSUE_EXAMPLE = `
people:
  U0ALICE:
    name: Alice Archer
    time_zone: Europe/Berlin
    contact_methods:
      - { id: mail, type: email, address: alice@example.com }
      - { id: phone, type: sms, number: "+4915112345678" }
      - { id: call, type: voice, number: "+4915112345678" }
      - { id: push, type: ntfy, topic: alice-pages }
      - { id: pager, type: webhook, url: "https://gateway.example/pages" }
    notification_rules:
      - { method: slack, after: 0m }     # \`slack\`, the DM, always exists
      - { method: mail, after: 0m }
      - { method: phone, after: 1m }
      - { method: call, after: 3m }
`;

const person = (body: string) => `
people:
  U0ALICE:
${body
  .trim()
  .split("\n")
  .map((l) => `    ${l}`)
  .join("\n")}
`;

describe("people: in firebreak.yaml", () => {
  it("reads the issue's example: methods with their targets, rules in minutes", () => {
    const alice = parseFirebreakConfig(ISSUE_EXAMPLE).people.U0ALICE!;
    expect(alice.name).toBe("Alice Archer");
    expect(alice.timeZone).toBe("Europe/Berlin");
    expect(alice.methods.map((m) => [m.id, m.type, m.target])).toEqual([
      ["mail", "email", "alice@example.com"],
      ["phone", "sms", "+4915112345678"],
      ["call", "voice", "+4915112345678"],
      ["push", "ntfy", "alice-pages"],
      ["pager", "webhook", "https://gateway.example/pages"],
    ]);
    expect(alice.rules).toEqual([
      { methodId: "slack", afterMs: 0 },
      { methodId: "mail", afterMs: 0 },
      { methodId: "phone", afterMs: 60_000 },
      { methodId: "call", afterMs: 180_000 },
    ]);
    expect(alice.methods.every((m) => m.verified && m.source === "config")).toBe(true);
  });

  it("defaults to nobody listed", () => {
    expect(parseFirebreakConfig("timezone: UTC").people).toEqual({});
  });

  it("refuses a rule naming an unknown method, in one line with the fix", () => {
    const msg = errorOf(() =>
      parseFirebreakConfig(
        person(`
contact_methods:
  - { id: phone, type: sms, number: "+4915112345678" }
notification_rules:
  - { method: phon, after: 1m }`),
      ),
    );
    expect(msg).toBe(
      'firebreak.yaml: people.U0ALICE.notification_rules[0].method: no contact method "phon" (this person has slack, phone): add it under contact_methods or fix the id',
    );
    expect(msg).not.toContain("\n");
  });

  it("refuses a phone number that is not E.164, saying how to write it", () => {
    const msg = errorOf(() =>
      parseFirebreakConfig(
        person(`
contact_methods:
  - { id: phone, type: sms, number: "0151 12345678" }`),
      ),
    );
    expect(msg).toBe(
      'firebreak.yaml: people.U0ALICE.contact_methods[0].number: "0151 12345678" is not an E.164 number: write it with + and the country code, no spaces, like "+4915112345678"',
    );
  });

  it.each([
    [
      `contact_methods:\n  - { id: mail, type: email, address: "not-an-address" }`,
      /address: "not-an-address" is not an email address/,
    ],
    [
      `contact_methods:\n  - { id: push, type: ntfy, topic: "has spaces" }`,
      /topic: "has spaces" is not an ntfy topic/,
    ],
    [
      `contact_methods:\n  - { id: hook, type: webhook, url: "ftp://x" }`,
      /url: "ftp:\/\/x" is not an http\(s\) URL/,
    ],
    [
      `contact_methods:\n  - { id: phone, type: sms, address: "a@b.co" }`,
      /a sms method takes number, not address/,
    ],
    [`contact_methods:\n  - { id: phone, type: sms }`, /a sms method needs number/],
    [
      `contact_methods:\n  - { id: slack, type: sms, number: "+4915112345678" }`,
      /"slack" names the Slack DM/,
    ],
    [
      `contact_methods:\n  - { id: Phone, type: sms, number: "+4915112345678" }`,
      /"Phone" cannot be a contact method id/,
    ],
    [
      `contact_methods:\n  - { id: a, type: sms, number: "+4915112345678" }\n  - { id: a, type: voice, number: "+4915112345678" }`,
      /contact_methods\[1\]\.id: contact method id "a" is used twice/,
    ],
    [`notification_rules:\n  - { method: slack, after: 90s }`, /after: "90s" must be whole minutes/],
    [`notification_rules:\n  - { method: slack, after: soon }`, /after: "soon" is not a delay/],
    [`time_zone: Mars/Olympus`, /time_zone "Mars\/Olympus" is not an IANA time zone/],
    [
      `contact_methods:\n  - { id: fax, type: fax, number: "+4915112345678" }`,
      /type must be one of slack, email, sms, voice, ntfy, webhook/,
    ],
  ])("refuses %s", (body, pattern) => {
    expect(errorOf(() => parseFirebreakConfig(person(body)))).toMatch(pattern);
  });

  it("refuses a key that is not a Slack user id", () => {
    expect(errorOf(() => parseFirebreakConfig("people:\n  alice:\n    name: A"))).toMatch(
      /people\.alice: "alice" is not a Slack user id/,
    );
  });
});

describe("provider environment variables", () => {
  const TWILIO = {
    TWILIO_ACCOUNT_SID: `AC${"0".repeat(32)}`,
    TWILIO_AUTH_TOKEN: "secret",
    TWILIO_FROM: "+14155550100",
    FIREBREAK_PUBLIC_URL: "https://firebreak.example.com/",
  };

  it("reads each provider; unset means off", () => {
    expect(readEnvOptions({}, "/x").notify).toEqual({});
    const env = readEnvOptions(
      {
        ...TWILIO,
        TWILIO_API_URL: "http://127.0.0.1:9999/",
        SMTP_URL: "smtp://u:p@mail.example:587",
        FIREBREAK_EMAIL_FROM: "Firebreak <pages@example.com>",
        NTFY_URL: "https://ntfy.example/",
        NTFY_TOKEN: "tk_abc",
      },
      "/x",
    );
    expect(env.notify).toEqual({
      publicUrl: "https://firebreak.example.com",
      email: { smtpUrl: "smtp://u:p@mail.example:587", from: "Firebreak <pages@example.com>" },
      twilio: {
        accountSid: TWILIO.TWILIO_ACCOUNT_SID,
        authToken: "secret",
        from: "+14155550100",
        apiUrl: "http://127.0.0.1:9999",
      },
      ntfy: { url: "https://ntfy.example", token: "tk_abc" },
    });
  });

  it.each([
    [{ ...TWILIO, TWILIO_FROM: undefined }, /^TWILIO_FROM: is required for SMS and voice pages/],
    [{ ...TWILIO, TWILIO_ACCOUNT_SID: "SK123" }, /^TWILIO_ACCOUNT_SID: must be an Account SID/],
    [{ ...TWILIO, TWILIO_FROM: "4155550100" }, /^TWILIO_FROM: "4155550100" is not an E\.164 number/],
    [{ ...TWILIO, FIREBREAK_PUBLIC_URL: undefined }, /^FIREBREAK_PUBLIC_URL: is required with Twilio/],
    [{ SMTP_URL: "smtp://mail.example" }, /^FIREBREAK_EMAIL_FROM: is required with SMTP_URL/],
    [
      { SMTP_URL: "http://mail.example", FIREBREAK_EMAIL_FROM: "a@b.co" },
      /^SMTP_URL: must start with smtp: or smtps:/,
    ],
    [{ NTFY_TOKEN: "tk_x" }, /^NTFY_URL: is required with NTFY_TOKEN/],
    [{ FIREBREAK_PUBLIC_URL: "firebreak.example" }, /^FIREBREAK_PUBLIC_URL: is not a URL/],
  ])("refuses %o in one line", (vars, pattern) => {
    const msg = errorOf(() => readEnvOptions(vars, "/x"));
    expect(msg).toMatch(pattern);
    expect(msg).not.toContain("\n");
  });

  it("names contact methods in people: whose provider is not configured, with the fix", () => {
    const config = parseFirebreakConfig(
      person(`contact_methods:\n  - { id: phone, type: sms, number: "+4915112345678" }`),
    );
    expect(contactProviderWarnings(readEnvOptions({}, "/x"), config)).toEqual([
      "people.U0ALICE.contact_methods[0]: a sms contact method has no provider, so it is not used: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM and FIREBREAK_PUBLIC_URL.",
    ]);
    expect(contactProviderWarnings(readEnvOptions(TWILIO, "/x"), config)).toEqual([]);
  });
});
