import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeApiFake, KubeObject } from "../../src/emulator/kubernetes/index.js";
import { startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";
import { APP_PODS, startFixtureCluster } from "../fixtures/kubernetes/harness.js";
import {
  botMessage,
  clickDecision,
  declareIncident,
  ephemeralFor,
  eventsOf,
  requestRun,
  runConfig,
  runInState,
  slashRun,
} from "./run-helpers.js";

const TARGETS = `
targets:
  kubernetes:
    shop-prod:
      kubeconfig_env: FBT_SHOP_KUBECONFIG
      context: shop-prod
      namespaces: [ecommerce]
      scale: { min: 1, max: 10 }
`;

let fake: KubeApiFake;
let h: Harness;
beforeAll(async () => {
  fake = await startFixtureCluster();
  h = await startHarness({
    configYaml: runConfig(TARGETS),
    env: { FBT_SHOP_KUBECONFIG: fake.kubeconfigYaml("shop-prod") },
  });
});
afterAll(async () => {
  await h?.stop();
  await fake?.close();
});

const replicas = () =>
  fake.state.get<KubeObject & { spec: { replicas: number } }>("apps/deployments", "ecommerce", "app")!.spec
    .replicas;

describe("Kubernetes from an incident channel, through a kubeconfig", () => {
  it("lists the pods at once, then scales a deployment after an approval", async () => {
    const incident = await declareIncident(h, "P1 Checkout pods crash-looping");
    const channel = incident.channelId!;

    const pods = await requestRun(h, "k8s-pods namespace=ecommerce selector=app=web", "U0CAROL", channel);
    expect(pods.params).toEqual({ target: "shop-prod", namespace: "ecommerce", selector: "app=web" });
    expect((await runInState(h, pods.id, ["succeeded", "failed"])).state).toBe("succeeded");
    const all = await requestRun(h, "k8s-pods namespace=ecommerce", "U0CAROL", channel);
    const listed = await runInState(h, all.id, ["succeeded", "failed"]);
    expect(listed.state, listed.outcome?.error).toBe("succeeded");
    const message = await botMessage(h, channel, `run #${all.id}`, "pods posted");
    for (const pod of APP_PODS) expect(JSON.stringify(message.blocks)).toContain(pod);

    // Refused before it starts, to the requester only (issue 10: refusals never go public).
    const runsBefore = (await h.db.pool.query("SELECT count(*)::int AS n FROM runs")).rows[0].n as number;
    await slashRun(h, "k8s-pods namespace=kube-system", "U0CAROL", channel);
    const refused = await ephemeralFor(h, "U0CAROL", "kube-system");
    expect(refused.text).toMatch(/Namespace kube-system is not allowed on Kubernetes target shop-prod/);
    expect((await h.db.pool.query("SELECT count(*)::int AS n FROM runs")).rows[0].n).toBe(runsBefore);

    expect(replicas()).toBe(3);
    const scale = await requestRun(
      h,
      "k8s-scale namespace=ecommerce deployment=app replicas=5",
      "U0CAROL",
      channel,
    );
    const pending = await runInState(h, scale.id, ["awaiting_approval", "failed"]);
    expect(pending.preview?.changes.join("\n")).toMatch(/ecommerce\/app .*3 → 5/);
    expect(replicas()).toBe(3);
    await clickDecision(h, pending, "U0BOB", "approve");
    const done = await runInState(h, scale.id, ["succeeded", "failed"]);
    expect(done.state, done.outcome?.error).toBe("succeeded");
    expect(replicas()).toBe(5);
    await botMessage(h, channel, `run #${scale.id}`, "scale result posted");
  });

  it("refuses a scale beyond the target's bounds before asking anyone", async () => {
    const incident = await declareIncident(h, "P2 Scale too far");
    await slashRun(
      h,
      "k8s-scale namespace=ecommerce deployment=app replicas=50",
      "U0CAROL",
      incident.channelId!,
    );
    const refused = await ephemeralFor(h, "U0CAROL", "replicas");
    expect(refused.text).toMatch(/outside the bounds allowed on Kubernetes target shop-prod \(1–10\)/);
    const events = await eventsOf(h, incident.id, "run.refused");
    expect(events).toHaveLength(1);
    expect(
      h.emulator.messages(incident.channelId!).some((m) => /replicas 3 → 50/.test(JSON.stringify(m))),
    ).toBe(false);
  });
});
