/** A backend that waits on a lock, or holds one that another backend waits on. */
export interface LockNode {
  readonly pid: number;
  /** pg_blocking_pids: empty for a root blocker. */
  readonly blockedBy: readonly number[];
  readonly label: string;
}

/**
 * Renders blocking chains as indented trees, one per root blocker (a backend that blocks
 * others and waits on nobody in the set). A cycle (a deadlock Postgres has not broken yet)
 * has no root, so its members are rendered from the lowest pid.
 */
export function renderLockChains(nodes: readonly LockNode[]): string[] {
  const byPid = new Map(nodes.map((n) => [n.pid, n]));
  const children = new Map<number, number[]>();
  for (const n of nodes) {
    for (const blocker of n.blockedBy) children.set(blocker, [...(children.get(blocker) ?? []), n.pid]);
  }
  const isRoot = (n: LockNode) => n.blockedBy.every((b) => !byPid.has(b));
  const seen = new Set<number>();
  const lines: string[] = [];
  const visit = (pid: number, depth: number) => {
    const node = byPid.get(pid);
    if (!node) return;
    const prefix = depth === 0 ? "" : `${"   ".repeat(depth - 1)}└─ `;
    if (seen.has(pid)) {
      lines.push(`${prefix}pid ${pid} (see above)`);
      return;
    }
    seen.add(pid);
    lines.push(`${prefix}${node.label}`);
    for (const child of [...(children.get(pid) ?? [])].sort((a, b) => a - b)) visit(child, depth + 1);
  };
  const sorted = [...nodes].sort((a, b) => a.pid - b.pid);
  for (const root of sorted.filter(isRoot)) visit(root.pid, 0);
  for (const rest of sorted) if (!seen.has(rest.pid)) visit(rest.pid, 0);
  return lines;
}

/** Root blockers: backends in the set that wait on nobody else in it. */
export function rootBlockers(nodes: readonly LockNode[]): number[] {
  const pids = new Set(nodes.map((n) => n.pid));
  return nodes.filter((n) => n.blockedBy.every((b) => !pids.has(b))).map((n) => n.pid);
}
