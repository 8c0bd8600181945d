import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeApiFake } from "../../src/emulator/kubernetes/index.js";
import type { Incident } from "../../src/store/incidents/incidents.js";
import { startFixtureCluster } from "../fixtures/kubernetes/harness.js";
import { startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";
import { declareIncident, ephemeralFor, eventsOf, runConfig, slashRun } from "./run-helpers.js";

/**
 * A refusal is told to the person who asked, and only to them; it never renders what they
 * typed as Slack markup, and a request that cannot run is refused before it starts rather
 * than accepted and then failed in front of the whole channel.
 */
const TARGETS = `
targets:
  http:
    shop: { url: "http://127.0.0.1:9/health", hosts: ["db.internal:5432"] }
  kubernetes:
    shop-prod:
      kubeconfig_env: FBT_SHOP_KUBECONFIG
      context: shop-prod
      namespaces: [ecommerce]
`;

let fake: KubeApiFake;
let h: Harness;
let incident: Incident;
beforeAll(async () => {
  fake = await startFixtureCluster();
  h = await startHarness({
    configYaml: runConfig(TARGETS),
    env: { FBT_SHOP_KUBECONFIG: fake.kubeconfigYaml("shop-prod") },
  });
  incident = await declareIncident(h, "P2 Refusals");
});
afterAll(async () => {
  await h?.stop();
  await fake?.close();
});

const runRows = async () => Number((await h.db.pool.query("SELECT count(*) AS n FROM runs")).rows[0].n);
const botPostsMentioning = (needle: string) =>
  h.emulator
    .messages(incident.channelId!)
    .filter((m) => m.bot_id && JSON.stringify(m.blocks ?? m.text).includes(needle));

describe("refusals", () => {
  it("show what was typed as text, never as a mention or a link", async () => {
    const sev = await h.sender.slashCommand({
      command: "/incident",
      text: "sev <!channel>",
      userId: "U0CAROL",
      channelId: incident.channelId!,
    });
    expect(sev.status).toBe(200);
    const reply = JSON.stringify(sev.json);
    expect(reply).toContain("&lt;!channel&gt;");
    expect(reply).not.toContain("<!channel>");

    await slashRun(
      h,
      "k8s-pods namespace=ecommerce selector=<https://evil.example|click>",
      "U0CAROL",
      incident.channelId!,
    );
    const refused = await ephemeralFor(h, "U0CAROL", "Nothing ran");
    expect(refused.text).not.toMatch(/<https?:/);
  });

  it("refuses a net-tcp host the target does not list before anything runs, to the requester only", async () => {
    const before = await runRows();
    await slashRun(h, "net-tcp target=shop host=unlisted.example port=22", "U0CAROL", incident.channelId!);
    const reply = await ephemeralFor(h, "U0CAROL", "unlisted.example");
    expect(reply.text).toMatch(/Nothing ran/);
    expect(await runRows()).toBe(before);
    expect(botPostsMentioning("unlisted.example")).toEqual([]);
    const refusals = await eventsOf(h, incident.id, "run.refused");
    expect(refusals.map((e) => (e.data as { command?: string }).command)).toContain("net-tcp");
  });

  it("refuses a k8s-pods selector Kubernetes would reject, and a namespace the target does not allow, the same way", async () => {
    const before = await runRows();
    await slashRun(h, "k8s-pods namespace=ecommerce selector=(app", "U0CAROL", incident.channelId!);
    await ephemeralFor(h, "U0CAROL", /label selector/);
    await slashRun(h, "k8s-pods namespace=kube-system", "U0CAROL", incident.channelId!);
    await ephemeralFor(h, "U0CAROL", /kube-system/);
    expect(await runRows()).toBe(before);
    expect(botPostsMentioning("kube-system")).toEqual([]);
  });
});
