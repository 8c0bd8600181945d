import { randomBytes, randomInt } from "node:crypto";
import { POD, storeKey } from "./resources.js";
import { timestamp, type KubeStore } from "./store.js";
import type { ContainerStatus, OwnerReference, Pod, PodTemplate } from "./types.js";

/** The alphabet Kubernetes uses for generated name suffixes and template hashes. */
export const NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** A random 5-character suffix, like `generateName` produces. */
export function randomSuffix(): string {
  let out = "";
  for (let i = 0; i < 5; i++) out += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)];
  return out;
}

export const isPodReady = (pod: Pod) =>
  pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

export const controllerOf = (pod: Pod): OwnerReference | undefined =>
  pod.metadata.ownerReferences?.find((o) => o.controller);

function pickNode(store: KubeStore): { name: string; ip: string } {
  const nodes = store.list("/nodes");
  if (nodes.length === 0) return { name: "fake-node", ip: "10.0.0.10" };
  const pods = store.list<Pod>(storeKey(POD));
  const load = (n: string) => pods.filter((p) => p.spec?.nodeName === n).length;
  const node = nodes.reduce((best, n) => (load(n.metadata.name) < load(best.metadata.name) ? n : best));
  const addresses = (node.status as { addresses?: { type: string; address: string }[] } | undefined)
    ?.addresses;
  return {
    name: node.metadata.name,
    ip: addresses?.find((a) => a.type === "InternalIP")?.address ?? "10.0.0.10",
  };
}

/**
 * Creates a pod from a template as if the scheduler placed it and the kubelet started
 * every container and saw it ready: the fake completes work at once rather than later.
 */
export function startPod(
  store: KubeStore,
  template: PodTemplate | undefined,
  namespace: string,
  name: string,
  owner: OwnerReference,
): Pod {
  const now = timestamp(store.now());
  const node = pickNode(store);
  const containers = template?.spec?.containers ?? [];
  const statuses: ContainerStatus[] = containers.map((c) => ({
    name: c.name,
    image: c.image ?? "",
    imageID: "",
    containerID: `containerd://${randomBytes(32).toString("hex")}`,
    ready: true,
    started: true,
    restartCount: 0,
    state: { running: { startedAt: now } },
    lastState: {},
  }));
  const condition = (type: string) => ({
    type,
    status: "True",
    lastProbeTime: null,
    lastTransitionTime: now,
  });
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace,
      labels: { ...template?.metadata?.labels },
      ...(template?.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [owner],
    },
    spec: { ...structuredClone(template?.spec ?? {}), nodeName: node.name },
    status: {
      phase: "Running",
      conditions: [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
      ].map(condition),
      hostIP: node.ip,
      podIP: `10.244.${randomInt(1, 255)}.${randomInt(1, 255)}`,
      startTime: now,
      containerStatuses: statuses,
      qosClass: "Burstable",
    },
  };
  const created = store.create(storeKey(POD), pod);
  store.logs.set(
    `${namespace}/${name}`,
    Object.fromEntries(
      containers.map((c) => [c.name, { current: `${now} started container ${c.name} (${c.image ?? ""})\n` }]),
    ),
  );
  return created;
}

/** Removes a pod and its logs at once (its grace period is simulated as already over). */
export function removePod(store: KubeStore, namespace: string, name: string): Pod | undefined {
  store.logs.delete(`${namespace}/${name}`);
  return store.remove(storeKey(POD), namespace, name);
}
