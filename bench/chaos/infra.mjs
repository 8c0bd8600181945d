// The chaos harness's private infrastructure, all on loopback and free ports: a Postgres
// cluster and Redis servers of its own (so restarting them disturbs nobody else on the
// machine), HAProxy in front of the web replicas, a real Alertmanager, and the Firebreak
// replicas themselves (`node dist/main.js web|worker`), each killable with SIGKILL.
import { spawn, spawnSync } from "node:child_process";
import {
  chownSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { freePort, root } from "../lib/processes.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const isRoot = process.getuid?.() === 0;

/** Every child and daemon started, so an abrupt exit still ends them (by their own pids). */
const owned = new Set();
process.once("exit", () => {
  for (const stop of owned) {
    try {
      stop();
    } catch {
      // already gone
    }
  }
});

/** Waits (bounded) until `probe()` resolves truthy. */
export async function until(probe, what, timeoutMs = 30_000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

async function httpOk(url) {
  const r = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  await r.arrayBuffer();
  return r.ok;
}

/** Debian's Postgres binaries (the newest installed major version). */
function postgresBin() {
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions)
    if (existsSync(path.join(base, v, "bin/initdb"))) return path.join(base, v, "bin");
  throw new Error("no Postgres server binaries under /usr/lib/postgresql: apt-get install postgresql");
}

/** Runs a Postgres binary as the postgres user (initdb refuses root). */
function pgRun(bin, args, opts = {}) {
  const cmd = path.join(postgresBin(), bin);
  const r = isRoot
    ? spawnSync("runuser", ["-u", "postgres", "--", cmd, ...args], { encoding: "utf8", ...opts })
    : spawnSync(cmd, args, { encoding: "utf8", ...opts });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(" ")} failed: ${r.stderr || r.stdout}`);
  return r;
}

/**
 * A Postgres cluster of the harness's own (initdb on a temporary folder, a free port).
 * `restart()` is `pg_ctl restart -m fast`, what `pg_ctlcluster … restart` does.
 */
export async function startPrivatePostgres(dir) {
  const data = path.join(dir, "pg");
  mkdirSync(data, { recursive: true });
  if (isRoot) {
    const pw = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    chownSync(dir, Number(pw.stdout), Number(gid.stdout));
    chownSync(data, Number(pw.stdout), Number(gid.stdout));
  }
  pgRun("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=64MB`;
  const log = path.join(dir, "postgres.log");
  pgRun("pg_ctl", ["-D", data, "-l", log, "-o", opts, "-w", "-t", "60", "start"]);
  const stop = () => pgRun("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
  owned.add(stop);
  return {
    url: `postgres://postgres@127.0.0.1:${port}`,
    log,
    /** Clean restart (fast shutdown, then start); resolves once it accepts connections. */
    restart: async () => {
      await new Promise((resolve, reject) => {
        const cmd = path.join(postgresBin(), "pg_ctl");
        const args = ["-D", data, "-m", "fast", "-w", "-t", "60", "restart"];
        const child = isRoot ? spawn("runuser", ["-u", "postgres", "--", cmd, ...args]) : spawn(cmd, args);
        child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`pg_ctl restart: ${code}`))));
      });
    },
    stop: async () => {
      owned.delete(stop);
      try {
        stop();
      } catch {
        // already stopped
      }
    },
  };
}

/**
 * A redis-server of the harness's own on a free port, keeping nothing on disk: `restart()`
 * stops it and starts it again on the same port, empty (as a restart without persistence is).
 */
export async function startPrivateRedis() {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child = null;
  const kill = () => child?.kill("SIGKILL");
  owned.add(kill);
  const start = async () => {
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      {
        stdio: "ignore",
      },
    );
    await until(async () => {
      const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on("error", () => undefined);
      try {
        await r.connect();
        return (await r.ping()) === "PONG";
      } finally {
        r.disconnect();
      }
    }, `redis-server on ${port}`);
  };
  const stop = () =>
    new Promise((resolve) => {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once("exit", () => resolve());
      c.kill("SIGTERM");
    });
  await start();
  return {
    url,
    /** Stops it (SIGTERM), waits `downMs`, starts it again on the same port. */
    restart: async (downMs) => {
      await stop();
      await sleep(downMs);
      await start();
    },
    stop: async () => {
      owned.delete(kill);
      await stop();
    },
  };
}

/**
 * HAProxy in front of the web replicas: round-robin, each health-checked on /readyz every
 * second (down after 2 failures, up after 1 success); a refused connection is retried on
 * another server, a request already sent never is.
 */
export async function startHaproxy(dir, backends) {
  const port = await freePort();
  const cfg = path.join(dir, "haproxy.cfg");
  writeFileSync(
    cfg,
    [
      "global",
      "  maxconn 4000",
      "  log stdout format raw local0",
      "defaults",
      "  mode http",
      "  log global",
      "  option httplog",
      // Which replica answered each Slack request, found again by its response_url.
      "  option http-buffer-request",
      "  timeout connect 2s",
      "  timeout client 30s",
      "  timeout server 30s",
      "  retries 3",
      "  option redispatch",
      "frontend firebreak",
      `  bind 127.0.0.1:${port}`,
      "  http-request capture req.body_param(response_url) len 200",
      "  default_backend web",
      "backend web",
      "  balance roundrobin",
      "  option httpchk GET /readyz",
      "  http-check expect status 200",
      "  default-server inter 1s fall 2 rise 1",
      ...backends.map((b) => `  server ${b.name} 127.0.0.1:${b.port} check`),
      "",
    ].join("\n"),
  );
  const bin = existsSync("/usr/sbin/haproxy") ? "/usr/sbin/haproxy" : "haproxy";
  const check = spawnSync(bin, ["-c", "-f", cfg], { encoding: "utf8" });
  if (check.error)
    throw new Error(`haproxy is missing (${check.error.message}): bash scripts/test-prereqs.sh`);
  if (check.status !== 0) throw new Error(`haproxy refused its config: ${check.stdout}${check.stderr}`);
  const logFile = path.join(dir, "haproxy.log");
  const out = openSync(logFile, "a");
  const child = spawn(bin, ["-f", cfg, "-db"], { stdio: ["ignore", out, out] });
  const kill = () => child.kill("SIGKILL");
  owned.add(kill);
  const url = `http://127.0.0.1:${port}`;
  await until(async () => {
    await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
    return true;
  }, "haproxy");
  return {
    url,
    /** Response URL → the replica that answered it and its status, from HAProxy's request log. */
    answeredBy() {
      const byUrl = new Map();
      for (const line of readFileSync(logFile, "utf8").split("\n")) {
        const m = / web\/(\S+) \S+ (\d{3}) .*\{([^}]*)\}/.exec(line);
        if (m && m[3])
          byUrl.set(decodeURIComponent(m[3]).split("/response/")[1], { server: m[1], status: Number(m[2]) });
      }
      return byUrl;
    },
    stop: async () => {
      owned.delete(kill);
      if (child.exitCode !== null) return;
      await new Promise((r) => (child.once("exit", r), child.kill("SIGTERM")));
    },
  };
}

/** Debian's Alertmanager posting every group to Firebreak (through HAProxy) with the bearer token. */
export async function startAlertmanager(dir, { webhookUrl, token, groupInterval }) {
  const binary = "/usr/bin/prometheus-alertmanager";
  if (!existsSync(binary)) throw new Error(`${binary} is missing: bash scripts/test-prereqs.sh`);
  const cfg = path.join(dir, "alertmanager.yml");
  writeFileSync(
    cfg,
    JSON.stringify({
      global: { resolve_timeout: "5m" },
      route: {
        receiver: "firebreak",
        group_by: ["chaos_group"],
        group_wait: "1s",
        group_interval: groupInterval,
        repeat_interval: "4h",
      },
      receivers: [
        {
          name: "firebreak",
          webhook_configs: [
            {
              url: webhookUrl,
              send_resolved: true,
              max_alerts: 0,
              http_config: { authorization: { type: "Bearer", credentials: token } },
            },
          ],
        },
      ],
    }),
  );
  const port = await freePort();
  const out = openSync(path.join(dir, "alertmanager.log"), "a");
  const child = spawn(
    binary,
    [
      `--config.file=${cfg}`,
      `--storage.path=${path.join(dir, "am-data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
    ],
    { stdio: ["ignore", out, out] },
  );
  const kill = () => child.kill("SIGKILL");
  owned.add(kill);
  const url = `http://127.0.0.1:${port}`;
  await until(() => httpOk(`${url}/-/ready`), "Alertmanager");
  return {
    url,
    /** What Alertmanager says it sent to the webhook: attempts and failures. */
    async notificationCounts() {
      const text = await (await fetch(`${url}/metrics`)).text();
      const read = (name) => {
        const m = text.match(new RegExp(`^${name}\\{[^}]*integration="webhook"[^}]*\\} (\\S+)$`, "m"));
        return m ? Number(m[1]) : 0;
      };
      return {
        attempted: read("alertmanager_notifications_total"),
        failed: read("alertmanager_notifications_failed_total"),
      };
    },
    stop: async () => {
      owned.delete(kill);
      if (child.exitCode !== null) return;
      await new Promise((r) => (child.once("exit", r), child.kill("SIGTERM")));
    },
  };
}

/**
 * One Firebreak process (`web` or `worker`) on a fixed port of its own, restartable on the
 * same port after a SIGKILL. Its output is appended to `<dir>/<name>.log`.
 */
export class Replica {
  constructor({ name, role, port, env, dir }) {
    Object.assign(this, { name, role, port, env, dir });
    this.child = null;
    this.kills = 0;
    this.killedAt = [];
    this.unexpectedExits = [];
    this.expectedExit = new WeakSet();
    this.stopKill = () => this.child?.kill("SIGKILL");
    owned.add(this.stopKill);
  }

  get running() {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  start() {
    const out = openSync(path.join(this.dir, `${this.name}.log`), "a");
    this.child = spawn(process.execPath, ["dist/main.js", this.role], {
      cwd: root,
      env: { PATH: process.env.PATH, ...this.env, PORT: String(this.port), HOST: "127.0.0.1" },
      stdio: ["ignore", out, out],
    });
    const child = this.child;
    const started = Date.now();
    child.once("exit", (code, signal) => {
      // Anything but our own SIGKILL (or the final stop) is a replica that died by itself.
      if (this.expectedExit.has(child)) return;
      this.unexpectedExits.push({ at: Date.now(), started, code, signal });
      // As an orchestrator would (restartPolicy: Always): start it again after a short back-off.
      setTimeout(() => {
        if (this.child === child && !this.stopped) this.start();
      }, 2_000).unref();
    });
  }

  /** Resolves when /readyz answers 200 (Postgres and Redis reachable). */
  waitReady(timeoutMs = 60_000) {
    return until(() => httpOk(`http://127.0.0.1:${this.port}/readyz`), `${this.name} ready`, timeoutMs, 200);
  }

  /** kill -9: no shutdown hook runs, in-flight work is cut wherever it is. */
  kill9() {
    const c = this.child;
    if (!c || !this.running) return Promise.resolve();
    this.kills++;
    this.killedAt.push(Date.now());
    this.expectedExit.add(c);
    return new Promise((resolve) => {
      c.once("exit", () => resolve());
      c.kill("SIGKILL");
    });
  }

  async stop() {
    this.stopped = true;
    owned.delete(this.stopKill);
    const c = this.child;
    if (!c || !this.running) return;
    this.expectedExit.add(c);
    await new Promise((resolve) => {
      const t = setTimeout(() => c.kill("SIGKILL"), 10_000);
      c.once("exit", () => (clearTimeout(t), resolve()));
      c.kill("SIGTERM");
    });
  }
}

/** Runs a Firebreak CLI command to completion; resolves with its exit code and output. */
export function firebreakCli(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["dist/main.js", ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("exit", (code) => resolve({ code, output: output.trim() }));
  });
}
