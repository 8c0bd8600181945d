import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubeApiFake, KubeObject } from "../../src/emulator/kubernetes/index.js";
import { CRASHING_POD, startFixtureCluster } from "../fixtures/kubernetes/harness.js";

let fake: KubeApiFake;

beforeEach(async () => {
  fake = await startFixtureCluster({ token: "test-token" });
});
afterEach(async () => {
  await fake.close();
});

const auth = { authorization: "Bearer test-token" };

async function api(path: string, init: RequestInit = {}) {
  const res = await fetch(`${fake.url}${path}`, {
    ...init,
    headers: { ...auth, ...(init.headers as object) },
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // plain text (logs)
  }
  return {
    status: res.status,
    body: body as Record<string, unknown>,
    text,
    type: res.headers.get("content-type"),
  };
}

const patch = (path: string, type: string, body: unknown) =>
  api(path, { method: "PATCH", headers: { "content-type": type }, body: JSON.stringify(body) });

const DEPLOY = "/apis/apps/v1/namespaces/ecommerce/deployments/app";

function clients() {
  const kc = new KubeConfig();
  kc.loadFromString(fake.kubeconfigYaml("fake"));
  return { core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api) };
}

describe("Kubernetes API fake: authentication and errors", () => {
  it("refuses a request without the bearer token with a 401 Status", async () => {
    const res = await fetch(`${fake.url}/api/v1/namespaces/ecommerce/pods`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Unauthorized",
      reason: "Unauthorized",
      code: 401,
    });
  });

  it("answers what its RBAC stand-in refuses with a 403 Status worded like the real authorizer", async () => {
    const strict = await startFixtureCluster({
      token: "test-token",
      authorize: (a) => !(a.verb === "delete" || a.resource === "pods/log"),
    });
    try {
      const log = await fetch(`${strict.url}/api/v1/namespaces/ecommerce/pods/mysql-0/log`, {
        headers: auth,
      });
      expect(log.status).toBe(403);
      expect(await log.json()).toEqual({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message:
          'pods "mysql-0" is forbidden: User "system:serviceaccount:firebreak:firebreak" cannot get resource "pods/log" in API group "" in the namespace "ecommerce"',
        reason: "Forbidden",
        details: { name: "mysql-0", kind: "pods/log" },
        code: 403,
      });
      const del = await fetch(`${strict.url}${DEPLOY}`, { method: "DELETE", headers: auth });
      expect(((await del.json()) as { message: string }).message).toContain(
        'deployments.apps "app" is forbidden: User "system:serviceaccount:firebreak:firebreak" cannot delete resource "deployments" in API group "apps"',
      );
      expect(strict.state.get("apps/deployments", "ecommerce", "app")).toBeDefined();
    } finally {
      await strict.close();
    }
  });

  it("serves /version without credentials, as clusters let anyone read it", async () => {
    const res = await fetch(`${fake.url}/version`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ major: "1", minor: "32", gitVersion: "v1.32.4" });
  });

  it("answers a missing object with a NotFound Status naming the resource", async () => {
    const res = await api("/apis/apps/v1/namespaces/ecommerce/deployments/web");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'deployments.apps "web" not found',
      reason: "NotFound",
      details: { name: "web", group: "apps", kind: "deployments" },
      code: 404,
    });
  });

  it("answers an unknown path with a NotFound Status and records it", async () => {
    const res = await api("/apis/batch/v1/namespaces/ecommerce/jobs");
    expect(res.status).toBe(404);
    expect(res.body.message).toBe("the server could not find the requested resource");
    expect(fake.requests.at(-1)).toEqual({
      method: "GET",
      url: "/apis/batch/v1/namespaces/ecommerce/jobs",
      status: 404,
    });
  });

  it("rejects invalid replicas with a 422 Invalid Status and its cause", async () => {
    const res = await patch(DEPLOY, "application/merge-patch+json", { spec: { replicas: -1 } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      reason: "Invalid",
      code: 422,
      message:
        'Deployment.apps "app" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      details: { name: "app", group: "apps", kind: "Deployment", causes: [{ field: "spec.replicas" }] },
    });
  });

  it("refuses a write based on a stale resourceVersion with a 409 Conflict", async () => {
    const res = await api(`${DEPLOY}/scale`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        apiVersion: "autoscaling/v1",
        kind: "Scale",
        metadata: { name: "app", resourceVersion: "1" },
        spec: { replicas: 4 },
      }),
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      reason: "Conflict",
      message:
        'Operation cannot be fulfilled on deployments.apps "app": the object has been modified; please apply your changes to the latest version and try again',
    });
  });

  it("refuses a patch type it does not know with 415", async () => {
    const res = await patch(DEPLOY, "application/apply-patch+yaml", {});
    expect(res.status).toBe(415);
    expect(res.body.reason).toBe("UnsupportedMediaType");
  });
});

describe("Kubernetes API fake: discovery", () => {
  it("lists groups and resources, with the scale subresource answering in autoscaling/v1", async () => {
    const groups = await api("/apis");
    expect((groups.body.groups as { name: string }[]).map((g) => g.name)).toEqual([
      "apps",
      "events.k8s.io",
      "metrics.k8s.io",
    ]);
    const apps = await api("/apis/apps/v1");
    expect(apps.body.resources).toContainEqual({
      name: "deployments/scale",
      singularName: "",
      namespaced: true,
      group: "autoscaling",
      version: "v1",
      kind: "Scale",
      verbs: ["get", "patch", "update"],
    });
  });

  it("serves aggregated discovery to clients that ask for it", async () => {
    const accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
    const res = await api("/api", { headers: { accept } });
    expect(res.type).toBe("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    expect(res.body.kind).toBe("APIGroupDiscoveryList");
  });
});

describe("Kubernetes API fake: reads", () => {
  it("filters pods by label and field selectors", async () => {
    const byLabel = await api("/api/v1/namespaces/ecommerce/pods?labelSelector=app%20in%20(mysql)");
    expect((byLabel.body.items as KubeObject[]).map((p) => p.metadata.name)).toEqual(["mysql-0"]);
    const byField = await api("/api/v1/namespaces/ecommerce/pods?fieldSelector=spec.nodeName%3Dnode-b");
    expect((byField.body.items as KubeObject[]).map((p) => p.metadata.name)).toEqual([
      "app-5c8d7f9b4-7hjwn",
      "mysql-0",
    ]);
    const bad = await api("/api/v1/namespaces/ecommerce/pods?fieldSelector=spec.image%3Dx");
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe("field label not supported: spec.image");
  });

  it("pages a list with limit and continue", async () => {
    const first = await api("/api/v1/namespaces/ecommerce/pods?limit=3");
    const meta = first.body.metadata as { continue: string; remainingItemCount: number };
    expect((first.body.items as unknown[]).length).toBe(3);
    expect(meta.remainingItemCount).toBe(1);
    const rest = await api(`/api/v1/namespaces/ecommerce/pods?limit=3&continue=${meta.continue}`);
    expect((rest.body.items as KubeObject[]).map((p) => p.metadata.name)).toEqual(["mysql-0"]);
  });

  it("serves tail and previous logs as plain text, with the real errors", async () => {
    const pods = "/api/v1/namespaces/ecommerce/pods";
    const tail = await api(`${pods}/mysql-0/log?tailLines=1`);
    expect(tail.type).toBe("text/plain");
    expect(tail.text).toMatch(/Too many connections \(max_connections=151\)\n$/);
    const prev = await api(`${pods}/mysql-0/log?previous=true`);
    expect(prev.status).toBe(400);
    expect(prev.body.message).toBe('previous terminated container "mysql" in pod "mysql-0" not found');
    const wrong = await api(`${pods}/mysql-0/log?container=app`);
    expect(wrong.body.message).toBe("container app is not valid for pod mysql-0");
  });

  it("prints a Table for kubectl when asked", async () => {
    const res = await api(`/api/v1/namespaces/ecommerce/pods/${CRASHING_POD}`, {
      headers: { accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" },
    });
    expect(res.body.kind).toBe("Table");
    expect((res.body.rows as { cells: unknown[] }[])[0]?.cells.slice(0, 5)).toEqual([
      CRASHING_POD,
      "0/1",
      "CrashLoopBackOff",
      "7 (3m20s ago)",
      "48m",
    ]);
  });

  it("serves core events as events.k8s.io/v1 too", async () => {
    const res = await api(
      "/apis/events.k8s.io/v1/namespaces/ecommerce/events?fieldSelector=regarding.name%3Dmysql-0",
    );
    expect(res.body.items).toEqual([
      expect.objectContaining({
        reason: "Started",
        note: "Started container mysql",
        reportingController: "kubelet",
      }),
    ]);
  });
});

describe("Kubernetes API fake: writes behave like a cluster", () => {
  it("keeps resourceVersion increasing across writes", async () => {
    const before = Number(fake.state.resourceVersion);
    const a = await patch(DEPLOY, "application/merge-patch+json", { metadata: { labels: { a: "1" } } });
    const b = await patch(DEPLOY, "application/merge-patch+json", { metadata: { labels: { b: "2" } } });
    const rvA = Number((a.body.metadata as { resourceVersion: string }).resourceVersion);
    const rvB = Number((b.body.metadata as { resourceVersion: string }).resourceVersion);
    expect(rvA).toBeGreaterThan(before);
    expect(rvB).toBeGreaterThan(rvA);
  });

  it("rolls out a new ReplicaSet revision when a strategic merge patch changes the pod template", async () => {
    const { apps } = clients();
    const patched = await apps.patchNamespacedDeployment(
      {
        namespace: "ecommerce",
        name: "app",
        body: {
          spec: {
            template: {
              spec: { containers: [{ name: "app", image: "registry.example.com/shop/app:1.5.1" }] },
            },
          },
        },
      },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    // Merged by container name: the other container fields survive.
    expect(patched.spec?.template.spec?.containers[0]).toMatchObject({
      image: "registry.example.com/shop/app:1.5.1",
      ports: [{ containerPort: 8080, protocol: "TCP" }],
    });
    expect(patched.metadata?.generation).toBe(5);
    expect(patched.status?.observedGeneration).toBe(5);
    expect(patched.metadata?.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
    expect(patched.status).toMatchObject({
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    });
    const sets = await apps.listNamespacedReplicaSet({ namespace: "ecommerce" });
    expect(
      sets.items.map((rs) => [
        rs.metadata?.annotations?.["deployment.kubernetes.io/revision"],
        rs.spec?.replicas,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ["1", 0],
        ["2", 0],
        ["3", 3],
      ]),
    );
  });

  it("does not roll out when only replicas change, but bumps the generation", async () => {
    const { apps } = clients();
    const scaled = await apps.patchNamespacedDeploymentScale(
      { namespace: "ecommerce", name: "app", body: { spec: { replicas: 2 } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(scaled).toMatchObject({
      kind: "Scale",
      spec: { replicas: 2 },
      status: { replicas: 2, selector: "app=app" },
    });
    const d = await apps.readNamespacedDeployment({ namespace: "ecommerce", name: "app" });
    expect(d.metadata?.generation).toBe(5);
    expect(d.metadata?.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");
    // The ReplicaSet controller removes the not-ready pod first.
    const pods = await clients().core.listNamespacedPod({ namespace: "ecommerce", labelSelector: "app=app" });
    expect(pods.items.map((p) => p.metadata?.name)).toEqual(["app-5c8d7f9b4-2xkqp", "app-5c8d7f9b4-7hjwn"]);
  });

  it("applies JSON patches atomically: a failed test changes nothing", async () => {
    const before = fake.state.get("apps/deployments", "ecommerce", "app");
    const res = await patch(DEPLOY, "application/json-patch+json", [
      { op: "replace", path: "/spec/replicas", value: 9 },
      { op: "test", path: "/metadata/annotations/deployment.kubernetes.io~1revision", value: "7" },
    ]);
    expect(res.status).toBe(422);
    expect(fake.state.get("apps/deployments", "ecommerce", "app")).toEqual(before);
  });

  it("recreates a deleted StatefulSet pod under the same name and honours uid preconditions", async () => {
    const { core } = clients();
    const old = await core.readNamespacedPod({ namespace: "ecommerce", name: "mysql-0" });
    const refused = await api("/api/v1/namespaces/ecommerce/pods/mysql-0", {
      method: "DELETE",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ preconditions: { uid: "someone-else" } }),
    });
    expect(refused.status).toBe(409);
    const deleted = await core.deleteNamespacedPod({ namespace: "ecommerce", name: "mysql-0" });
    expect(deleted.metadata?.deletionTimestamp).toBeDefined();
    const again = await core.readNamespacedPod({ namespace: "ecommerce", name: "mysql-0" });
    expect(again.metadata?.uid).not.toBe(old.metadata?.uid);
    expect(again.status?.phase).toBe("Running");
  });

  it("streams watch events for changes, starting with what exists", async () => {
    const controller = new AbortController();
    const res = await fetch(
      `${fake.url}/apis/apps/v1/namespaces/ecommerce/deployments?watch=true&fieldSelector=metadata.name%3Dapp`,
      {
        headers: auth,
        signal: controller.signal,
      },
    );
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    const lines: { type: string; object: KubeObject }[] = [];
    await patch(DEPLOY, "application/merge-patch+json", { metadata: { labels: { seen: "yes" } } });
    for (let i = 0; i < 20 && lines.length < 2; i++) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      lines.push(...parts.filter(Boolean).map((l) => JSON.parse(l) as { type: string; object: KubeObject }));
    }
    controller.abort();
    expect(lines.map((l) => [l.type, l.object.metadata.labels?.seen])).toEqual([
      ["ADDED", undefined],
      ["MODIFIED", "yes"],
    ]);
  });
});
