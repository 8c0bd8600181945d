import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { findResourceByKind, storeKey } from "./resources.js";
import type { KubeStore } from "./store.js";
import { POD_LOGS_API_VERSION, type KubeObject, type PodLogsFixture } from "./types.js";

/**
 * Reads Kubernetes objects from YAML: a directory (every `*.yaml`/`*.yml` in name order),
 * or a list of files. Multi-document files are fine; empty documents are skipped.
 */
export function loadKubeFixtures(source: string | readonly string[]): KubeObject[] {
  const files =
    typeof source === "string" && statSync(source).isDirectory()
      ? readdirSync(source)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => path.join(source, f))
      : typeof source === "string"
        ? [source]
        : [...source];
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(file, "utf8")).flatMap((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message ?? "invalid YAML"}`);
      const value = doc.toJS() as unknown;
      if (value === null || value === undefined) return [];
      const obj = value as KubeObject;
      if (
        typeof obj.kind !== "string" ||
        typeof obj.apiVersion !== "string" ||
        typeof obj.metadata?.name !== "string"
      )
        throw new Error(`${file}: every document needs apiVersion, kind and metadata.name`);
      return [obj];
    }),
  );
}

/** Puts fixture objects into the store; `PodLogs` documents become container logs. */
export function seedStore(store: KubeStore, objects: readonly KubeObject[]): void {
  for (const original of objects) {
    const obj = structuredClone(original);
    if (obj.apiVersion === POD_LOGS_API_VERSION && obj.kind === "PodLogs") {
      const logs = obj as PodLogsFixture;
      store.logs.set(
        `${obj.metadata.namespace ?? "default"}/${obj.metadata.name}`,
        structuredClone(logs.containers),
      );
      continue;
    }
    const def = findResourceByKind(obj.apiVersion, obj.kind);
    if (!def) throw new Error(`the Kubernetes fake does not serve ${obj.apiVersion} ${obj.kind}`);
    if (def.namespaced) obj.metadata.namespace ??= "default";
    store.create(storeKey(def), obj);
  }
}
