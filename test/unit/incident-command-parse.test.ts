import { describe, expect, it } from "vitest";
import { FirebreakError } from "../../src/core/errors.js";
import { parseIncidentCommand } from "../../src/core/incident/parse-command.js";

const fails = (text: string) => {
  try {
    parseIncidentCommand(text);
  } catch (err) {
    expect(err).toBeInstanceOf(FirebreakError);
    return (err as FirebreakError).message;
  }
  throw new Error(`"${text}" parsed but should not have`);
};

describe("/incident command parsing", () => {
  it("declares with a severity and a title", () => {
    expect(parseIncidentCommand("declare P1 Checkout is failing")).toEqual({
      type: "declare",
      severity: "P1",
      title: "Checkout is failing",
    });
    expect(parseIncidentCommand("declare sev0 DB down")).toEqual({
      type: "declare",
      severity: "P0",
      title: "DB down",
    });
  });

  it("declares without a severity (the title starts with another word)", () => {
    expect(parseIncidentCommand("declare Payments latency")).toEqual({
      type: "declare",
      title: "Payments latency",
    });
  });

  it("opens the form when declare has no title", () => {
    expect(parseIncidentCommand("declare")).toEqual({ type: "declare" });
  });

  it("takes #N before or after the subcommand", () => {
    expect(parseIncidentCommand("ack #12")).toEqual({ type: "ack", ref: 12 });
    expect(parseIncidentCommand("#7 sev P0")).toEqual({ type: "severity", severity: "P0", ref: 7 });
    expect(parseIncidentCommand("note #3 rolled back v41")).toEqual({
      type: "note",
      text: "rolled back v41",
      ref: 3,
    });
  });

  it("reads a role assignment from a Slack mention in either escaped form", () => {
    expect(parseIncidentCommand("role commander <@U0BOB|bob>")).toEqual({
      type: "role",
      role: "commander",
      userId: "U0BOB",
    });
    expect(parseIncidentCommand("role scribe <@U0CAROL>")).toEqual({
      type: "role",
      role: "scribe",
      userId: "U0CAROL",
    });
  });

  it("keeps note text verbatim, markup included (escaping happens on output)", () => {
    expect(parseIncidentCommand("note <!channel> & <@U1> look")).toEqual({
      type: "note",
      text: "<!channel> & <@U1> look",
    });
  });

  it("says what to do for malformed commands", () => {
    expect(fails("sev P9")).toMatch(/P0.*P3/);
    expect(fails("role boss <@U0BOB>")).toMatch(/commander\|comms\|scribe/);
    expect(fails("role commander bob")).toMatch(/mention/);
    expect(fails("note")).toMatch(/text/);
    expect(fails("frobnicate")).toMatch(/\/incident help/);
    expect(fails("ack now please")).toMatch(/takes no arguments/);
    expect(fails(`declare P1 ${"x".repeat(300)}`)).toMatch(/under 200/);
  });

  it("shows help for an empty command", () => {
    expect(parseIncidentCommand("  ")).toEqual({ type: "help" });
  });
});
