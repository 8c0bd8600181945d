import { randomUUID } from "node:crypto";
import type { KubeObject } from "./types.js";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

/** One change to the store, in the order it happened (what a watch streams). */
export interface StoreChange {
  readonly type: WatchEventType;
  /** Store key of the resource, e.g. `/pods`, `apps/deployments`. */
  readonly key: string;
  readonly object: KubeObject;
}

/** Logs of one container: what `pods/log` serves, now and for the previous instance. */
export interface ContainerLogs {
  current?: string;
  previous?: string;
}

/** RFC 3339 with whole seconds, as Kubernetes writes `metav1.Time`. */
export function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

const objectId = (namespace: string | undefined, name: string) => `${namespace ?? ""}/${name}`;

/**
 * The fake's etcd: objects by resource and `namespace/name`, one cluster-wide
 * `resourceVersion` counter that only grows, and change notifications for watches.
 * Everything handed out is a copy, so callers cannot change stored state by accident.
 */
export class KubeStore {
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #listeners = new Set<(change: StoreChange) => void>();
  #resourceVersion = 1000;
  /** Container logs by `namespace/pod`, then container name. */
  readonly logs = new Map<string, Record<string, ContainerLogs>>();

  constructor(readonly now: () => Date) {}

  /** The latest resourceVersion handed out. */
  get resourceVersion(): string {
    return String(this.#resourceVersion);
  }

  #bucket(key: string): Map<string, KubeObject> {
    let bucket = this.#objects.get(key);
    if (!bucket) this.#objects.set(key, (bucket = new Map<string, KubeObject>()));
    return bucket;
  }

  /** Objects of a resource, sorted by namespace then name (etcd key order). */
  list<T extends KubeObject = KubeObject>(key: string, namespace?: string): T[] {
    return [...this.#bucket(key).values()]
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .sort((a, b) =>
        objectId(a.metadata.namespace, a.metadata.name).localeCompare(
          objectId(b.metadata.namespace, b.metadata.name),
        ),
      )
      .map((o) => structuredClone(o) as T);
  }

  get<T extends KubeObject = KubeObject>(
    key: string,
    namespace: string | undefined,
    name: string,
  ): T | undefined {
    const found = this.#bucket(key).get(objectId(namespace, name));
    return found && (structuredClone(found) as T);
  }

  /** Stores a new object, filling uid, creationTimestamp and (for workloads) generation. */
  create<T extends KubeObject>(key: string, object: T): T {
    object = structuredClone(object);
    const meta = object.metadata;
    meta.uid ??= randomUUID();
    meta.creationTimestamp ??= timestamp(this.now());
    if (key.startsWith("apps/")) meta.generation ??= 1;
    return this.#write(key, object, "ADDED");
  }

  /** Replaces a stored object with a new resourceVersion. */
  update<T extends KubeObject>(key: string, object: T): T {
    return this.#write(key, object, "MODIFIED");
  }

  #write<T extends KubeObject>(key: string, object: T, type: WatchEventType): T {
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = String(++this.#resourceVersion);
    this.#bucket(key).set(objectId(stored.metadata.namespace, stored.metadata.name), stored);
    this.#emit({ type, key, object: stored });
    return structuredClone(stored);
  }

  remove(key: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const bucket = this.#bucket(key);
    const id = objectId(namespace, name);
    const found = bucket.get(id);
    if (!found) return undefined;
    bucket.delete(id);
    found.metadata.resourceVersion = String(++this.#resourceVersion);
    this.#emit({ type: "DELETED", key, object: found });
    return structuredClone(found);
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  subscribe(listener: (change: StoreChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(change: StoreChange): void {
    for (const listener of this.#listeners) listener({ ...change, object: structuredClone(change.object) });
  }
}
