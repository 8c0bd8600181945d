import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { KubeConfig } from "@kubernetes/client-node";
import { parse, parseAllDocuments } from "yaml";
import { loadCatalogSetup, parseFirebreakConfig, readEnvOptions } from "../../src/config.js";
import type { ResolvedTargets } from "../../src/config-schema/targets.js";
import { createMetrics } from "../../src/metrics.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const KUBECTL = process.env.KUBECTL ?? "/usr/bin/kubectl";
const AMTOOL = process.env.AMTOOL ?? "/usr/bin/amtool";
const PROMTOOL = process.env.PROMTOOL ?? "/usr/bin/promtool";

// Rendered manifests are read as they come, like JSON payloads in the other tests.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

/** What `kubectl kustomize deploy/kubernetes` renders (CI installs kubectl; missing, this fails). */
function render(): Obj[] {
  if (!existsSync(KUBECTL))
    throw new Error(`${KUBECTL} not found: apt-get install kubernetes-client (.ci/run does).`);
  const out = execFileSync(KUBECTL, ["kustomize", path.join(ROOT, "deploy/kubernetes")], {
    encoding: "utf8",
  });
  return parseAllDocuments(out).map((d) => d.toJSON() as Obj);
}

const objects = render();
const find = (kind: string, name: string) => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} rendered`);
  return o;
};
const web = find("Deployment", "firebreak-web");
const worker = find("Deployment", "firebreak-worker");

/** Every metric name Firebreak exports, histogram series included. */
function exportedMetricNames(): Set<string> {
  const names = new Set<string>();
  for (const m of createMetrics().registry.getMetricsAsArray()) {
    names.add(m.name);
    if (m.constructor.name === "Histogram")
      for (const s of ["_bucket", "_sum", "_count"]) names.add(m.name + s);
  }
  return names;
}
const metricsIn = (expr: string) => [...expr.matchAll(/\bfirebreak_[a-z0-9_]+/g)].map((m) => m[0]);

describe("the Kubernetes manifests", () => {
  it("render with kubectl kustomize into the objects an install needs", () => {
    const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(kinds).toEqual(
      expect.arrayContaining([
        "Namespace/firebreak",
        "ServiceAccount/firebreak",
        "ClusterRole/firebreak-actions",
        "RoleBinding/firebreak-actions",
        "Secret/firebreak",
        "ConfigMap/firebreak-config",
        "ConfigMap/firebreak-commands",
        "Deployment/firebreak-web",
        "Deployment/firebreak-worker",
        "Service/firebreak",
        "PodDisruptionBudget/firebreak-web",
        "PodDisruptionBudget/firebreak-worker",
      ]),
    );
    for (const o of objects.filter((x) => !["Namespace", "ClusterRole", "RoleBinding"].includes(x.kind)))
      expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe("firebreak");
  });

  it("run web and worker as separate processes, each migrating first", () => {
    for (const [d, role] of [
      [web, "web"],
      [worker, "worker"],
    ] as const) {
      const spec = d.spec.template.spec;
      expect(spec.containers[0].args).toEqual([role]);
      expect(spec.initContainers[0].args).toEqual(["migrate"]);
      expect(spec.serviceAccountName).toBe("firebreak");
      expect(d.spec.replicas).toBeGreaterThanOrEqual(2);
    }
  });

  it("run as a non-root user with a read-only root filesystem and no privileges", () => {
    for (const d of [web, worker]) {
      const spec = d.spec.template.spec;
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      for (const c of [...spec.initContainers, ...spec.containers])
        expect(c.securityContext, c.name).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        });
    }
  });

  it("probe the web pods on /healthz (liveness, startup) and /readyz (readiness)", () => {
    const c = web.spec.template.spec.containers[0];
    expect(c.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(c.startupProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(c.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(c.ports).toContainEqual({ name: "http", containerPort: 3000 });
  });

  it("mount the config and the catalog where FIREBREAK_CONFIG and FIREBREAK_COMMANDS_DIR point", () => {
    for (const d of [web, worker]) {
      const spec = d.spec.template.spec;
      const c = spec.containers[0];
      const env = Object.fromEntries(c.env.map((e: Obj) => [e.name, e.value]));
      const mountOf = (volume: string) => c.volumeMounts.find((m: Obj) => m.name === volume).mountPath;
      const volume = (name: string) => spec.volumes.find((v: Obj) => v.name === name);
      expect(path.dirname(env.FIREBREAK_CONFIG)).toBe(mountOf("config"));
      expect(env.FIREBREAK_COMMANDS_DIR).toBe(mountOf("commands"));
      expect(volume("config").configMap.name).toBe("firebreak-config");
      expect(volume("commands").configMap.name).toBe("firebreak-commands");
      expect(c.envFrom).toContainEqual({ secretRef: { name: "firebreak" } });
    }
  });

  it("ship a config that Firebreak accepts, and secrets that make a valid environment", () => {
    const files = find("ConfigMap", "firebreak-config").data as Record<string, string>;
    let kubeTarget: ReturnType<ResolvedTargets["kubernetes"]["get"]>;
    const config = parseFirebreakConfig(files["firebreak.yaml"]!);
    expect(config.slack.announcementsChannel).toBe("#incidents");
    const secret = find("Secret", "firebreak").stringData as Record<string, string>;
    // The catalog ConfigMap as mounted, checked against the built-in actions and the targets.
    const commandsDir = mkdtempSync(path.join(tmpdir(), "firebreak-commands-"));
    try {
      for (const [name, text] of Object.entries(
        find("ConfigMap", "firebreak-commands").data as Record<string, string>,
      ))
        writeFileSync(path.join(commandsDir, name), text);
      const env = readEnvOptions({ ...secret, FIREBREAK_COMMANDS_DIR: commandsDir });
      const { catalog, targets } = loadCatalogSetup(env, config);
      expect(catalog.commands.size).toBeGreaterThan(0);
      kubeTarget = targets.kubernetes.get("cluster");
    } finally {
      rmSync(commandsDir, { recursive: true, force: true });
    }
    const target = kubeTarget;
    expect(target?.kubeconfig).toBe(`/etc/firebreak/config/kubeconfig.yaml`);
    expect(target?.namespaces).toEqual([find("RoleBinding", "firebreak-actions").metadata.namespace]);
    const kc = new KubeConfig();
    kc.loadFromString(files["kubeconfig.yaml"]!);
    expect(kc.getCurrentCluster()?.server).toBe("https://kubernetes.default.svc");
    expect(kc.getCurrentUser()?.authProvider).toMatchObject({
      name: "tokenFile",
      config: { tokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token" },
    });
    const env = readEnvOptions({ ...secret, FIREBREAK_CONFIG: "/etc/firebreak/config/firebreak.yaml" });
    expect(env.localMode).toBe(false);
    expect(env.webCredentials?.user).toBe("firebreak");
    expect(Object.keys(find("ConfigMap", "firebreak-commands").data).length).toBeGreaterThan(0);
  });

  it("grant exactly the verbs the catalog's Kubernetes actions use, bound to Firebreak's service account", () => {
    const rules = (find("ClusterRole", "firebreak-actions").rules as Obj[]).flatMap((r) =>
      (r.apiGroups as string[]).flatMap((g) =>
        (r.resources as string[]).map((res) => `${g || "core"}/${res}: ${[...r.verbs].sort().join(",")}`),
      ),
    );
    expect(rules.sort()).toEqual(
      [
        "core/pods: delete,get,list",
        "core/pods/log: get",
        "core/events: list",
        "apps/deployments: get,list,patch",
        "apps/deployments/scale: get,patch,update",
        "apps/replicasets: list",
        "metrics.k8s.io/pods: get,list",
      ].sort(),
    );
    const binding = find("RoleBinding", "firebreak-actions");
    expect(binding.roleRef).toMatchObject({ kind: "ClusterRole", name: "firebreak-actions" });
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "firebreak", namespace: "firebreak" }]);
  });

  it("cover every Kubernetes action the catalog uses, with the API calls each makes", () => {
    // What each built-in k8s.* action calls (src/actions/kubernetes): a new action in the
    // catalog fails this test until its permissions are reviewed and added here and in rbac.yaml.
    const needs: Record<string, string[]> = {
      "k8s.pods": ["core/pods list"],
      "k8s.logs": ["core/pods get", "core/pods/log get"],
      "k8s.events": ["core/events list"],
      "k8s.top_pods": ["metrics.k8s.io/pods list"],
      "k8s.rollout_status": ["apps/deployments get"],
      "k8s.rollout_restart": ["apps/deployments get", "apps/deployments patch"],
      "k8s.rollback": ["apps/deployments get", "apps/deployments patch", "apps/replicasets list"],
      "k8s.scale": ["apps/deployments/scale get", "apps/deployments/scale update"],
      "k8s.delete_pod": ["core/pods get", "core/pods delete"],
    };
    const granted = new Set(
      (find("ClusterRole", "firebreak-actions").rules as Obj[]).flatMap((r) =>
        (r.apiGroups as string[]).flatMap((g) =>
          (r.resources as string[]).flatMap((res) =>
            (r.verbs as string[]).map((v) => `${g || "core"}/${res} ${v}`),
          ),
        ),
      ),
    );
    const dir = path.join(ROOT, "commands");
    const used = new Set(
      readdirSync(dir)
        .filter((f) => f.endsWith(".yaml"))
        .flatMap((f) =>
          [...readFileSync(path.join(dir, f), "utf8").matchAll(/action:\s*(k8s\.[a-z_]+)/g)].map(
            (m) => m[1]!,
          ),
        ),
    );
    for (const action of used) {
      expect(needs[action], `${action}: list the API calls it makes`).toBeDefined();
      for (const permission of needs[action]!)
        expect(granted.has(permission), `${action}: ${permission}`).toBe(true);
    }
  });

  it("route the Service and the disruption budgets to the right pods", () => {
    const labels = (d: Obj) => d.spec.template.metadata.labels as Record<string, string>;
    const matches = (selector: Record<string, string>, d: Obj) =>
      Object.entries(selector).every(([k, v]) => labels(d)[k] === v);
    const service = find("Service", "firebreak");
    expect(matches(service.spec.selector, web) && !matches(service.spec.selector, worker)).toBe(true);
    expect(service.spec.ports[0].targetPort).toBe("http");
    expect(matches(find("PodDisruptionBudget", "firebreak-web").spec.selector.matchLabels, web)).toBe(true);
    expect(matches(find("PodDisruptionBudget", "firebreak-worker").spec.selector.matchLabels, worker)).toBe(
      true,
    );
  });
});

describe("the monitoring examples", () => {
  const exported = exportedMetricNames();

  it("alert on Firebreak's outbox backlog, failing pages, reconciler lag and Slack failures, with metrics it exports", () => {
    const doc = parse(readFileSync(path.join(ROOT, "deploy/prometheus/firebreak-rules.yaml"), "utf8")) as Obj;
    const rules = (doc.groups as Obj[]).flatMap((g) => g.rules as Obj[]);
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        "FirebreakOutboxBacklog",
        "FirebreakPagesFailing",
        "FirebreakReconcilerLag",
        "FirebreakSlackFailures",
      ]),
    );
    for (const r of rules) {
      expect(r.labels?.severity, r.alert).toMatch(/^(critical|warning)$/);
      for (const name of metricsIn(r.expr)) expect(exported.has(name), `${r.alert}: ${name}`).toBe(true);
    }
  });

  it("chart only metrics Firebreak exports in the Grafana dashboard", () => {
    const dash = JSON.parse(
      readFileSync(path.join(ROOT, "deploy/grafana/firebreak-dashboard.json"), "utf8"),
    ) as Obj;
    const exprs = (dash.panels as Obj[]).flatMap((p) =>
      ((p.targets ?? []) as Obj[]).map((t) => t.expr as string),
    );
    expect(exprs.length).toBeGreaterThan(10);
    for (const e of exprs) for (const name of metricsIn(e)) expect(exported.has(name), name).toBe(true);
    const charted = new Set(exprs.flatMap(metricsIn));
    for (const family of ["http_requests", "outbox_pending", "pages_total", "runs_total", "jobs_total"])
      expect(
        [...charted].some((n) => n.includes(family)),
        family,
      ).toBe(true);
  });

  it("give Alertmanager a receiver config it accepts, posting to Firebreak with the bearer token", () => {
    const file = path.join(ROOT, "deploy/alertmanager/receiver-example.yml");
    const config = parse(readFileSync(file, "utf8")) as Obj;
    const hook = (config.receivers as Obj[]).find((r) => r.name === "firebreak")!.webhook_configs[0];
    expect(new URL(hook.url).pathname).toBe("/alerts/alertmanager");
    expect(hook.send_resolved).toBe(true);
    expect(hook.http_config.authorization.type).toBe("Bearer");
    if (!existsSync(AMTOOL)) throw new Error(`${AMTOOL} not found: apt-get install prometheus-alertmanager.`);
    expect(execFileSync(AMTOOL, ["check-config", file], { encoding: "utf8" })).toContain("SUCCESS");
  });

  it("give a Prometheus and an Alertmanager config that promtool and amtool accept, sending alerts to Firebreak", () => {
    const dir = path.join(ROOT, "deploy/prometheus");
    if (!existsSync(PROMTOOL)) throw new Error(`${PROMTOOL} not found: apt-get install prometheus.`);
    // promtool also checks the rule files the config names.
    expect(
      execFileSync(PROMTOOL, ["check", "config", path.join(dir, "prometheus.yml")], { encoding: "utf8" }),
    ).toContain("SUCCESS: 2 rules found");
    const am = path.join(dir, "alertmanager.yml");
    expect(execFileSync(AMTOOL, ["check-config", am], { encoding: "utf8" })).toContain("SUCCESS");
    const config = parse(readFileSync(am, "utf8")) as Obj;
    const hook = (config.receivers as Obj[]).find((r) => r.name === "firebreak")!.webhook_configs[0];
    expect(new URL(hook.url).pathname).toBe("/alerts/alertmanager");
    expect(hook.send_resolved).toBe(true);
    // The Watchdog goes to a heartbeat instead, repeated so that it beats.
    const watchdog = (config.route.routes as Obj[]).find((r) => r.receiver === "firebreak-watchdog")!;
    expect(watchdog.matchers).toEqual(['alertname="Watchdog"']);
    const beat = (config.receivers as Obj[]).find((r) => r.name === "firebreak-watchdog")!.webhook_configs[0];
    expect(new URL(beat.url).pathname).toBe("/heartbeats/watchdog");
  });
});

describe("the container image", () => {
  const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
  const ignore = readFileSync(path.join(ROOT, ".dockerignore"), "utf8").split("\n");

  it("builds in stages on Node 24 and keeps only production dependencies", () => {
    const stages = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s).toMatch(/^node:24/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/COPY --from=build \S* ?\/app\/node_modules/);
  });

  it("runs `node dist/main.js start` as a non-root user, with migrations, catalog and console assets", () => {
    const final = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
    expect(final).toMatch(/^USER node$/m);
    expect(final).toContain('ENTRYPOINT ["node", "dist/main.js"]');
    expect(final).toContain('CMD ["start"]');
    for (const dir of ["migrations", "commands", "src/console/assets"])
      expect(final).toContain(`COPY --chown=root:root ${dir}`);
  });

  it("keeps secrets, dependencies and build output out of the build context", () => {
    for (const entry of [".git", "node_modules", "dist", ".env", "firebreak.yaml", "test-artifacts"])
      expect(ignore).toContain(entry);
  });
});
