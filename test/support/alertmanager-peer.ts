import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/** Debian's package `prometheus-alertmanager` (`.ci/run` installs it). */
export const ALERTMANAGER_BINARY = "/usr/bin/prometheus-alertmanager";

export interface AlertmanagerPeerOptions {
  /** Where Alertmanager posts its webhooks (a receiver on 127.0.0.1). */
  webhookUrl: string;
  /** Sent as `Authorization: Bearer <token>`. */
  bearerToken: string;
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  resolveTimeout?: string;
  /** `max_alerts` of the webhook receiver; 0 lists every alert. */
  maxAlerts?: number;
  binary?: string;
}

export interface AlertmanagerPeer {
  /** Base URL of its API, e.g. `http://127.0.0.1:41234`. */
  apiUrl: string;
  /** Everything it logged, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

/**
 * Starts a real Alertmanager on 127.0.0.1 with a temporary config and storage: one route
 * grouping by alertname and namespace to one webhook receiver (send_resolved, bearer
 * auth). Clustering is disabled (`--cluster.listen-address=`), so nothing listens beyond
 * loopback. Resolves once `/-/ready` answers.
 */
export async function startAlertmanager(options: AlertmanagerPeerOptions): Promise<AlertmanagerPeer> {
  return runAlertmanager(renderConfig(options), options.binary);
}

/** Starts a real Alertmanager on 127.0.0.1 with `configYaml` as its alertmanager.yml (see startAlertmanager). */
export async function runAlertmanager(
  configYaml: string,
  binary = ALERTMANAGER_BINARY,
): Promise<AlertmanagerPeer> {
  if (!existsSync(binary)) {
    throw new Error(`${binary} is missing: apt-get install -y prometheus-alertmanager`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), "firebreak-am-"));
  const configFile = path.join(dir, "alertmanager.yml");
  await writeFile(configFile, configYaml);
  // A free port can be taken between probing and binding: try a few.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    const child = spawn(
      binary,
      [
        `--config.file=${configFile}`,
        `--storage.path=${path.join(dir, `data-${attempt}`)}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--cluster.listen-address=",
        "--log.level=debug",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let logs = "";
    child.stdout.on("data", (chunk: Buffer) => (logs += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (logs += chunk.toString()));
    const apiUrl = `http://127.0.0.1:${port}`;
    try {
      await waitReady(apiUrl, child);
      return {
        apiUrl,
        logs: () => logs,
        stop: async () => {
          await kill(child);
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      await kill(child);
      lastError = new Error(`Alertmanager did not start: ${(err as Error).message}\n${logs}`);
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

function renderConfig(o: AlertmanagerPeerOptions): string {
  // JSON is YAML, and JSON.stringify quotes every string safely.
  return JSON.stringify(
    {
      global: { resolve_timeout: o.resolveTimeout ?? "5m" },
      route: {
        receiver: "firebreak",
        group_by: ["alertname", "namespace"],
        group_wait: o.groupWait ?? "1s",
        group_interval: o.groupInterval ?? "1s",
        repeat_interval: o.repeatInterval ?? "1h",
      },
      receivers: [
        {
          name: "firebreak",
          webhook_configs: [
            {
              url: o.webhookUrl,
              send_resolved: true,
              max_alerts: o.maxAlerts ?? 0,
              http_config: { authorization: { type: "Bearer", credentials: o.bearerToken } },
            },
          ],
        },
      ],
    },
    null,
    2,
  );
}

/** A port free on 127.0.0.1 right now (it may be taken before it is bound: retry). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Resolves once `<apiUrl>/-/ready` answers 2xx (Prometheus and Alertmanager both serve it). */
export async function waitReady(apiUrl: string, child: ChildProcess): Promise<void> {
  let exited = false;
  child.once("exit", () => (exited = true));
  for (let i = 0; i < 200; i += 1) {
    if (exited) throw new Error(`exited with ${String(child.exitCode)}`);
    try {
      const res = await fetch(`${apiUrl}/-/ready`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("not ready after 200 attempts");
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
export async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}
