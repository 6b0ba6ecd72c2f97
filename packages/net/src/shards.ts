// Rollout topic shards. A swarm of N nodes where every node receives every group costs O(N²)
// deliveries swarm-wide, while a node trains on only J peer groups per round. With shards, the
// swarm's groups are split over `count` gossip topics: a host publishes on its home shard and
// subscribes to `read` consecutive shards starting there (home, home + 1, … mod count), so it
// receives from ≈ read / count of the swarm's producers and every shard is read by the hosts of
// `read` home shards. One shard (the default) is the unsharded topic every host reads.
import { PROTOCOL_VERSION } from '@murmur/protocol'

/** The gossip topic of shard `shard` of `count`: `/murmur/<swarm-id>/rollouts/<version>` unsharded, `…/<version>/<shard>-of-<count>` otherwise. */
export function rolloutTopic (swarmId: string, shard = 0, count = 1): string {
  const base = `/murmur/${swarmId}/rollouts/${PROTOCOL_VERSION}`
  return count === 1 ? base : `${base}/${shard}-of-${count}`
}

/** Every shard topic of a swarm, in shard order. */
export function shardTopics (swarmId: string, count: number): string[] {
  return Array.from({ length: count }, (_, k) => rolloutTopic(swarmId, k, count))
}

/** A host's default home shard: FNV-1a of its peer id, mod `count` (stable across restarts, spread evenly over ids). */
export function homeShardOf (peerId: string, count: number): number {
  let h = 0x811c9dc5
  for (let i = 0; i < peerId.length; i++) {
    h ^= peerId.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h % count
}

/** The shards a host with home shard `home` reads: `read` consecutive shards from `home`, mod `count`. */
export function readShards (home: number, read: number, count: number): number[] {
  return Array.from({ length: Math.min(read, count) }, (_, k) => (home + k) % count)
}
