import type { V1Pod } from "@kubernetes/client-node";
import { kubectlDuration } from "../../core/duration.js";

/** How long ago, as kubectl prints ages (`45s`, `3m20s`, `49m`, `5h12m`, `14d`). */
export function age(from: Date | string | undefined | null, now: Date): string {
  if (!from) return "";
  return kubectlDuration(Math.max(0, now.getTime() - new Date(from).getTime()));
}

const SUFFIXES: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes quantity (`250m`, `212345678n`, `287340Ki`, `1.5Gi`, `1e3`) in base units; NaN if malformed. */
export function parseQuantity(quantity: string): number {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?)$/.exec(
    quantity.trim(),
  );
  if (!m) return Number.NaN;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  return base * (SUFFIXES[m[3] ?? ""] ?? Number.NaN);
}

/** Containers ready out of containers declared, as `READY` shows it. */
export function podReady(pod: V1Pod): { ready: number; total: number } {
  const statuses = pod.status?.containerStatuses ?? [];
  return {
    ready: statuses.filter((c) => c.ready).length,
    total: pod.spec?.containers.length ?? statuses.length,
  };
}

export const podRestarts = (pod: V1Pod) =>
  (pod.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);

/** The phase, with the reason a container is stuck when there is one: `Running (CrashLoopBackOff)`. */
export function podPhase(pod: V1Pod): string {
  if (pod.metadata?.deletionTimestamp) return "Terminating";
  const phase = pod.status?.phase ?? "Unknown";
  const stuck = (pod.status?.containerStatuses ?? [])
    .map(
      (c) =>
        c.state?.waiting?.reason ??
        (c.state?.terminated ? (c.state.terminated.reason ?? "Terminated") : undefined),
    )
    .find((r) => r !== undefined && r !== "ContainerCreating" && r !== "PodInitializing");
  const reason = pod.status?.reason;
  return stuck ? `${phase} (${stuck})` : reason ? `${phase} (${reason})` : phase;
}

/** True when every container is ready and the pod is running (or finished cleanly). */
export function podHealthy(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  if (phase === "Succeeded") return true;
  const { ready, total } = podReady(pod);
  return phase === "Running" && ready === total;
}
