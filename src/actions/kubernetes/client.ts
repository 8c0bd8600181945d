import type {
  AppsV1Api,
  ConfigurationOptions,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  ObservableMiddleware,
} from "@kubernetes/client-node";
import type * as K8s from "@kubernetes/client-node";
import { FirebreakError } from "../../core/errors.js";
import type { KubernetesTarget } from "./target.js";

/** The official client's module, loaded on first use: a process with no Kubernetes target never loads it. */
type KubernetesModule = typeof K8s;
let loaded: KubernetesModule | null = null;

/** Loads `@kubernetes/client-node` (once). */
export async function kubernetesModule(): Promise<KubernetesModule> {
  loaded ??= await import("@kubernetes/client-node");
  return loaded;
}

/** The module if some action has loaded it already (an error from it can only come after that). */
export const loadedKubernetesModule = (): KubernetesModule | null => loaded;

/** How a PATCH body is to be read. */
export type PatchKind = "strategic-merge" | "json-patch" | "merge";

/** The API clients of one target, with the per-call options that carry the action's abort signal. */
export interface KubeClients {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly custom: CustomObjectsApi;
  /** Pass as the second argument of every call, so that cancelling the action aborts it. */
  readonly options: ConfigurationOptions;
  /** The same, sending a PATCH body of the given kind. */
  patchOptions(kind: PatchKind): ConfigurationOptions;
  /** API server URL, for messages (holds no credentials). */
  readonly server: string;
}

/** A kubeconfig given inline rather than as a path: YAML or JSON text, never a one-line path. */
const isInline = (kubeconfig: string) => kubeconfig.includes("\n") || kubeconfig.trimStart().startsWith("{");

/** Loads the target's kubeconfig and selects its context; errors name the target, never the file's content. */
export async function loadKubeConfig(target: KubernetesTarget): Promise<KubeConfig> {
  const { KubeConfig } = await kubernetesModule();
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

function signalMiddleware(signal: AbortSignal, { Observable }: KubernetesModule): ObservableMiddleware {
  return {
    pre: (request) => {
      request.setSignal(signal);
      return new Observable(Promise.resolve(request));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
}

/** Clients for one action call. */
export async function kubeClients(target: KubernetesTarget, signal: AbortSignal): Promise<KubeClients> {
  const k8s = await kubernetesModule();
  const kc = await loadKubeConfig(target);
  const options: ConfigurationOptions = {
    middleware: [signalMiddleware(signal, k8s)],
    middlewareMergeStrategy: "append",
  };
  const strategies = {
    "strategic-merge": k8s.PatchStrategy.StrategicMergePatch,
    "json-patch": k8s.PatchStrategy.JsonPatch,
    merge: k8s.PatchStrategy.MergePatch,
  } as const;
  return {
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
    options,
    patchOptions: (kind) => k8s.setHeaderOptions("Content-Type", strategies[kind], options),
    server: kc.getCurrentCluster()?.server ?? "",
  };
}
