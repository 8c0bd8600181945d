import { spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";

/** The repository root (benchmarks run Firebreak from dist/). */
export const root = path.resolve(import.meta.dirname, "../..");

/** A free loopback port (asked of the OS, then released for the child to bind). */
export const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** Starts `node <args>` in the repository with only PATH and `env`; `stop()` ends it. */
export function startChild(args, env) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return {
    child,
    stop: () =>
      new Promise((r) => (child.exitCode !== null ? r() : (child.once("exit", r), child.kill("SIGTERM")))),
  };
}
