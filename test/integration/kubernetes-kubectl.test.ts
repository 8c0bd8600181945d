import { AppsV1Api, KubeConfig } from "@kubernetes/client-node";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RESTARTED_AT, k8sPods } from "../../src/actions/kubernetes/index.js";
import type { KubeApiFake } from "../../src/emulator/kubernetes/index.js";
import {
  CRASHING_POD,
  contextFor,
  run,
  startFixtureCluster,
  targetFor,
} from "../fixtures/kubernetes/harness.js";

const KUBECTL = "/usr/bin/kubectl";
const OPENSSL = "/usr/bin/openssl";
const exec = promisify(execFile);

// kubectl sends credentials only over TLS, so this file serves the fake over HTTPS with a
// throwaway self-signed certificate for 127.0.0.1, made by openssl.
const missing = [KUBECTL, OPENSSL].filter((bin) => !existsSync(bin));

// The proof of faithfulness must not quietly vanish: scripts/test-prereqs.sh installs kubectl.
describe("real kubectl against the Kubernetes fake", () => {
  let dir: string;
  let tls: { cert: string; key: string };
  let fake: KubeApiFake;
  let kubeconfig: string;

  beforeAll(async () => {
    if (missing.length)
      throw new Error(
        `${missing.join(" and ")} not installed: run scripts/test-prereqs.sh (apt-get install kubernetes-client openssl)`,
      );
    dir = await mkdtemp(path.join(tmpdir(), "firebreak-kubectl-"));
    await exec(OPENSSL, [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      path.join(dir, "key.pem"),
      "-out",
      path.join(dir, "cert.pem"),
    ]);
    tls = {
      cert: await readFile(path.join(dir, "cert.pem"), "utf8"),
      key: await readFile(path.join(dir, "key.pem"), "utf8"),
    };
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // A fresh cluster for every test, so that none depends on what another changed.
  beforeEach(async () => {
    fake = await startFixtureCluster({ tls });
    kubeconfig = path.join(dir, "kubeconfig");
    await fake.writeKubeconfig(kubeconfig, "shop-prod", "ecommerce");
  });

  afterEach(async () => {
    await fake.close();
  });

  /** Runs kubectl against the fake only: own kubeconfig, cache and HOME, no ambient config. */
  async function kubectl(...args: string[]): Promise<string> {
    const { stdout } = await exec(
      KUBECTL,
      ["--kubeconfig", kubeconfig, "--cache-dir", path.join(dir, "cache"), "--request-timeout=10s", ...args],
      { timeout: 30_000, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir } },
    );
    return stdout;
  }

  function appsApi(): AppsV1Api {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    return kc.makeApiClient(AppsV1Api);
  }

  const failedRequests = () => fake.requests.filter((r) => r.status >= 400);

  it("get pods prints the table kubectl users know, from server-side printing", async () => {
    const out = await kubectl("get", "pods", "-n", "ecommerce");
    const lines = out.trimEnd().split("\n");
    expect(lines[0]?.split(/\s{2,}/)).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([
      ["app-5c8d7f9b4-2xkqp", "1/1", "Running", "0", "49m"],
      ["app-5c8d7f9b4-7hjwn", "1/1", "Running", "0", "49m"],
      [CRASHING_POD, "0/1", "CrashLoopBackOff", "7 (3m20s ago)", "48m"],
      ["mysql-0", "1/1", "Running", "0", "14d"],
    ]);
    expect(failedRequests()).toEqual([]);
  });

  it("get pods -o json returns the pod objects", async () => {
    const list = JSON.parse(await kubectl("get", "pods", "-n", "ecommerce", "-o", "json")) as {
      kind: string;
      items: { kind: string; metadata: { name: string }; status: { phase: string } }[];
    };
    expect(list.kind).toBe("List");
    expect(list.items.map((p) => [p.kind, p.metadata.name, p.status.phase])).toEqual([
      ["Pod", "app-5c8d7f9b4-2xkqp", "Running"],
      ["Pod", "app-5c8d7f9b4-7hjwn", "Running"],
      ["Pod", CRASHING_POD, "Running"],
      ["Pod", "mysql-0", "Running"],
    ]);
  });

  it("logs --tail=5 prints the last five lines", async () => {
    const out = await kubectl("logs", "app-5c8d7f9b4-2xkqp", "-n", "ecommerce", "--tail=5");
    const lines = out.trimEnd().split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe("2026-03-14T02:55:31Z WARN mysql pool: 19/20 connections in use");
    expect(lines[4]).toBe(
      "2026-03-14T02:59:40Z ERROR POST /api/checkout 503 5002ms: acquire connection: timeout",
    );
  });

  it("top pod reads metrics.k8s.io", async () => {
    const out = await kubectl("top", "pod", "-n", "ecommerce");
    expect(out).toMatch(/mysql-0\s+846m\s+1536Mi/);
  });

  it("reports a missing object the way a cluster does", async () => {
    const err = await kubectl("get", "deployment", "web", "-n", "ecommerce").then(
      () => undefined,
      (e: unknown) => e as { stderr: string },
    );
    expect(err?.stderr.trim()).toBe('Error from server (NotFound): deployments.apps "web" not found');
  });

  it("scale deployment/app --replicas=4 is visible through the client library", async () => {
    expect((await kubectl("scale", "deployment/app", "--replicas=4", "-n", "ecommerce")).trim()).toBe(
      "deployment.apps/app scaled",
    );
    const scale = await appsApi().readNamespacedDeploymentScale({ namespace: "ecommerce", name: "app" });
    expect(scale.spec?.replicas).toBe(4);
    expect(failedRequests()).toEqual([]);
  });

  it("rollout restart deployment/app sets the restartedAt annotation and rolls out", async () => {
    expect((await kubectl("rollout", "restart", "deployment/app", "-n", "ecommerce")).trim()).toBe(
      "deployment.apps/app restarted",
    );
    const d = await appsApi().readNamespacedDeployment({ namespace: "ecommerce", name: "app" });
    const restartedAt = d.spec?.template.metadata?.annotations?.[RESTARTED_AT];
    expect(restartedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/);
    expect(d.metadata?.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
    const status = await kubectl("rollout", "status", "deployment/app", "-n", "ecommerce", "--timeout=10s");
    expect(status.trim()).toBe('deployment "app" successfully rolled out');
  });

  it("rollout undo goes back a revision and history shows it", async () => {
    await kubectl("rollout", "restart", "deployment/app", "-n", "ecommerce");
    expect((await kubectl("rollout", "undo", "deployment/app", "-n", "ecommerce")).trim()).toBe(
      "deployment.apps/app rolled back",
    );
    const d = await appsApi().readNamespacedDeployment({ namespace: "ecommerce", name: "app" });
    expect(d.spec?.template.metadata?.annotations?.[RESTARTED_AT]).toBeUndefined();
    const history = await kubectl("rollout", "history", "deployment/app", "-n", "ecommerce");
    expect(
      history
        .trim()
        .split("\n")
        .slice(2)
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(["1", "3", "4"]);
    expect(failedRequests()).toEqual([]);
  });

  it("get deploy,rs -o wide, describe pod and delete pod work end to end", async () => {
    const wide = await kubectl("get", "deploy,rs", "-n", "ecommerce", "-o", "wide");
    expect(wide).toMatch(
      /deployment\.apps\/app\s+2\/3\s+3\s+2\s+52d\s+app\s+registry\.example\.com\/shop\/app:1\.5\.0\s+app=app/,
    );
    expect(wide).toMatch(/replicaset\.apps\/app-7d9f8c6b5\s+0\s+0\s+0\s+52d/);
    const described = await kubectl("describe", "pod", CRASHING_POD, "-n", "ecommerce");
    expect(described).toMatch(/Reason:\s+CrashLoopBackOff/);
    expect(described).toMatch(/Warning\s+BackOff/);
    expect((await kubectl("delete", "pod", "mysql-0", "-n", "ecommerce")).trim()).toBe(
      'pod "mysql-0" deleted',
    );
    expect(await kubectl("get", "pod", "mysql-0", "-n", "ecommerce")).toMatch(
      /mysql-0\s+1\/1\s+Running\s+0\s+0s/,
    );
    expect(failedRequests()).toEqual([]);
  });

  it("refuses kubectl with the wrong token, as a cluster does", async () => {
    const bad = path.join(dir, "bad-kubeconfig");
    await fake.writeKubeconfig(bad, "shop-prod");
    await writeFile(bad, (await readFile(bad, "utf8")).replace(fake.token, "wrong-token"));
    const err = await exec(
      KUBECTL,
      ["--kubeconfig", bad, "--cache-dir", path.join(dir, "cache2"), "get", "pods"],
      {
        timeout: 30_000,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir },
      },
    ).then(
      () => undefined,
      (e: unknown) => e as { stderr: string },
    );
    expect(err?.stderr).toContain("error: You must be logged in to the server");
  });

  it("the actions reach the same fake over HTTPS, trusting its certificate", async () => {
    const out = await run(k8sPods, contextFor(targetFor(fake)), { namespace: "ecommerce" });
    expect(out.table?.rows.map((r) => r[0])).toContain("mysql-0");
  });
});
