import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { toAlertNotification } from "../../src/alerts/notification.js";
import { parseAlertmanagerWebhook } from "../../src/alerts/alertmanager-payload.js";
import { DEFAULT_MAX_DELIVERY_DELAY_MS, mergeAlertStates } from "../../src/core/alerts/merge.js";
import type { AlertMergeResult, AlertState } from "../../src/core/alerts/merge.js";
import type { AlertNotification, AlertObservation } from "../../src/core/alerts/types.js";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/alertmanager");
const T0 = Date.parse("2026-11-21T10:00:00Z");
/** A time `m` minutes after T0. */
const at = (m: number) => new Date(T0 + m * 60_000);

function firing(fingerprint: string, startsAt: number): AlertObservation {
  return {
    fingerprint,
    status: "firing",
    labels: { fp: fingerprint },
    annotations: {},
    startsAt: at(startsAt),
    endsAt: null,
    generatorURL: "",
  };
}

function resolved(fingerprint: string, startsAt: number, endsAt: number | null): AlertObservation {
  return {
    ...firing(fingerprint, startsAt),
    status: "resolved",
    endsAt: endsAt === null ? null : at(endsAt),
  };
}

function notify(
  receivedAt: number,
  alerts: AlertObservation[],
  extra: Partial<AlertNotification> = {},
): AlertNotification {
  return {
    receiver: "firebreak",
    status: alerts.some((a) => a.status === "firing") ? "firing" : "resolved",
    alerts,
    groupKey: '{}:{alertname="A"}',
    groupLabels: { alertname: "A" },
    commonLabels: { alertname: "A" },
    commonAnnotations: {},
    externalURL: "http://alertmanager:9093",
    truncatedAlerts: 0,
    receivedAt: at(receivedAt),
    ...extra,
  };
}

/** Feeds notifications in arrival order; returns the last result. */
function replay(...notifications: AlertNotification[]): AlertMergeResult {
  let states = new Map<string, AlertState>();
  let result: AlertMergeResult | undefined;
  for (const n of notifications) {
    result = mergeAlertStates(states, n);
    states = result.states;
  }
  return result!;
}

const kinds = (r: AlertMergeResult) => ({
  added: r.changes.added.map((a) => a.fingerprint),
  resolved: r.changes.resolved.map((a) => a.fingerprint),
  refired: r.changes.refired.map((a) => a.fingerprint),
  unchanged: r.changes.unchanged.map((a) => a.fingerprint),
  ignored: r.changes.ignored.map((i) => `${i.alert.fingerprint}:${i.reason}`),
  unlisted: r.changes.unlisted,
});

const none = { added: [], resolved: [], refired: [], unchanged: [], ignored: [], unlisted: [] };

describe("merging an Alertmanager notification into what is known of its group", () => {
  it("reports alerts seen for the first time as added", () => {
    const r = replay(notify(1, [firing("a", 0), firing("b", 0)]));
    expect(kinds(r)).toEqual({ ...none, added: ["a", "b"] });
    expect(r.states.get("a")).toEqual({
      status: "firing",
      startsAt: at(0),
      endsAt: null,
      lastNotificationAt: at(1),
    });
    expect(r.allResolved).toBe(false);
  });

  it("changes nothing on a duplicate delivery", () => {
    const n = notify(1, [firing("a", 0)]);
    const r = replay(n, { ...n, receivedAt: at(1.1) });
    expect(kinds(r)).toEqual({ ...none, unchanged: ["a"] });
    expect(r.states.get("a")?.status).toBe("firing");
  });

  it("resolves an alert whose resolution arrives, and says when the whole group is resolved", () => {
    const r = replay(
      notify(1, [firing("a", 0), firing("b", 0)]),
      notify(5, [resolved("a", 0, 4), firing("b", 0)]),
    );
    expect(kinds(r)).toEqual({ ...none, resolved: ["a"], unchanged: ["b"] });
    expect(r.allResolved).toBe(false);
    const all = mergeAlertStates(r.states, notify(9, [resolved("b", 0, 8)]));
    expect(kinds(all)).toEqual({ ...none, resolved: ["b"] });
    expect(all.states.get("b")).toEqual({
      status: "resolved",
      startsAt: at(0),
      endsAt: at(8),
      lastNotificationAt: at(9),
    });
    expect(all.allResolved).toBe(true);
  });

  it("follows the captured Alertmanager firing then resolved notifications", () => {
    const load = (name: string, m: number) => {
      const captured = JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), "utf8")) as {
        body: unknown;
      };
      return toAlertNotification(
        parseAlertmanagerWebhook(captured.body),
        new Date(Date.parse("2026-11-21T10:21:05Z") + m * 60_000),
      );
    };
    const r = replay(load("firing-single-critical", 0), load("resolved-single", 1));
    expect(kinds(r)).toEqual({ ...none, resolved: ["e2524269f87b183c"] });
    expect(r.allResolved).toBe(true);
  });

  it("does not modify the states it was given", () => {
    const first = replay(notify(1, [firing("a", 0)]));
    const before = structuredClone(first.states);
    mergeAlertStates(first.states, notify(5, [resolved("a", 0, 4)]));
    expect(first.states).toEqual(before);
  });

  describe("when notifications arrive out of order", () => {
    it("remembers a resolution that arrives before its firing, and ignores the late firing", () => {
      const early = replay(notify(5, [resolved("a", 0, 4)]));
      expect(kinds(early)).toEqual({ ...none, ignored: ["a:resolved_unseen"] });
      expect(early.states.get("a")?.status).toBe("resolved");
      const late = mergeAlertStates(early.states, notify(5.5, [firing("a", 0)]));
      expect(kinds(late)).toEqual({ ...none, ignored: ["a:stale_firing"] });
      expect(late.states.get("a")?.status).toBe("resolved");
    });

    it("ignores a late firing copy of an episode already seen resolved", () => {
      const r = replay(
        notify(1, [firing("a", 0)]),
        notify(5, [resolved("a", 0, 4)]),
        notify(5.2, [firing("a", 0)]),
      );
      expect(kinds(r)).toEqual({ ...none, ignored: ["a:stale_firing"] });
      expect(r.states.get("a")?.status).toBe("resolved");
      expect(r.allResolved).toBe(true);
    });

    it("ignores a late resolution of an earlier episode once the alert fires again", () => {
      const r = replay(
        notify(1, [firing("a", 0)]),
        notify(5, [resolved("a", 0, 4)]),
        notify(7, [firing("a", 6)]),
        notify(7.1, [resolved("a", 0, 4)]),
      );
      expect(kinds(r)).toEqual({ ...none, ignored: ["a:stale_resolution"] });
      expect(r.states.get("a")).toMatchObject({ status: "firing", startsAt: at(6) });
    });

    it("ignores a resolution that ended before the episode it would close began", () => {
      const r = replay(notify(10, [firing("a", 6)]), notify(10.1, [resolved("a", 0, 4)]));
      expect(kinds(r)).toEqual({ ...none, ignored: ["a:stale_resolution"] });
      expect(r.states.get("a")?.status).toBe("firing");
    });

    it("keeps the later start when an older firing copy arrives after a newer one", () => {
      const r = replay(notify(7, [firing("a", 6)]), notify(7.1, [firing("a", 0)]));
      expect(kinds(r)).toEqual({ ...none, unchanged: ["a"] });
      expect(r.states.get("a")?.startsAt).toEqual(at(6));
    });
  });

  describe("when a resolved alert fires again", () => {
    it("reports a new episode (a start after the resolution) as refired at once", () => {
      const r = replay(
        notify(1, [firing("a", 0)]),
        notify(5, [resolved("a", 0, 4)]),
        notify(5.5, [firing("a", 5)]),
      );
      expect(kinds(r)).toEqual({ ...none, refired: ["a"] });
      expect(r.states.get("a")).toEqual({
        status: "firing",
        startsAt: at(5),
        endsAt: at(4),
        lastNotificationAt: at(5.5),
      });
      expect(r.allResolved).toBe(false);
    });

    it("takes the same episode firing again as refired once it is too late to be a delayed copy", () => {
      const delay = DEFAULT_MAX_DELIVERY_DELAY_MS / 60_000;
      const r = replay(
        notify(1, [firing("a", 0)]),
        notify(5, [resolved("a", 0, 4)]),
        notify(5 + delay + 0.5, [firing("a", 0)]),
      );
      expect(kinds(r)).toEqual({ ...none, refired: ["a"] });
    });

    it("takes it as refired at once when the same notification proves it was made after the resolution", () => {
      const r = replay(
        notify(1, [firing("a", 0), firing("b", 0)]),
        notify(5, [resolved("a", 0, 4), firing("b", 0)]),
        notify(5.5, [firing("a", 0), resolved("b", 0, 5.2)]),
      );
      expect(kinds(r)).toEqual({ ...none, refired: ["a"], resolved: ["b"] });
    });

    it("honours a configured delivery delay", () => {
      const states = replay(notify(1, [firing("a", 0)]), notify(5, [resolved("a", 0, 4)])).states;
      const r = mergeAlertStates(states, notify(5.5, [firing("a", 0)]), { maxDeliveryDelayMs: 10_000 });
      expect(kinds(r)).toEqual({ ...none, refired: ["a"] });
    });

    it("does not take a second copy of the resolution as news", () => {
      const r = replay(
        notify(1, [firing("a", 0)]),
        notify(5, [resolved("a", 0, 4)]),
        notify(5.1, [resolved("a", 0, 4)]),
      );
      expect(kinds(r)).toEqual({ ...none, unchanged: ["a"] });
    });
  });

  describe("when Alertmanager lists only part of the group", () => {
    it("never resolves alerts left out of a truncated notification", () => {
      const r = replay(
        notify(1, [firing("a", 0), firing("b", 0), firing("c", 0)]),
        notify(5, [resolved("a", 0, 4)], { status: "firing", truncatedAlerts: 2 }),
      );
      expect(kinds(r)).toEqual({ ...none, resolved: ["a"], unlisted: ["b", "c"] });
      expect(r.states.get("b")?.status).toBe("firing");
      expect(r.allResolved).toBe(false);
    });

    it("does not call the group resolved while truncated alerts may still fire", () => {
      const r = replay(notify(5, [resolved("a", 0, 4)], { status: "firing", truncatedAlerts: 3 }));
      expect(r.allResolved).toBe(false);
      const done = replay(notify(5, [resolved("a", 0, 4)], { status: "resolved", truncatedAlerts: 3 }));
      expect(done.allResolved).toBe(true);
    });

    it("does not resolve a firing alert just because a complete notification omits it", () => {
      const r = replay(notify(1, [firing("a", 0), firing("b", 0)]), notify(2, [resolved("a", 0, 1.5)]));
      expect(kinds(r)).toEqual({ ...none, resolved: ["a"], unlisted: ["b"] });
      expect(r.allResolved).toBe(false);
    });

    it("reads the captured truncated notification as five firing alerts and more unknown", () => {
      const captured = JSON.parse(
        readFileSync(path.join(FIXTURES, "firing-group-truncated.json"), "utf8"),
      ) as { body: unknown };
      const r = mergeAlertStates(
        new Map(),
        toAlertNotification(parseAlertmanagerWebhook(captured.body), at(0)),
      );
      expect(r.changes.added).toHaveLength(5);
      expect(r.allResolved).toBe(false);
    });
  });

  it("takes a resolution without an end as ended when it arrived", () => {
    const r = replay(notify(1, [firing("a", 0)]), notify(5, [resolved("a", 0, null)]));
    expect(kinds(r)).toEqual({ ...none, resolved: ["a"] });
    expect(r.states.get("a")?.endsAt).toEqual(at(5));
  });
});
