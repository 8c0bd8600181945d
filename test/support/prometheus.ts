import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, kill, waitReady } from "./alertmanager-peer.js";

/** Debian's package `prometheus` (scripts/test-prereqs.sh installs it). */
export const PROMETHEUS_BINARY = "/usr/bin/prometheus";

export interface PrometheusServer {
  /** Base URL of its API, e.g. `http://127.0.0.1:41234`. */
  apiUrl: string;
  /** Everything it logged, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

/**
 * Starts a real Prometheus on 127.0.0.1 with `configYaml` as prometheus.yml and `files`
 * (rule files, by name) beside it, on a temporary TSDB. Resolves once `/-/ready` answers.
 */
export async function startPrometheus(
  configYaml: string,
  files: Record<string, string> = {},
  binary = PROMETHEUS_BINARY,
): Promise<PrometheusServer> {
  if (!existsSync(binary)) throw new Error(`${binary} is missing: apt-get install -y prometheus`);
  const dir = await mkdtemp(path.join(tmpdir(), "firebreak-prom-"));
  const configFile = path.join(dir, "prometheus.yml");
  await writeFile(configFile, configYaml);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    const child = spawn(
      binary,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(dir, `data-${attempt}`)}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.level=debug",
      ],
      { stdio: ["ignore", "pipe", "pipe"], cwd: dir },
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
      lastError = new Error(`Prometheus did not start: ${(err as Error).message}\n${logs}`);
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

/**
 * A tiny scrape target: `GET /metrics` answers one gauge in Prometheus' text format. It
 * can be stopped (the scrape fails, `up` becomes 0) and started again on the same port.
 */
export class MetricsTarget {
  private server: Server | null = null;
  port = 0;

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      if (req.url !== "/metrics") return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(
        "# HELP demo_requests_total Requests served.\n# TYPE demo_requests_total counter\ndemo_requests_total 42\n",
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    if (address && typeof address === "object") this.port = address.port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
