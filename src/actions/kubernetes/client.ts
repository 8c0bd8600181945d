import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  Observable,
  setHeaderOptions,
  type ConfigurationOptions,
  type ObservableMiddleware,
  type PatchStrategy,
} from "@kubernetes/client-node";
import { FirebreakError } from "../../core/errors.js";
import type { KubernetesTarget } from "./target.js";

/** The API clients of one target, with the per-call options that carry the action's abort signal. */
export interface KubeClients {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly custom: CustomObjectsApi;
  /** Pass as the second argument of every call, so that cancelling the action aborts it. */
  readonly options: ConfigurationOptions;
  /** The same, sending a PATCH body of the given type. */
  patchOptions(strategy: PatchStrategy): ConfigurationOptions;
  /** API server URL, for messages (holds no credentials). */
  readonly server: string;
}

/** A kubeconfig given inline rather than as a path: YAML or JSON text, never a one-line path. */
const isInline = (kubeconfig: string) => kubeconfig.includes("\n") || kubeconfig.trimStart().startsWith("{");

/** Loads the target's kubeconfig and selects its context; errors name the target, never the file's content. */
export function loadKubeConfig(target: KubernetesTarget): KubeConfig {
  if (typeof target.kubeconfig !== "string" || target.kubeconfig.trim() === "")
    throw new FirebreakError(
      "config_invalid",
      `Kubernetes target ${target.name} has no kubeconfig configured.`,
    );
  const kc = new KubeConfig();
  const inline = isInline(target.kubeconfig);
  try {
    if (inline) kc.loadFromString(target.kubeconfig);
    else kc.loadFromFile(target.kubeconfig);
  } catch (err) {
    const source = inline ? "its inline kubeconfig" : `kubeconfig ${target.kubeconfig}`;
    const why = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new FirebreakError(
      "config_invalid",
      `Kubernetes target ${target.name}: cannot read ${source} (${why}).`,
      {
        cause: err,
      },
    );
  }
  const contexts = kc.getContexts().map((c) => c.name);
  const context = target.context ?? kc.getCurrentContext();
  if (!context || !contexts.includes(context))
    throw new FirebreakError(
      "config_invalid",
      `Kubernetes target ${target.name}: context ${context || "(none)"} is not in its kubeconfig (contexts: ${contexts.join(", ") || "none"}).`,
    );
  kc.setCurrentContext(context);
  if (!kc.getCurrentCluster())
    throw new FirebreakError(
      "config_invalid",
      `Kubernetes target ${target.name}: context ${context} names a cluster its kubeconfig does not define.`,
    );
  return kc;
}

function signalMiddleware(signal: AbortSignal): ObservableMiddleware {
  return {
    pre: (request) => {
      request.setSignal(signal);
      return new Observable(Promise.resolve(request));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
}

/** Clients for one action call. */
export function kubeClients(target: KubernetesTarget, signal: AbortSignal): KubeClients {
  const kc = loadKubeConfig(target);
  const options: ConfigurationOptions = {
    middleware: [signalMiddleware(signal)],
    middlewareMergeStrategy: "append",
  };
  return {
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    options,
    patchOptions: (strategy) => setHeaderOptions("Content-Type", strategy, options),
    server: kc.getCurrentCluster()?.server ?? "",
  };
}
