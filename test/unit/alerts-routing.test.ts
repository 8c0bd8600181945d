import { describe, expect, it } from "vitest";
import { parseLabelMatcher, matchesLabel } from "../../src/core/alerts/label-matcher.js";
import { routeAlertGroup } from "../../src/core/alerts/routing.js";
import type { AlertRoute } from "../../src/core/alerts/routing.js";
import {
  DEFAULT_SEVERITY_MAPPING,
  groupSeverity,
  severityFromLabels,
} from "../../src/core/alerts/severity-from-labels.js";
import type { AlertObservation } from "../../src/core/alerts/types.js";
import { FirebreakError } from "../../src/core/errors.js";

function route(match: Record<string, string>, extra: Partial<AlertRoute> = {}): AlertRoute {
  return {
    matchers: Object.entries(match).map(([name, spec]) => parseLabelMatcher(name, spec)),
    invite: [],
    usergroups: [],
    autoDiagnostics: [],
    ...extra,
  };
}

describe("label matchers written in firebreak.yaml", () => {
  const labels = { namespace: "ecommerce", alertname: "MySQLTooManyConnections", env: "prod" };

  it.each<[string, string, boolean]>([
    ["namespace", "ecommerce", true],
    ["namespace", "ecommerce-staging", false],
    ["namespace", "!=staging", true],
    ["namespace", "!=ecommerce", false],
    ["alertname", "=~MySQL.*", true],
    ["alertname", "=~SQL", false],
    ["alertname", "!~Redis.*", true],
    ["alertname", "!~MySQL.*", false],
    ["team", "", true],
    ["team", "!=", false],
    ["team", "!=payments", true],
    ["team", "=~.*", true],
  ])("%s %s → %s", (name, spec, expected) => {
    expect(matchesLabel(labels, parseLabelMatcher(name, spec))).toBe(expected);
  });

  it("anchors regular expressions to the whole value, as Alertmanager does", () => {
    expect(matchesLabel({ a: "xMySQLx" }, parseLabelMatcher("a", "=~MySQL"))).toBe(false);
    expect(matchesLabel({ a: "b" }, parseLabelMatcher("a", "=~a|b"))).toBe(true);
  });

  it("lets a leading = force a literal comparison", () => {
    const m = parseLabelMatcher("a", "==~x");
    expect(m).toMatchObject({ operator: "=", value: "=~x" });
    expect(matchesLabel({ a: "=~x" }, m)).toBe(true);
  });

  it("reports a regular expression that does not compile, naming the label", () => {
    expect(() => parseLabelMatcher("alertname", "=~(")).toThrow(FirebreakError);
    expect(() => parseLabelMatcher("alertname", "=~(")).toThrow(
      /alertname: "\(" is not a valid regular expression/,
    );
  });
});

describe("routing an alert group", () => {
  const routes = [
    route(
      { namespace: "ecommerce", alertname: "=~MySQL.*" },
      { invite: ["U0DBA"], escalationPolicy: "dba", severityOverride: "P0" },
    ),
    route(
      { namespace: "ecommerce" },
      {
        invite: ["U0SHOP"],
        announceChannel: "C0SHOP",
        autoDiagnostics: [{ command: "k8s.pods", params: {} }],
      },
    ),
    route({}, { usergroups: ["S0SRE"] }),
  ];

  it("takes the first route whose matchers all hold", () => {
    const decision = routeAlertGroup(
      { namespace: "ecommerce", alertname: "MySQLTooManyConnections" },
      routes,
    );
    expect(decision).toEqual({
      routeIndex: 0,
      invite: ["U0DBA"],
      usergroups: [],
      escalationPolicy: "dba",
      severityOverride: "P0",
      autoDiagnostics: [],
    });
  });

  it("falls through to later routes when an earlier one does not hold entirely", () => {
    const decision = routeAlertGroup({ namespace: "ecommerce", alertname: "PodCrashLooping" }, routes);
    expect(decision.routeIndex).toBe(1);
    expect(decision.invite).toEqual(["U0SHOP"]);
    expect(decision.announceChannel).toBe("C0SHOP");
    expect(decision.autoDiagnostics).toEqual([{ command: "k8s.pods", params: {} }]);
  });

  it("lets an empty match catch everything else", () => {
    expect(routeAlertGroup({ namespace: "payments" }, routes)).toMatchObject({
      routeIndex: 2,
      usergroups: ["S0SRE"],
    });
  });

  it("invites nobody extra when no route matches", () => {
    expect(routeAlertGroup({ namespace: "payments" }, routes.slice(0, 2))).toEqual({
      routeIndex: null,
      invite: [],
      usergroups: [],
      autoDiagnostics: [],
    });
  });
});

describe("mapping an alert's severity label", () => {
  let next = 0;
  const alert = (
    severity: string | undefined,
    status: "firing" | "resolved" = "firing",
  ): AlertObservation => ({
    fingerprint: (next += 1).toString(16),
    status,
    labels: severity === undefined ? {} : { severity },
    annotations: {},
    startsAt: new Date(0),
    endsAt: null,
    generatorURL: "",
  });

  it.each<[string | undefined, string]>([
    ["critical", "P1"],
    ["Critical", "P1"],
    [" warning ", "P3"],
    ["info", "P3"],
    ["unheard-of", "P3"],
    ["", "P3"],
    [undefined, "P3"],
  ])("maps severity=%j to %s by default", (value, expected) => {
    expect(severityFromLabels(value === undefined ? {} : { severity: value })).toBe(expected);
  });

  it("uses the configured label, map and fallback", () => {
    const mapping = {
      label: "priority",
      map: { page: "P0" as const, ticket: "P2" as const },
      fallback: "P1" as const,
    };
    expect(severityFromLabels({ priority: "page", severity: "info" }, mapping)).toBe("P0");
    expect(severityFromLabels({ priority: "ticket" }, mapping)).toBe("P2");
    expect(severityFromLabels({ severity: "critical" }, mapping)).toBe("P1");
  });

  it("does not treat inherited object properties as labels", () => {
    expect(severityFromLabels({ severity: "constructor" })).toBe("P3");
    expect(severityFromLabels({}, { ...DEFAULT_SEVERITY_MAPPING, label: "toString" })).toBe("P3");
  });

  it("rates a group by its most urgent firing alert", () => {
    expect(groupSeverity([alert("warning"), alert("critical"), alert("info")], {})).toBe("P1");
  });

  it("ignores resolved alerts while others still fire", () => {
    expect(groupSeverity([alert("critical", "resolved"), alert("warning")], {})).toBe("P3");
  });

  it("falls back to the common labels when no alert is listed", () => {
    expect(groupSeverity([], { severity: "critical" })).toBe("P1");
  });
});
