import { describe, expect, it } from "vitest";
import { parseQuantity } from "../../src/actions/kubernetes/format.js";
import { jsonPatch, mergePatch, strategicMergePatch } from "../../src/emulator/kubernetes/patch.js";
import { KubeApiError } from "../../src/emulator/kubernetes/status.js";

const pod = {
  metadata: { labels: { app: "web", tier: "front" } },
  spec: {
    containers: [
      { name: "app", image: "app:1", env: [{ name: "A", value: "1" }] },
      { name: "proxy", image: "envoy:1" },
    ],
    volumes: [{ name: "data", emptyDir: {} }],
  },
};

describe("the fake's merge patch (RFC 7386)", () => {
  it("merges maps, removes nulls and replaces lists whole", () => {
    expect(mergePatch(pod, { metadata: { labels: { tier: null, v: "2" } }, spec: { volumes: [] } })).toEqual({
      metadata: { labels: { app: "web", v: "2" } },
      spec: { containers: pod.spec.containers, volumes: [] },
    });
  });
});

describe("the fake's strategic merge patch, as kubectl sends it", () => {
  it("merges containers by name and keeps the fields the patch does not mention", () => {
    const out = strategicMergePatch(pod, {
      spec: {
        "$setElementOrder/containers": [{ name: "app" }, { name: "proxy" }],
        containers: [{ name: "app", image: "app:2", env: [{ name: "B", value: "2" }] }],
      },
    }) as typeof pod;
    expect(out.spec.containers).toEqual([
      {
        name: "app",
        image: "app:2",
        env: [
          { name: "A", value: "1" },
          { name: "B", value: "2" },
        ],
      },
      { name: "proxy", image: "envoy:1" },
    ]);
  });

  it("honours $patch: delete in a keyed list and $patch: replace on a map", () => {
    const out = strategicMergePatch(pod, {
      metadata: { labels: { $patch: "replace", only: "this" } },
      spec: { containers: [{ name: "proxy", $patch: "delete" }] },
    }) as typeof pod;
    expect(out.metadata.labels).toEqual({ only: "this" });
    expect(out.spec.containers.map((c) => c.name)).toEqual(["app"]);
  });
});

describe("the fake's JSON patch (RFC 6902)", () => {
  it("adds, replaces, moves, copies and removes by pointer", () => {
    const out = jsonPatch(pod, [
      { op: "add", path: "/spec/containers/-", value: { name: "log", image: "fluent:1" } },
      { op: "replace", path: "/metadata/labels/app", value: "api" },
      { op: "copy", from: "/metadata/labels/app", path: "/metadata/labels/name" },
      { op: "move", from: "/metadata/labels/tier", path: "/metadata/labels/layer" },
      { op: "remove", path: "/spec/containers/1" },
      { op: "test", path: "/spec/containers/1/name", value: "log" },
    ]) as typeof pod;
    expect(out.metadata.labels).toEqual({ app: "api", name: "api", layer: "front" });
    expect(out.spec.containers.map((c) => c.name)).toEqual(["app", "log"]);
  });

  it("fails on a failed test or a missing path with a 422, leaving the input alone", () => {
    const before = structuredClone(pod);
    for (const ops of [
      [{ op: "test", path: "/metadata/labels/app", value: "db" }],
      [{ op: "replace", path: "/spec/nothing/here", value: 1 }],
      [{ op: "remove", path: "/spec/containers/9" }],
    ]) {
      let status = 0;
      try {
        jsonPatch(pod, ops);
      } catch (err) {
        status = err instanceof KubeApiError ? err.status.code : -1;
      }
      expect(status, JSON.stringify(ops)).toBe(422);
    }
    expect(pod).toEqual(before);
  });
});

describe("Kubernetes quantities", () => {
  it("read in base units whatever the suffix", () => {
    expect(parseQuantity("250m")).toBeCloseTo(0.25);
    expect(parseQuantity("212345678n")).toBeCloseTo(0.212345678);
    expect(parseQuantity("2")).toBe(2);
    expect(parseQuantity("287340Ki")).toBe(287340 * 1024);
    expect(parseQuantity("1.5Gi")).toBe(1.5 * 2 ** 30);
    expect(parseQuantity("128M")).toBe(128e6);
    expect(parseQuantity("1e3")).toBe(1000);
    expect(parseQuantity("12 Mi")).toBeNaN();
    expect(parseQuantity("lots")).toBeNaN();
  });
});
