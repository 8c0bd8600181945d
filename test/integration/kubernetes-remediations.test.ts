import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  RESTARTED_AT,
  k8sDeletePod,
  k8sRollback,
  k8sRolloutRestart,
  k8sScale,
  type KubernetesTarget,
} from "../../src/actions/kubernetes/index.js";
import { FirebreakError } from "../../src/core/errors.js";
import type { KubeApiFake, KubeObject } from "../../src/emulator/kubernetes/index.js";
import {
  APP_PODS,
  CRASHING_POD,
  contextFor,
  preview,
  run,
  startFixtureCluster,
  targetFor,
  writesTo,
} from "../fixtures/kubernetes/harness.js";

let fake: KubeApiFake;
let target: KubernetesTarget;

beforeEach(async () => {
  fake = await startFixtureCluster();
  target = targetFor(fake);
});
afterEach(async () => {
  await fake.close();
});

interface Deployment extends KubeObject {
  spec: {
    replicas: number;
    template: {
      metadata?: { annotations?: Record<string, string> };
      spec: { containers: { image: string }[] };
    };
  };
  status: { replicas: number; updatedReplicas: number; readyReplicas: number; availableReplicas: number };
}

const deployment = () => fake.state.get<Deployment>("apps/deployments", "ecommerce", "app")!;
const revision = () => deployment().metadata.annotations?.["deployment.kubernetes.io/revision"];
const image = () => deployment().spec.template.spec.containers[0]?.image;
const replicaSets = () =>
  fake.state
    .list("apps/replicasets", "ecommerce")
    .map((rs) => [
      rs.metadata.name,
      rs.metadata.annotations?.["deployment.kubernetes.io/revision"],
      (rs.spec as { replicas: number }).replicas,
    ]);
const appPods = () =>
  fake.state
    .list("/pods", "ecommerce")
    .map((p) => p.metadata.name)
    .filter((n) => n.startsWith("app-"));

async function refusal(promise: Promise<unknown>): Promise<FirebreakError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FirebreakError);
  return err as FirebreakError;
}

describe("k8s.scale", () => {
  it("previews exactly the change and changes nothing", async () => {
    const before = fake.state.resourceVersion;
    const p = await preview(k8sScale, contextFor(target), {
      namespace: "ecommerce",
      deployment: "app",
      replicas: 5,
    });
    expect(p.changes).toEqual(["deployment ecommerce/app replicas 3 → 5"]);
    expect(p.expect).toEqual({ replicas: 3 });
    expect(writesTo(fake)).toEqual([]);
    expect(fake.state.resourceVersion).toBe(before);
  });

  it("scales through the scale subresource and the new pods come up", async () => {
    const out = await run(k8sScale, contextFor(target), {
      namespace: "ecommerce",
      deployment: "app",
      replicas: 5,
      expect: { replicas: 3 },
    });
    expect(out.summary).toBe("deployment ecommerce/app scaled 3 → 5 replicas");
    expect(writesTo(fake).map((r) => `${r.method} ${r.url.split("?")[0]}`)).toEqual([
      "PUT /apis/apps/v1/namespaces/ecommerce/deployments/app/scale",
    ]);
    expect(deployment().spec.replicas).toBe(5);
    expect(appPods()).toHaveLength(5);
    expect(deployment().status).toMatchObject({ replicas: 5, updatedReplicas: 5, readyReplicas: 4 });
  });

  it("refuses a count outside the target's bounds, naming them, and changes nothing", async () => {
    for (const replicas of [0, 11, 50]) {
      const args = { namespace: "ecommerce", deployment: "app", replicas };
      const err = await refusal(run(k8sScale, contextFor(target), args));
      expect(err.code).toBe("forbidden");
      expect(err.message).toBe(
        `${replicas} replicas is outside the bounds allowed on Kubernetes target shop-prod (1–10); nothing changed.`,
      );
      expect((await refusal(preview(k8sScale, contextFor(target), args))).code).toBe("forbidden");
    }
    expect(fake.requests).toEqual([]);
    expect(deployment().spec.replicas).toBe(3);
  });

  it("refuses to scale at all on a target without bounds", async () => {
    const unbounded = { ...target, scale: undefined };
    const err = await refusal(
      run(k8sScale, contextFor(unbounded), { namespace: "ecommerce", deployment: "app", replicas: 4 }),
    );
    expect(err.code).toBe("forbidden");
    expect(err.message).toContain("Scaling is not enabled on Kubernetes target shop-prod");
    expect(deployment().spec.replicas).toBe(3);
  });

  it("refuses when the replica count moved since the approval", async () => {
    await run(k8sScale, contextFor(target), { namespace: "ecommerce", deployment: "app", replicas: 4 });
    const err = await refusal(
      run(k8sScale, contextFor(target), {
        namespace: "ecommerce",
        deployment: "app",
        replicas: 6,
        expect: { replicas: 3 },
      }),
    );
    expect(err.code).toBe("conflict");
    expect(err.message).toBe(
      "deployment ecommerce/app now has 4 replicas, not 3 as approved; nothing changed. Preview it again.",
    );
    expect(deployment().spec.replicas).toBe(4);
  });

  it("refuses other namespaces and says which deployment is missing", async () => {
    const forbidden = await refusal(
      run(k8sScale, contextFor(target), { namespace: "payments", deployment: "app", replicas: 2 }),
    );
    expect(forbidden.code).toBe("forbidden");
    const missing = await refusal(
      preview(k8sScale, contextFor(target), { namespace: "ecommerce", deployment: "web", replicas: 2 }),
    );
    expect(missing.code).toBe("not_found");
    expect(missing.message).toBe("deployment ecommerce/web not found on Kubernetes target shop-prod.");
  });
});

describe("k8s.rollout_restart", () => {
  it("previews the restart and changes nothing", async () => {
    const before = fake.state.resourceVersion;
    const p = await preview(k8sRolloutRestart, contextFor(target), {
      namespace: "ecommerce",
      deployment: "app",
    });
    expect(p.changes).toEqual([
      "deployment ecommerce/app rollout restart: all 3 pods replaced by a rolling update (revision 2 → 3)",
    ]);
    expect(p.expect).toEqual({ revision: "2" });
    expect(writesTo(fake)).toEqual([]);
    expect(fake.state.resourceVersion).toBe(before);
  });

  it("stamps restartedAt on the pod template like kubectl, and every pod is replaced", async () => {
    const out = await run(k8sRolloutRestart, contextFor(target), {
      namespace: "ecommerce",
      deployment: "app",
      expect: { revision: "2" },
    });
    expect(out.summary).toContain("deployment ecommerce/app rollout restart started at 2026-03-14T03:00:00Z");
    expect(deployment().spec.template.metadata?.annotations?.[RESTARTED_AT]).toBe("2026-03-14T03:00:00Z");
    expect(revision()).toBe("3");
    expect(appPods().some((n) => (APP_PODS as readonly string[]).includes(n))).toBe(false);
    expect(appPods()).toHaveLength(3);
    expect(deployment().status).toMatchObject({
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    });
  });

  it("refuses when another rollout happened since the approval", async () => {
    await run(k8sRolloutRestart, contextFor(target), { namespace: "ecommerce", deployment: "app" });
    const err = await refusal(
      run(k8sRolloutRestart, contextFor(target), {
        namespace: "ecommerce",
        deployment: "app",
        expect: { revision: "2" },
      }),
    );
    expect(err.code).toBe("conflict");
    expect(err.message).toContain("now at revision 3, not 2 as approved");
  });

  it("refuses other namespaces and missing deployments", async () => {
    expect(
      (
        await refusal(
          run(k8sRolloutRestart, contextFor(target), { namespace: "kube-system", deployment: "coredns" }),
        )
      ).code,
    ).toBe("forbidden");
    expect(
      (
        await refusal(
          preview(k8sRolloutRestart, contextFor(target), { namespace: "ecommerce", deployment: "web" }),
        )
      ).message,
    ).toBe("deployment ecommerce/web not found on Kubernetes target shop-prod.");
  });
});

describe("k8s.rollback", () => {
  it("previews going back to the previous revision, with the image change, and changes nothing", async () => {
    const before = fake.state.resourceVersion;
    const p = await preview(k8sRollback, contextFor(target), { namespace: "ecommerce", deployment: "app" });
    expect(p.changes).toEqual([
      "deployment ecommerce/app rollback revision 2 → 1 (pod template of ReplicaSet app-7d9f8c6b5)",
      "container app image registry.example.com/shop/app:1.5.0 → registry.example.com/shop/app:1.4.2",
    ]);
    expect(p.expect).toEqual({ revision: "2", toRevision: "1" });
    expect(writesTo(fake)).toEqual([]);
    expect(fake.state.resourceVersion).toBe(before);
  });

  it("puts back the template of the previous revision, which the old ReplicaSet takes over", async () => {
    const out = await run(k8sRollback, contextFor(target), {
      namespace: "ecommerce",
      deployment: "app",
      expect: { revision: "2", toRevision: "1" },
    });
    expect(out.summary).toBe(
      "deployment ecommerce/app rolled back from revision 2 to the template of revision 1; follow it with k8s.rollout_status",
    );
    expect(image()).toBe("registry.example.com/shop/app:1.4.2");
    // Like a real cluster: the old ReplicaSet is reused and renumbered, no new one appears.
    expect(replicaSets()).toEqual([
      ["app-5c8d7f9b4", "2", 0],
      ["app-7d9f8c6b5", "3", 3],
    ]);
    expect(revision()).toBe("3");
    expect(appPods().every((n) => n.startsWith("app-7d9f8c6b5-"))).toBe(true);
  });

  it("after a restart, goes back to the template before it", async () => {
    await run(k8sRolloutRestart, contextFor(target), { namespace: "ecommerce", deployment: "app" });
    const p = await preview(k8sRollback, contextFor(target), { namespace: "ecommerce", deployment: "app" });
    expect(p.changes[0]).toBe(
      "deployment ecommerce/app rollback revision 3 → 2 (pod template of ReplicaSet app-5c8d7f9b4)",
    );
    await run(k8sRollback, contextFor(target), {
      namespace: "ecommerce",
      deployment: "app",
      expect: p.expect,
    });
    expect(deployment().spec.template.metadata?.annotations?.[RESTARTED_AT]).toBeUndefined();
    expect(image()).toBe("registry.example.com/shop/app:1.5.0");
  });

  it("goes to a named revision, and refuses one that does not exist", async () => {
    await run(k8sRolloutRestart, contextFor(target), { namespace: "ecommerce", deployment: "app" });
    const p = await preview(k8sRollback, contextFor(target), {
      namespace: "ecommerce",
      deployment: "app",
      toRevision: 1,
    });
    expect(p.expect).toEqual({ revision: "3", toRevision: "1" });
    const err = await refusal(
      preview(k8sRollback, contextFor(target), { namespace: "ecommerce", deployment: "app", toRevision: 7 }),
    );
    expect(err.code).toBe("not_found");
    expect(err.message).toBe("deployment ecommerce/app has no revision 7 (revisions: 3, 2, 1).");
  });

  it("refuses when the deployment moved since the approval", async () => {
    await run(k8sRolloutRestart, contextFor(target), { namespace: "ecommerce", deployment: "app" });
    const err = await refusal(
      run(k8sRollback, contextFor(target), {
        namespace: "ecommerce",
        deployment: "app",
        expect: { revision: "2", toRevision: "1" },
      }),
    );
    expect(err.code).toBe("conflict");
    expect(image()).toBe("registry.example.com/shop/app:1.5.0");
  });

  it("refuses when there is no earlier revision", async () => {
    fake.state.remove("apps/replicasets", "ecommerce", "app-7d9f8c6b5");
    const err = await refusal(
      preview(k8sRollback, contextFor(target), { namespace: "ecommerce", deployment: "app" }),
    );
    expect(err.code).toBe("not_found");
    expect(err.message).toBe(
      "deployment ecommerce/app has no previous revision to roll back to (revisions: 2).",
    );
  });

  it("refuses other namespaces", async () => {
    const err = await refusal(
      run(k8sRollback, contextFor(target), { namespace: "payments", deployment: "ledger" }),
    );
    expect(err.code).toBe("forbidden");
    expect(fake.requests).toEqual([]);
  });
});

describe("k8s.delete_pod", () => {
  it("previews the deletion, saying whether the pod comes back, and changes nothing", async () => {
    const p = await preview(k8sDeletePod, contextFor(target), { namespace: "ecommerce", pod: CRASHING_POD });
    expect(p.changes).toEqual([
      `pod ecommerce/${CRASHING_POD} deleted; ReplicaSet app-5c8d7f9b4 will create a replacement`,
    ]);
    expect(p.table?.rows).toEqual([[CRASHING_POD, "Running (CrashLoopBackOff)", "0/1", 7, "48m", "node-a"]]);
    expect(p.expect).toEqual({ uid: "3a9e7c55-1f2b-4d8e-a6c0-7b5d4e3f2a13" });
    expect(writesTo(fake)).toEqual([]);
  });

  it("warns that a pod without a controller will not come back", async () => {
    const unowned = targetFor(fake, { namespaces: ["ecommerce", "payments"] });
    const p = await preview(k8sDeletePod, contextFor(unowned), { namespace: "payments", pod: "ledger-0" });
    expect(p.changes).toEqual([
      "pod payments/ledger-0 deleted; no controller owns it: it will NOT be recreated",
    ]);
  });

  it("deletes the approved pod and its ReplicaSet replaces it", async () => {
    const out = await run(k8sDeletePod, contextFor(target), {
      namespace: "ecommerce",
      pod: CRASHING_POD,
      expect: { uid: "3a9e7c55-1f2b-4d8e-a6c0-7b5d4e3f2a13" },
    });
    expect(out.summary).toBe(
      `pod ecommerce/${CRASHING_POD} deleted; ReplicaSet app-5c8d7f9b4 will create a replacement`,
    );
    expect(appPods()).not.toContain(CRASHING_POD);
    expect(appPods()).toHaveLength(3);
    expect(deployment().status).toMatchObject({ readyReplicas: 3 });
  });

  it("does not delete a pod that was replaced since the approval", async () => {
    const err = await refusal(
      run(k8sDeletePod, contextFor(target), {
        namespace: "ecommerce",
        pod: "mysql-0",
        expect: { uid: "an-older-uid" },
      }),
    );
    expect(err.code).toBe("conflict");
    expect(fake.state.get("/pods", "ecommerce", "mysql-0")?.metadata.uid).toBe(
      "8d2b4f6a-3c5e-4a7b-9d1f-2e4c6a8b0d11",
    );
  });

  it("refuses other namespaces and missing pods", async () => {
    expect(
      (await refusal(run(k8sDeletePod, contextFor(target), { namespace: "payments", pod: "ledger-0" }))).code,
    ).toBe("forbidden");
    expect(fake.state.get("/pods", "payments", "ledger-0")).toBeDefined();
    const missing = await refusal(
      run(k8sDeletePod, contextFor(target), { namespace: "ecommerce", pod: "app-gone" }),
    );
    expect(missing.message).toBe("pod ecommerce/app-gone not found on Kubernetes target shop-prod.");
  });
});
