import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  k8sEvents,
  k8sLogs,
  k8sPods,
  k8sRolloutStatus,
  k8sTopPods,
  type KubernetesTarget,
} from "../../src/actions/kubernetes/index.js";
import { FirebreakError } from "../../src/core/errors.js";
import type { KubeApiFake } from "../../src/emulator/kubernetes/index.js";
import {
  CRASHING_POD,
  contextFor,
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

async function refusal(promise: Promise<unknown>): Promise<FirebreakError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FirebreakError);
  return err as FirebreakError;
}

describe("k8s.pods", () => {
  it("lists every pod with phase, readiness, restarts, age and node, flagging the crash loop", async () => {
    const out = await run(k8sPods, contextFor(target), { namespace: "ecommerce" });
    expect(out.table?.columns).toEqual(["name", "phase", "ready", "restarts", "age", "node"]);
    expect(out.table?.rows).toEqual([
      ["app-5c8d7f9b4-2xkqp", "Running", "1/1", 0, "49m", "node-a"],
      ["app-5c8d7f9b4-7hjwn", "Running", "1/1", 0, "49m", "node-b"],
      [CRASHING_POD, "Running (CrashLoopBackOff)", "0/1", 7, "48m", "node-a"],
      ["mysql-0", "Running", "1/1", 0, "14d", "node-b"],
    ]);
    expect(out.status).toBe("warning");
    expect(out.summary).toBe("4 pods in ecommerce, 1 not ready");
  });

  it("narrows to a label selector", async () => {
    const out = await run(k8sPods, contextFor(target), {
      namespace: "ecommerce",
      labelSelector: "app=mysql",
    });
    expect(out.table?.rows.map((r) => r[0])).toEqual(["mysql-0"]);
    expect(out.status).toBe("ok");
  });

  it("accepts only plain label selectors", () => {
    for (const ok of [
      "app=web",
      "app==web,tier!=db",
      "env in (prod,staging)",
      "!canary",
      "example.com/team=shop",
    ])
      expect(k8sPods.argsSchema.safeParse({ namespace: "ecommerce", labelSelector: ok }).success, ok).toBe(
        true,
      );
    for (const bad of ["app=web;rm -rf", "app = web", "a=b)", "x=" + "y".repeat(300), "app=$(id)"])
      expect(k8sPods.argsSchema.safeParse({ namespace: "ecommerce", labelSelector: bad }).success, bad).toBe(
        false,
      );
  });

  it("refuses a namespace the target does not allow, naming the allowed ones, without calling the cluster", async () => {
    const err = await refusal(run(k8sPods, contextFor(target), { namespace: "payments" }));
    expect(err.code).toBe("forbidden");
    expect(err.message).toContain("payments");
    expect(err.message).toContain("allowed: ecommerce");
    expect(fake.requests).toHaveLength(0);
  });

  it("rejects names that are not DNS-1123", () => {
    for (const namespace of ["Ecommerce", "e_commerce", "-x", "a".repeat(64), "ecommerce/../kube-system"])
      expect(k8sPods.argsSchema.safeParse({ namespace }).success, namespace).toBe(false);
  });

  it("says plainly when the credentials are rejected", async () => {
    const wrong = { ...target, kubeconfig: target.kubeconfig.replace(fake.token, "not-the-token") };
    const err = await refusal(run(k8sPods, contextFor(wrong), { namespace: "ecommerce" }));
    expect(err.code).toBe("forbidden");
    expect(err.message).toContain("rejected Firebreak's credentials (401 Unauthorized)");
  });

  it("says plainly when the API server cannot be reached", async () => {
    await fake.close();
    const err = await refusal(run(k8sPods, contextFor(target), { namespace: "ecommerce" }));
    expect(err.code).toBe("dependency_unavailable");
    expect(err.message).toContain(`at ${fake.url}`);
    fake = await startFixtureCluster();
  });

  it("passes on what RBAC refused, so that someone can grant it", async () => {
    const strict = await startFixtureCluster({ authorize: (a) => a.resource !== "pods" });
    try {
      const err = await refusal(run(k8sPods, contextFor(targetFor(strict)), { namespace: "ecommerce" }));
      expect(err.code).toBe("forbidden");
      expect(err.message).toBe(
        'Kubernetes target shop-prod refused: pods is forbidden: User "system:serviceaccount:firebreak:firebreak" cannot list resource "pods" in API group "" in the namespace "ecommerce". Grant Firebreak that permission (RBAC) or drop the step.',
      );
    } finally {
      await strict.close();
    }
  });

  it("stops when the run is cancelled or times out", async () => {
    const cancelled = await refusal(
      run(k8sPods, contextFor(target, AbortSignal.abort()), { namespace: "ecommerce" }),
    );
    expect(cancelled.code).toBe("action_failed");
    expect(cancelled.message).toContain("Cancelled before Kubernetes target shop-prod answered");
    const timedOut = await refusal(
      run(k8sPods, contextFor(target, AbortSignal.abort(new DOMException("slow", "TimeoutError"))), {
        namespace: "ecommerce",
      }),
    );
    expect(timedOut.code).toBe("timeout");
    expect(fake.requests).toEqual([]);
  });

  it("reads a kubeconfig from a file path as well as inline", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "firebreak-kubeconfig-"));
    try {
      const file = path.join(dir, "config");
      await fake.writeKubeconfig(file, "shop-prod");
      const out = await run(k8sPods, contextFor({ ...target, kubeconfig: file }), { namespace: "ecommerce" });
      expect(out.table?.rows).toHaveLength(4);
      const err = await refusal(
        run(k8sPods, contextFor({ ...target, kubeconfig: path.join(dir, "missing") }), {
          namespace: "ecommerce",
        }),
      );
      expect(err.code).toBe("config_invalid");
      expect(err.message).toBe(
        `Kubernetes target shop-prod: cannot read kubeconfig ${path.join(dir, "missing")} (ENOENT).`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("never puts an inline kubeconfig, with its token, in an error", async () => {
    const err = await refusal(
      run(k8sPods, contextFor({ ...target, kubeconfig: `${target.kubeconfig}\n: [broken` }), {
        namespace: "ecommerce",
      }),
    );
    expect(err.code).toBe("config_invalid");
    expect(err.message).toContain("cannot read its inline kubeconfig");
    expect(err.message).not.toContain(fake.token);
  });

  it("names the target when its kubeconfig lacks the configured context", async () => {
    const err = await refusal(
      run(k8sPods, contextFor({ ...target, context: "elsewhere" }), { namespace: "ecommerce" }),
    );
    expect(err.code).toBe("config_invalid");
    expect(err.message).toBe(
      "Kubernetes target shop-prod: context elsewhere is not in its kubeconfig (contexts: shop-prod).",
    );
  });
});

describe("k8s.logs", () => {
  it("returns the last lines of the only container, 100 by default", async () => {
    const out = await run(k8sLogs, contextFor(target), {
      namespace: "ecommerce",
      pod: "app-5c8d7f9b4-2xkqp",
      tail: 3,
    });
    expect(out.text?.trimEnd().split("\n")).toEqual([
      "2026-03-14T02:57:48Z WARN mysql pool: 20/20 connections in use, 14 waiting",
      "2026-03-14T02:58:55Z ERROR GET /api/cart 503 5001ms: acquire connection: timeout",
      "2026-03-14T02:59:40Z ERROR POST /api/checkout 503 5002ms: acquire connection: timeout",
    ]);
    expect(out.summary).toBe("pod ecommerce/app-5c8d7f9b4-2xkqp, container app: last 3 lines");
    const all = await run(k8sLogs, contextFor(target), {
      namespace: "ecommerce",
      pod: "app-5c8d7f9b4-2xkqp",
    });
    expect(all.text?.trimEnd().split("\n")).toHaveLength(12);
  });

  it("shows why the previous instance of a crash-looping container died", async () => {
    const out = await run(k8sLogs, contextFor(target), {
      namespace: "ecommerce",
      pod: CRASHING_POD,
      previous: "true",
    });
    expect(out.text).toContain("FATAL cannot open database pool: Error 1040: Too many connections");
    expect(out.summary).toContain("previous instance of container app");
  });

  it("refuses a previous log of a container that never restarted", async () => {
    const err = await refusal(
      run(k8sLogs, contextFor(target), { namespace: "ecommerce", pod: "mysql-0", previous: true }),
    );
    expect(err.code).toBe("not_found");
    expect(err.message).toContain("has not restarted");
  });

  it("names the containers when asked for one the pod lacks", async () => {
    const err = await refusal(
      run(k8sLogs, contextFor(target), { namespace: "ecommerce", pod: "mysql-0", container: "sidecar" }),
    );
    expect(err.code).toBe("input_invalid");
    expect(err.message).toBe("pod ecommerce/mysql-0 has no container sidecar (containers: mysql).");
  });

  it("says which pod is missing", async () => {
    const err = await refusal(run(k8sLogs, contextFor(target), { namespace: "ecommerce", pod: "app-gone" }));
    expect(err.code).toBe("not_found");
    expect(err.message).toBe("pod ecommerce/app-gone not found on Kubernetes target shop-prod.");
  });

  it("keeps tail within 1–2000", () => {
    for (const tail of [0, 2001, -5, 1.5, "ten"])
      expect(
        k8sLogs.argsSchema.safeParse({ namespace: "ecommerce", pod: "mysql-0", tail }).success,
        String(tail),
      ).toBe(false);
  });

  it("refuses other namespaces", async () => {
    const err = await refusal(run(k8sLogs, contextFor(target), { namespace: "payments", pod: "ledger-0" }));
    expect(err.code).toBe("forbidden");
  });
});

describe("k8s.top_pods", () => {
  it("shows CPU millicores and memory MiB per pod, busiest first, as kubectl top rounds them", async () => {
    const out = await run(k8sTopPods, contextFor(target), { namespace: "ecommerce" });
    expect(out.table).toEqual({
      columns: ["pod", "cpu (millicores)", "memory (MiB)"],
      rows: [
        ["mysql-0", 846, 1536],
        ["app-5c8d7f9b4-2xkqp", 213, 280],
        ["app-5c8d7f9b4-7hjwn", 199, 294],
        [CRASHING_POD, 2, 40],
      ],
    });
    expect(out.summary).toBe("4 pods in ecommerce: 1260m CPU, 2150 MiB memory in total");
  });

  it("filters by label", async () => {
    const out = await run(k8sTopPods, contextFor(target), {
      namespace: "ecommerce",
      labelSelector: "app=app",
    });
    expect(out.table?.rows).toHaveLength(3);
  });

  it("refuses other namespaces", async () => {
    const err = await refusal(run(k8sTopPods, contextFor(target), { namespace: "kube-system" }));
    expect(err.code).toBe("forbidden");
  });
});

describe("k8s.events", () => {
  it("lists events newest first with type, reason, object, message and age", async () => {
    const out = await run(k8sEvents, contextFor(target), { namespace: "ecommerce" });
    expect(out.table?.columns).toEqual(["type", "reason", "object", "message", "age", "count"]);
    expect(out.table?.rows.map((r) => [r[0], r[1], r[2], r[4]])).toEqual([
      ["Warning", "BackOff", `Pod/${CRASHING_POD}`, "90s"],
      ["Warning", "Unhealthy", `Pod/${CRASHING_POD}`, "3m22s"],
      ["Normal", "Pulled", `Pod/${CRASHING_POD}`, "3m25s"],
      ["Normal", "ScalingReplicaSet", "Deployment/app", "48m"],
      ["Normal", "ScalingReplicaSet", "Deployment/app", "50m"],
      ["Normal", "Started", "Pod/mysql-0", "14d"],
    ]);
    expect(out.status).toBe("warning");
  });

  it("narrows to one object", async () => {
    const out = await run(k8sEvents, contextFor(target), { namespace: "ecommerce", object: "app" });
    expect(out.table?.rows.map((r) => r[3])).toEqual([
      "Scaled down replica set app-7d9f8c6b5 from 1 to 0",
      "Scaled up replica set app-5c8d7f9b4 from 0 to 1",
    ]);
    expect(out.status).toBe("ok");
  });

  it("says when there is nothing", async () => {
    const out = await run(k8sEvents, contextFor(target), { namespace: "ecommerce", object: "nothing-here" });
    expect(out.summary).toBe("no events for nothing-here in ecommerce");
    expect(out.table?.rows).toEqual([]);
  });

  it("refuses other namespaces", async () => {
    const err = await refusal(run(k8sEvents, contextFor(target), { namespace: "payments" }));
    expect(err.code).toBe("forbidden");
  });
});

describe("k8s.rollout_status", () => {
  it("reports a rollout with an unavailable replica as progressing, with counts, revision and conditions", async () => {
    const out = await run(k8sRolloutStatus, contextFor(target), {
      namespace: "ecommerce",
      deployment: "app",
    });
    expect(out.table).toEqual({
      columns: ["desired", "updated", "ready", "available", "revision", "state"],
      rows: [[3, 3, 2, 2, "2", "progressing"]],
    });
    expect(out.summary).toBe(
      'deployment ecommerce/app revision 2: progressing. Waiting for deployment "app" rollout to finish: 2 of 3 updated replicas are available...',
    );
    expect(out.status).toBe("warning");
    expect(out.text).toContain(
      "Available=False MinimumReplicasUnavailable: Deployment does not have minimum availability.",
    );
    expect(out.text).toContain(
      'Progressing=True NewReplicaSetAvailable: ReplicaSet "app-5c8d7f9b4" has successfully progressed.',
    );
  });

  it("reports complete once every replica is available", async () => {
    // Deleting the crash-looping pod makes its ReplicaSet start a healthy replacement.
    const res = await fetch(`${fake.url}/api/v1/namespaces/ecommerce/pods/${CRASHING_POD}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${fake.token}` },
    });
    expect(res.status).toBe(200);
    const out = await run(k8sRolloutStatus, contextFor(target), {
      namespace: "ecommerce",
      deployment: "app",
    });
    expect(out.table?.rows[0]).toEqual([3, 3, 3, 3, "2", "complete"]);
    expect(out.summary).toBe(
      'deployment ecommerce/app revision 2: complete. deployment "app" successfully rolled out',
    );
    expect(out.status).toBe("ok");
  });

  it("says which deployment is missing", async () => {
    const err = await refusal(
      run(k8sRolloutStatus, contextFor(target), { namespace: "ecommerce", deployment: "web" }),
    );
    expect(err.code).toBe("not_found");
    expect(err.message).toBe("deployment ecommerce/web not found on Kubernetes target shop-prod.");
  });

  it("refuses other namespaces", async () => {
    const err = await refusal(
      run(k8sRolloutStatus, contextFor(target), { namespace: "payments", deployment: "app" }),
    );
    expect(err.code).toBe("forbidden");
  });
});

describe("diagnostics", () => {
  it("never write to the cluster", async () => {
    const ctx = contextFor(target);
    await run(k8sPods, ctx, { namespace: "ecommerce" });
    await run(k8sLogs, ctx, { namespace: "ecommerce", pod: CRASHING_POD, previous: true });
    await run(k8sTopPods, ctx, { namespace: "ecommerce" });
    await run(k8sEvents, ctx, { namespace: "ecommerce" });
    await run(k8sRolloutStatus, ctx, { namespace: "ecommerce", deployment: "app" });
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(writesTo(fake)).toEqual([]);
  });
});
