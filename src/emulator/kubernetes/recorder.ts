import { randomBytes } from "node:crypto";
import { EVENT, storeKey } from "./resources.js";
import { timestamp, type KubeStore } from "./store.js";
import type { CoreEvent, KubeObject } from "./types.js";

/** Records a core/v1 Event about an object, as a controller's event recorder does. */
export function recordEvent(
  store: KubeStore,
  about: KubeObject,
  type: "Normal" | "Warning",
  reason: string,
  message: string,
  component: string,
): void {
  const now = timestamp(store.now());
  const event: CoreEvent = {
    apiVersion: "v1",
    kind: "Event",
    metadata: {
      name: `${about.metadata.name}.${randomBytes(8).toString("hex")}`,
      namespace: about.metadata.namespace ?? "default",
    },
    involvedObject: {
      kind: about.kind,
      namespace: about.metadata.namespace ?? "default",
      name: about.metadata.name,
      uid: about.metadata.uid ?? "",
      apiVersion: about.apiVersion,
    },
    reason,
    message,
    source: { component },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
    type,
    eventTime: null,
    reportingComponent: component,
    reportingInstance: "",
  };
  store.create(storeKey(EVENT), event);
}
