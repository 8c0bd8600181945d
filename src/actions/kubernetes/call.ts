import type { ActionContext } from "../types.js";
import { kubeClients, type KubeClients } from "./client.js";
import { kubeError } from "./errors.js";
import { assertNamespaceAllowed, type KubernetesTarget } from "./target.js";

/** What one action call works with: its clients and a translator for every API call. */
export interface KubeSession {
  readonly clients: KubeClients;
  /** Runs one API call; whatever it throws comes out as a FirebreakError about `subject`. */
  call<T>(subject: string, fn: (clients: KubeClients) => Promise<T>): Promise<T>;
}

/** Checks the namespace against the target, then opens clients for this call. */
export async function openSession(
  ctx: ActionContext<KubernetesTarget>,
  namespace: string,
): Promise<KubeSession> {
  assertNamespaceAllowed(ctx.target, namespace);
  const clients = await kubeClients(ctx.target, ctx.signal);
  return {
    clients,
    async call(subject, fn) {
      try {
        return await fn(clients);
      } catch (err) {
        throw kubeError(err, ctx.target, subject, { signal: ctx.signal, server: clients.server });
      }
    },
  };
}
