import { kubectlDuration } from "../../core/duration.js";
import { selectorToString } from "./selectors.js";
import type { CoreEvent, Deployment, KubeObject, Pod, ReplicaSet } from "./types.js";

interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

const col = (name: string, description: string, priority = 0, format = "", type = "string"): Column => ({
  name,
  type,
  format,
  description,
  priority,
});
const NAME = col("Name", "Name must be unique within a namespace.", 0, "name");

type Cell = string | number;
interface Printer {
  columns: Column[];
  row(obj: KubeObject, age: (t: string | null | undefined) => string): Cell[];
}

const images = (t: ReplicaSet["spec"]) =>
  (t?.template?.spec?.containers ?? []).map((c) => c.image ?? "").join(",");
const containerNames = (t: ReplicaSet["spec"]) =>
  (t?.template?.spec?.containers ?? []).map((c) => c.name).join(",");

function podStatus(pod: Pod): string {
  if (pod.metadata.deletionTimestamp) return "Terminating";
  let reason = pod.status?.reason ?? pod.status?.phase ?? "Unknown";
  for (const c of pod.status?.containerStatuses ?? []) {
    const waiting = c.state?.waiting?.reason;
    const terminated = c.state?.terminated;
    if (waiting) reason = waiting;
    else if (terminated) reason = terminated.reason ?? `ExitCode:${terminated.exitCode ?? 0}`;
  }
  return reason;
}

function podRestarts(pod: Pod, age: (t: string | undefined) => string): string {
  const statuses = pod.status?.containerStatuses ?? [];
  const restarts = statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const last = statuses
    .map((c) => c.lastState?.terminated?.finishedAt)
    .filter((t): t is string => Boolean(t))
    .sort()
    .at(-1);
  return restarts > 0 && last ? `${restarts} (${age(last)} ago)` : String(restarts);
}

const PRINTERS: Record<string, Printer> = {
  Pod: {
    columns: [
      NAME,
      col("Ready", "The aggregate readiness state of this pod for accepting traffic."),
      col("Status", "The aggregate status of the containers in this pod."),
      col(
        "Restarts",
        "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
      ),
      col(
        "Age",
        "CreationTimestamp is a timestamp representing the server time when this object was created.",
      ),
      col("IP", "IP address allocated to the pod. Routable at least within the cluster.", 1),
      col("Node", "NodeName is a request to schedule this pod onto a specific node.", 1),
      col(
        "Nominated Node",
        "nominatedNodeName is set only when this pod preempts other pods on the node.",
        1,
      ),
      col("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness.", 1),
    ],
    row(obj, age) {
      const pod = obj as Pod;
      const statuses = pod.status?.containerStatuses ?? [];
      const total = pod.spec?.containers?.length ?? statuses.length;
      const ready = statuses.filter((c) => c.ready).length;
      return [
        pod.metadata.name,
        `${ready}/${total}`,
        podStatus(pod),
        podRestarts(pod, age),
        age(pod.metadata.creationTimestamp),
        pod.status?.podIP ?? "<none>",
        pod.spec?.nodeName ?? "<none>",
        "<none>",
        "<none>",
      ];
    },
  },
  Deployment: {
    columns: [
      NAME,
      col("Ready", "Number of the pod with ready state"),
      col(
        "Up-to-date",
        "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
      ),
      col(
        "Available",
        "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
      ),
      col(
        "Age",
        "CreationTimestamp is a timestamp representing the server time when this object was created.",
      ),
      col("Containers", "Names of each container in the template.", 1),
      col("Images", "Images referenced by each container in the template.", 1),
      col(
        "Selector",
        "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
        1,
      ),
    ],
    row(obj, age) {
      const d = obj as Deployment;
      return [
        d.metadata.name,
        `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
        d.status?.updatedReplicas ?? 0,
        d.status?.availableReplicas ?? 0,
        age(d.metadata.creationTimestamp),
        containerNames(d.spec),
        images(d.spec),
        selectorToString(d.spec?.selector),
      ];
    },
  },
  ReplicaSet: {
    columns: [
      NAME,
      col("Desired", "Replicas is the number of desired replicas."),
      col("Current", "Replicas is the most recently observed number of replicas."),
      col("Ready", "The number of ready replicas for this replica set."),
      col(
        "Age",
        "CreationTimestamp is a timestamp representing the server time when this object was created.",
      ),
      col("Containers", "Names of each container in the template.", 1),
      col("Images", "Images referenced by each container in the template.", 1),
      col("Selector", "Selector is a label query over pods that should match the replica count.", 1),
    ],
    row(obj, age) {
      const rs = obj as ReplicaSet;
      return [
        rs.metadata.name,
        rs.spec?.replicas ?? 1,
        rs.status?.replicas ?? 0,
        rs.status?.readyReplicas ?? 0,
        age(rs.metadata.creationTimestamp),
        containerNames(rs.spec),
        images(rs.spec),
        selectorToString(rs.spec?.selector),
      ];
    },
  },
  StatefulSet: {
    columns: [
      NAME,
      col("Ready", "Number of the pod with ready state"),
      col(
        "Age",
        "CreationTimestamp is a timestamp representing the server time when this object was created.",
      ),
      col("Containers", "Names of each container in the template.", 1),
      col("Images", "Images referenced by each container in the template.", 1),
    ],
    row(obj, age) {
      const s = obj as ReplicaSet;
      return [
        s.metadata.name,
        `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 1}`,
        age(s.metadata.creationTimestamp),
        containerNames(s.spec),
        images(s.spec),
      ];
    },
  },
  Event: {
    columns: [
      col("Last Seen", "Time when last event occurred"),
      col("Type", "Type of this event (Normal, Warning), new types could be added in the future."),
      col(
        "Reason",
        "This should be a short, machine understandable string that gives the reason for this event being generated.",
      ),
      col("Object", "The object this Event is about."),
      col("Subobject", "The subobject this Event is about.", 1),
      col("Source", "The component reporting this event.", 1),
      col("Message", "A human-readable description of the status of this operation."),
      col("First Seen", "The time at which the event was first recorded.", 1),
      col("Count", "The number of times this event has occurred.", 1),
      col("Name", "Name must be unique within a namespace.", 1, "name"),
    ],
    row(obj, age) {
      const e = obj as CoreEvent;
      const last = e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
      const first = e.firstTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
      return [
        age(last),
        e.type ?? "",
        e.reason ?? "",
        `${(e.involvedObject?.kind ?? "").toLowerCase()}/${e.involvedObject?.name ?? ""}`,
        e.involvedObject?.fieldPath ?? "",
        e.source?.component ?? e.reportingComponent ?? "",
        e.message ?? "",
        age(first),
        e.count ?? 1,
        e.metadata.name,
      ];
    },
  },
  Namespace: {
    columns: [
      NAME,
      col("Status", "The status of the namespace"),
      col(
        "Age",
        "CreationTimestamp is a timestamp representing the server time when this object was created.",
      ),
    ],
    row(obj, age) {
      const phase = (obj.status as { phase?: string } | undefined)?.phase ?? "Active";
      return [obj.metadata.name, phase, age(obj.metadata.creationTimestamp)];
    },
  },
};

const DEFAULT_PRINTER: Printer = {
  columns: [
    NAME,
    col(
      "Created At",
      "CreationTimestamp is a timestamp representing the server time when this object was created.",
      0,
      "date",
    ),
  ],
  row: (obj) => [obj.metadata.name, obj.metadata.creationTimestamp ?? ""],
};

/** How much of each object a Table row carries (`includeObject`). */
export type IncludeObject = "None" | "Metadata" | "Object";

/** Server-side printing: the `meta.k8s.io/v1 Table` kubectl asks for with `Accept: …;as=Table`. */
export function toTable(
  kind: string,
  objects: KubeObject[],
  now: Date,
  include: IncludeObject,
  listMeta: Record<string, unknown>,
): Record<string, unknown> {
  const printer = PRINTERS[kind] ?? DEFAULT_PRINTER;
  const age = (t: string | null | undefined) =>
    t ? kubectlDuration(now.getTime() - Date.parse(t)) : "<unknown>";
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: listMeta,
    columnDefinitions: printer.columns,
    rows: objects.map((obj) => ({
      cells: printer.row(obj, age),
      ...(include === "None"
        ? {}
        : {
            object:
              include === "Object"
                ? obj
                : { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata },
          }),
    })),
  };
}
