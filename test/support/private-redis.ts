import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";

/** A Redis server of this test file's own (a child `redis-server` on a free loopback port). */
export interface PrivateRedis {
  url: string;
  /** `127.0.0.1:PORT`, for building URLs with credentials. */
  hostPort: string;
  stop(): Promise<void>;
}

/**
 * For tests that change server-wide settings (CONFIG SET maxmemory, ACL users): on the
 * shared Redis, files running in parallel would undo each other's changes and leave the
 * server altered. Keeps nothing on disk; stopped by `stop()`.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      {
        stdio: "ignore",
      },
    );
    const url = `redis://127.0.0.1:${port}`;
    if (await answers(url, child)) {
      return {
        url,
        hostPort: `127.0.0.1:${port}`,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      };
    }
    child.kill("SIGKILL");
  }
  throw new Error("could not start a private redis-server on a free loopback port");
}

async function answers(url: string, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 50 && child.exitCode === null; i++) {
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on("error", () => undefined);
    try {
      await r.connect();
      if ((await r.ping()) === "PONG") return true;
    } catch {
      // not listening yet
    } finally {
      r.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}
