import pino from "pino";
import { describe, expect, it } from "vitest";
import { routeInvitees } from "../../src/alerts/route-invitees.js";
import type { SlackTransport } from "../../src/slack/transport.js";
import { createUserGroupDirectory } from "../../src/slack/user-group-directory.js";

const route = (usergroups: string[], invite: string[] = []) => ({
  routeIndex: 0,
  invite,
  usergroups,
  autoDiagnostics: [],
});

function slackWith(members: Record<string, string[]>) {
  const calls: string[] = [];
  let down = false;
  const slack: SlackTransport = {
    async call(method, args) {
      calls.push(`${method}:${String(args.usergroup)}`);
      if (down) throw new Error("slack is down");
      return { ok: true, users: members[String(args.usergroup)] ?? [] };
    },
    async respond() {},
  };
  return { slack, calls, fail: () => (down = true) };
}

const log = pino({ level: "silent" });
const clockAt = (t: { now: number }) => ({ now: () => new Date(t.now) });

describe("who an alert route invites", () => {
  it("invites the route's users and the members of its user groups, once each", async () => {
    const { slack } = slackWith({ S1: ["U1", "U2"], S2: ["U2", "U3"] });
    const groups = createUserGroupDirectory({ slack, clock: clockAt({ now: 0 }), log });
    expect(await routeInvitees(groups, route(["S1", "S2"], ["U1", "U9"]))).toEqual(["U1", "U9", "U2", "U3"]);
  });

  it("asks Slack for a group's members at most every five minutes, and uses the last known when Slack fails", async () => {
    const t = { now: 0 };
    const s = slackWith({ S1: ["U1"] });
    const groups = createUserGroupDirectory({ slack: s.slack, clock: clockAt(t), log });
    await routeInvitees(groups, route(["S1"]));
    await routeInvitees(groups, route(["S1"]));
    expect(s.calls).toHaveLength(1);
    t.now += 5 * 60_000;
    s.fail();
    expect(await routeInvitees(groups, route(["S1"]))).toEqual(["U1"]);
    expect(s.calls).toHaveLength(2);
  });

  it("still invites the route's users when a group was never readable", async () => {
    const s = slackWith({});
    s.fail();
    const groups = createUserGroupDirectory({ slack: s.slack, clock: clockAt({ now: 0 }), log });
    expect(await routeInvitees(groups, route(["S1"], ["U7"]))).toEqual(["U7"]);
  });
});
