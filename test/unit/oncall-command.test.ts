import { describe, expect, it } from "vitest";
import { FirebreakError } from "../../src/core/errors.js";
import { ONCALL_HELP, parseOncallCommand } from "../../src/core/oncall/parse-oncall-command.js";

const HOUR = 3_600_000;

function errorOf(text: string): FirebreakError {
  try {
    parseOncallCommand(text);
  } catch (err) {
    if (err instanceof FirebreakError) return err;
    throw err;
  }
  throw new Error(`"${text}" was accepted`);
}

describe("/oncall asking who is on call", () => {
  it("with no text asks about every schedule, now", () => {
    expect(parseOncallCommand("")).toEqual({ kind: "who" });
    expect(parseOncallCommand("   ")).toEqual({ kind: "who" });
  });

  it("names one schedule, case-insensitively", () => {
    expect(parseOncallCommand("Primary")).toEqual({ kind: "who", schedule: "primary" });
  });

  it("asks about a moment, on one schedule or all", () => {
    expect(parseOncallCommand("primary at tomorrow 09:00")).toEqual({
      kind: "who",
      schedule: "primary",
      at: { kind: "local", day: { kind: "tomorrow" }, time: { hour: 9, minute: 0 } },
    });
    expect(parseOncallCommand("at +3h")).toEqual({ kind: "who", at: { kind: "relative", ms: 3 * HOUR } });
  });

  it("explains a missing or unreadable time", () => {
    expect(errorOf("primary at").message).toMatch(
      /Say at what time\. Usage: \/oncall \[<schedule>\] \[at <time>\]/,
    );
    expect(errorOf("primary at teatime").message).toMatch(/Can't read "teatime"/);
    expect(errorOf("primary tomorrow").message).toMatch(/Unexpected "tomorrow"\. Usage:/);
  });
});

describe("/oncall override", () => {
  it("reads a Slack mention with or without the name part", () => {
    expect(parseOncallCommand("override <@U012ABC|alice> 4h")).toEqual({
      kind: "override",
      userId: "U012ABC",
      userName: "alice",
      window: { kind: "for", ms: 4 * HOUR },
    });
    expect(parseOncallCommand("override <@U012ABC> for 1h30m secondary")).toEqual({
      kind: "override",
      userId: "U012ABC",
      window: { kind: "for", ms: 1.5 * HOUR },
      schedule: "secondary",
    });
  });

  it("reads durations written with spaces", () => {
    expect(parseOncallCommand("override <@U012ABC> 1h 30m primary")).toMatchObject({
      window: { kind: "for", ms: 1.5 * HOUR },
      schedule: "primary",
    });
  });

  it("reads 'until' times of several words, with or without a schedule after them", () => {
    expect(parseOncallCommand("override <@U012ABC> until tomorrow 09:00")).toEqual({
      kind: "override",
      userId: "U012ABC",
      window: {
        kind: "until",
        when: { kind: "local", day: { kind: "tomorrow" }, time: { hour: 9, minute: 0 } },
      },
    });
    expect(parseOncallCommand("override <@U012ABC> until 2026-11-22 14:00 db")).toMatchObject({
      window: {
        kind: "until",
        when: { kind: "local", day: { kind: "date", date: { year: 2026, month: 11, day: 22 } } },
      },
      schedule: "db",
    });
  });

  it("removes an override by id", () => {
    expect(parseOncallCommand("override remove 42")).toEqual({ kind: "override_remove", id: "42" });
  });

  it.each([
    ["override", /Say who stands in/],
    ["override @alice 4h", /"@alice" is not a mention: type @ and pick the person/],
    ["override <@U012ABC>", /Say for how long, or until when/],
    ["override <@U012ABC> soon", /"soon" is not a duration/],
    ["override <@U012ABC> until", /Say until when/],
    ["override <@U012ABC> until whenever", /Can't read "whenever"/],
    ["override remove", /Give the one id.*Usage: \/oncall override remove <id>/],
    ["override remove 4 5", /Give the one id/],
  ])("refuses %j, saying why and how to write it", (text, message) => {
    const error = errorOf(text);
    expect(error.code).toBe("input_invalid");
    expect(error.message).toMatch(message);
  });

  it("shows the override usage when the mention or duration is wrong", () => {
    expect(errorOf("override @alice 4h").message).toContain(
      "Usage: /oncall override @user <duration | until <time>> [schedule]",
    );
  });
});

describe("/oncall simulate", () => {
  it("takes a severity in any common spelling", () => {
    for (const text of ["simulate P1", "simulate p1", "simulate sev1", "simulate SEV-1"]) {
      expect(parseOncallCommand(text)).toEqual({
        kind: "simulate",
        target: { kind: "severity", severity: "P1" },
      });
    }
  });

  it("takes a policy name and an optional start time", () => {
    expect(parseOncallCommand("simulate default at 02:00")).toEqual({
      kind: "simulate",
      target: { kind: "policy", name: "default" },
      at: { kind: "local", day: { kind: "next" }, time: { hour: 2, minute: 0 } },
    });
  });

  it("asks which policy when none is named", () => {
    expect(errorOf("simulate").message).toMatch(/Say which policy or severity.*Usage: \/oncall simulate/);
  });
});

describe("/oncall help", () => {
  it("is recognised and lists every form", () => {
    expect(parseOncallCommand("help")).toEqual({ kind: "help" });
    for (const form of ["/oncall override remove <id>", "/oncall simulate", "until <time>", "[at <time>]"]) {
      expect(ONCALL_HELP).toContain(form);
    }
  });

  it("refuses a schedule name it could never match", () => {
    expect(errorOf("pri*mary").message).toMatch(/not a schedule name/);
  });
});
