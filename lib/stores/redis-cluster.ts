/**
 * Which nodes a RedisStore listing must scan, and the proof that they hold every key: on a Redis Cluster, a SCAN
 * reaches one node's keys only, so a listing that scans "the masters the client knows" silently misses the keys of a
 * master it does not know yet (a client not ready), cannot reach (a master down) or that moved (a reshard).
 *
 * `clusterScanPlan` asks the cluster for its slot map (CLUSTER SLOTS, which also waits until the client is ready),
 * asks each known master who it is (CLUSTER NODES, its `myself` line), and answers the masters to scan only when they
 * serve all 16384 slots between them; otherwise it rejects. Its `signature` (the slot map, plus any slot a master is
 * migrating or importing) lets a caller see, after scanning, that keys may have moved under it: a signature that
 * changed, or one taken during a migration, is not `settled`.
 */

/** Hash slots of a Redis Cluster. */
export const CLUSTER_SLOTS = 16_384;

/** What a cluster node answers, as ioredis answers it: the commands a plan sends. */
export interface ClusterNodeLike {
  cluster(subcommand: 'NODES'): Promise<unknown>;
}

/** An ioredis `Cluster` of any copy, as far as planning a listing goes. */
export interface ClusterLike<Node extends ClusterNodeLike> {
  cluster(subcommand: 'SLOTS'): Promise<unknown>;
  nodes(role: 'master'): Node[];
  /** ioredis' re-read of the slot map from the nodes (CLUSTER SLOTS into its pool). */
  refreshSlotsCache?(callback?: (error?: Error | null) => void): void;
}

export interface ClusterScanPlan<Node> {
  /** The masters to scan, one per master id that serves slots. */
  readonly nodes: readonly Node[];
  /** The slot map and migrations this plan was made from. */
  readonly signature: string;
  /** False while a master migrates or imports a slot: keys may move between the scans of two masters. */
  readonly settled: boolean;
}

/** One range of CLUSTER SLOTS' answer: [start, end, [host, port, id, ...], ...replicas]. */
function slotRanges(answer: unknown): Array<{ start: number; end: number; id: string }> {
  if (!Array.isArray(answer)) throw new Error(`CLUSTER SLOTS answered ${typeof answer}, not a list`);
  return answer.map((entry: unknown) => {
    const [start, end, master] = Array.isArray(entry) ? entry as unknown[] : [];
    const id = Array.isArray(master) ? (master as unknown[])[2] : undefined;
    const text = typeof id === 'string' ? id : id instanceof Uint8Array ? Buffer.from(id).toString() : undefined;
    if (typeof start !== 'number' || typeof end !== 'number' || text === undefined) throw new Error('CLUSTER SLOTS answered an entry of an unknown shape');
    return { start, end, id: text };
  }).sort((a, b) => a.start - b.start);
}

/** A master's own line of CLUSTER NODES: its id, and its migrating/importing slots (`[slot->-id]`, `[slot-<-id]`). */
function myself(answer: unknown): { id: string; moving: string[] } {
  const line = String(answer).split('\n').find((candidate) => / myself[,\s]/.test(candidate) || /,myself/.test(candidate));
  if (line === undefined) throw new Error('CLUSTER NODES answered no line for the node itself');
  const fields = line.trim().split(' ');
  return { id: fields[0] ?? '', moving: fields.filter((field) => field.startsWith('[')) };
}

/**
 * The masters that serve every slot, one per master id, or a rejection naming how many slots no reachable master
 * serves. A master that does not answer rejects the plan (its keys would be missed). When the client's pool misses a
 * master the cluster lists (a master back after an outage), the client re-reads the slot map once before the plan fails.
 */
export async function clusterScanPlan<Node extends ClusterNodeLike>(client: ClusterLike<Node>, label: string): Promise<ClusterScanPlan<Node>> {
  try {
    return await planOnce(client, label);
  } catch (error) {
    if (!(error instanceof UncoveredSlotsError) || client.refreshSlotsCache === undefined) throw error;
    await new Promise<void>((resolve) => client.refreshSlotsCache?.(() => resolve()));
    return planOnce(client, label);
  }
}

class UncoveredSlotsError extends Error {}

async function planOnce<Node extends ClusterNodeLike>(client: ClusterLike<Node>, label: string): Promise<ClusterScanPlan<Node>> {
  const ranges = slotRanges(await client.cluster('SLOTS'));
  const known = client.nodes('master');
  const selves = await Promise.all(known.map((node) => node.cluster('NODES').then(myself, (error: unknown) => {
    throw new Error(`${label}: a cluster master did not answer (${(error as Error).message}); a listing without it would miss its keys`, { cause: error });
  })));
  const byId = new Map<string, Node>();
  const moving: string[] = [];
  selves.forEach(({ id, moving: slots }, i) => {
    const node = known[i];
    if (node !== undefined && !byId.has(id)) byId.set(id, node);
    moving.push(...slots.map((slot) => `${id}${slot}`));
  });
  let covered = 0;
  const owners = new Set<string>();
  for (const range of ranges) {
    if (!byId.has(range.id)) continue;
    covered += range.end - range.start + 1;
    owners.add(range.id);
  }
  if (covered < CLUSTER_SLOTS) {
    throw new UncoveredSlotsError(`${label}: ${CLUSTER_SLOTS - covered} of ${CLUSTER_SLOTS} cluster hash slots are served by no master this client reaches (a master down, or the client's view of the cluster out of date); a listing would miss their keys, so it fails instead. Try again once the cluster is whole`);
  }
  return {
    nodes: [...owners].map((id) => byId.get(id)).filter((node): node is Node => node !== undefined),
    signature: JSON.stringify([ranges, moving.sort()]),
    settled: moving.length === 0,
  };
}

/** True when nothing moved between `before` and `after`: same slot map, and no migration in progress at either end. */
export function unmoved(before: ClusterScanPlan<unknown>, after: ClusterScanPlan<unknown>): boolean {
  return before.settled && after.settled && before.signature === after.signature;
}
