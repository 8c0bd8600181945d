import type { V1Deployment, V1PodTemplateSpec, V1ReplicaSet } from "@kubernetes/client-node";
import { z } from "zod";
import { FirebreakError } from "../../core/errors.js";
import type { ActionContext, ActionDefinition, ActionPreview } from "../types.js";
import { openSession, type KubeSession } from "./call.js";
import { REVISION_ANNOTATION } from "./rollout-status.js";
import { dnsSubdomain, intArg, namespaceArg } from "./schemas.js";
import type { KubernetesTarget } from "./target.js";

const HASH_LABEL = "pod-template-hash";

export const k8sRollbackArgs = z.strictObject({
  namespace: namespaceArg,
  deployment: dnsSubdomain("deployment"),
  /** Revision to go back to; the previous one when omitted (like `kubectl rollout undo`). */
  toRevision: intArg(1, 1_000_000).optional(),
  /** The preview's `expect`: the run refuses unless the deployment is still where the approver saw it. */
  expect: z.strictObject({ revision: z.string().max(20), toRevision: z.string().max(20) }).optional(),
});
/** Arguments of `k8s.rollback`. */
export type K8sRollbackArgs = z.infer<typeof k8sRollbackArgs>;

interface RollbackPlan {
  readonly what: string;
  readonly current: string;
  readonly toRevision: string;
  readonly replicaSet: string;
  readonly template: V1PodTemplateSpec;
  /** Empty when the deployment already runs that template. */
  readonly changes: string[];
}

const revisionOf = (rs: V1ReplicaSet) => Number(rs.metadata?.annotations?.[REVISION_ANNOTATION] ?? "0") || 0;

/** Drops nulls and empty maps and lists, so that templates compare by meaning, not by spelling. */
function prune(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(prune);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = prune((value as Record<string, unknown>)[key]);
    const empty = v === undefined || v === null || (typeof v === "object" && Object.keys(v).length === 0);
    if (!empty) out[key] = v;
  }
  return out;
}
const sameTemplate = (a: unknown, b: unknown) => JSON.stringify(prune(a)) === JSON.stringify(prune(b));

function imageChanges(from: V1PodTemplateSpec | undefined, to: V1PodTemplateSpec): string[] {
  const before = new Map((from?.spec?.containers ?? []).map((c) => [c.name, c.image ?? ""]));
  const lines = (to.spec?.containers ?? [])
    .filter((c) => before.get(c.name) !== c.image)
    .map((c) => `container ${c.name} image ${before.get(c.name) ?? "(none)"} → ${c.image ?? "(none)"}`);
  return lines.length > 0
    ? lines
    : ["same images; other pod template fields (env, resources, annotations…) restored"];
}

/** Reads the deployment and its ReplicaSets and decides what a rollback would change, as kubectl does. */
async function planRollback(session: KubeSession, args: K8sRollbackArgs): Promise<RollbackPlan> {
  const what = `deployment ${args.namespace}/${args.deployment}`;
  const d: V1Deployment = await session.call(what, (c) =>
    c.apps.readNamespacedDeployment({ namespace: args.namespace, name: args.deployment }, c.options),
  );
  if (d.spec?.paused)
    throw new FirebreakError(
      "conflict",
      `${what} is paused: resume its rollout before rolling back; nothing changed.`,
    );
  const selector = Object.entries(d.spec?.selector.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const list = await session.call(`ReplicaSets of ${what}`, (c) =>
    c.apps.listNamespacedReplicaSet(
      { namespace: args.namespace, ...(selector ? { labelSelector: selector } : {}) },
      c.options,
    ),
  );
  const owned = list.items
    .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.controller && o.uid === d.metadata?.uid))
    .filter((rs) => revisionOf(rs) > 0)
    .sort((a, b) => revisionOf(b) - revisionOf(a));
  const revisions = owned.map(revisionOf);
  const current = d.metadata?.annotations?.[REVISION_ANNOTATION] ?? String(revisions[0] ?? "");
  const target =
    args.toRevision === undefined ? owned[1] : owned.find((rs) => revisionOf(rs) === args.toRevision);
  if (!target)
    throw new FirebreakError(
      "not_found",
      args.toRevision === undefined
        ? `${what} has no previous revision to roll back to (revisions: ${revisions.join(", ") || "none"}).`
        : `${what} has no revision ${args.toRevision} (revisions: ${revisions.join(", ") || "none"}).`,
    );
  const template = structuredClone(target.spec?.template ?? {});
  if (template.metadata?.labels) delete template.metadata.labels[HASH_LABEL];
  const toRevision = String(revisionOf(target));
  const same = sameTemplate(template, d.spec?.template);
  return {
    what,
    current,
    toRevision,
    replicaSet: target.metadata?.name ?? "",
    template,
    changes: same
      ? []
      : [
          `${what} rollback revision ${current} → ${toRevision} (pod template of ReplicaSet ${target.metadata?.name ?? "?"})`,
          ...imageChanges(d.spec?.template, template),
        ],
  };
}

function toPreview(plan: RollbackPlan): ActionPreview {
  return {
    changes:
      plan.changes.length > 0
        ? plan.changes
        : [`${plan.what} already runs the pod template of revision ${plan.toRevision}: no change`],
    table: {
      columns: ["deployment", "revision", "back to", "ReplicaSet"],
      rows: [[plan.what, plan.current, plan.toRevision, plan.replicaSet]],
    },
    expect: { revision: plan.current, toRevision: plan.toRevision },
  };
}

async function applyRollback(
  ctx: ActionContext<KubernetesTarget>,
  session: KubeSession,
  args: K8sRollbackArgs,
  plan: RollbackPlan,
) {
  const test = plan.current
    ? [
        {
          op: "test",
          path: `/metadata/annotations/${REVISION_ANNOTATION.replaceAll("/", "~1")}`,
          value: plan.current,
        },
      ]
    : [];
  ctx.log.info({ target: ctx.target.name, deployment: plan.what, to: plan.toRevision }, "k8s.rollback");
  try {
    // The test operation makes the swap atomic: it fails if a rollout moved the revision since the read.
    await session.call(plan.what, (c) =>
      c.apps.patchNamespacedDeployment(
        {
          namespace: args.namespace,
          name: args.deployment,
          body: [...test, { op: "replace", path: "/spec/template", value: plan.template }],
          fieldManager: "firebreak",
        },
        c.patchOptions("json-patch"),
      ),
    );
  } catch (err) {
    if (err instanceof FirebreakError && err.code === "input_invalid" && /test/i.test(err.message))
      throw new FirebreakError(
        "conflict",
        `${plan.what} moved off revision ${plan.current} while rolling back; nothing changed. Preview it again.`,
        { cause: err },
      );
    throw err;
  }
}

/** `k8s.rollback`: put back the pod template of an earlier revision, as `kubectl rollout undo` does. */
export const k8sRollback: ActionDefinition<K8sRollbackArgs, KubernetesTarget> = {
  name: "k8s.rollback",
  kind: "remediation",
  targetType: "kubernetes",
  description: "Roll a deployment back to its previous revision (or a given one), like kubectl rollout undo.",
  argsSchema: k8sRollbackArgs,
  async preview(ctx, args) {
    return toPreview(await planRollback(await openSession(ctx, args.namespace), args));
  },
  async run(ctx, args) {
    const session = await openSession(ctx, args.namespace);
    const plan = await planRollback(session, args);
    if (args.expect && (args.expect.revision !== plan.current || args.expect.toRevision !== plan.toRevision))
      throw new FirebreakError(
        "conflict",
        `${plan.what} is now at revision ${plan.current} (rollback target ${plan.toRevision}), not ${args.expect.revision} → ${args.expect.toRevision} as approved; nothing changed. Preview it again.`,
      );
    if (plan.changes.length === 0)
      return {
        summary: `${plan.what} already runs the pod template of revision ${plan.toRevision}; nothing changed`,
      };
    await applyRollback(ctx, session, args, plan);
    return {
      summary: `${plan.what} rolled back from revision ${plan.current} to the template of revision ${plan.toRevision}; follow it with k8s.rollout_status`,
      text: plan.changes.join("\n") + "\n",
    };
  },
};
