/**
 * Whom a simulated node dials. Nodes of `murmur sim` find each other only through the parent
 * (no bootstrap node, no mDNS): as a node comes up it dials up to `DIAL_FANOUT` nodes already up,
 * and again whenever its rounds report fewer than `MIN_SWARM_PEERS` swarm peers, or — sharded —
 * fewer than that subscribed to one of the topics it reads. gossipsub meshes form only over
 * connections, so in a sharded swarm a node must be connected to other subscribers of every shard
 * it reads, or it hears nothing there and nobody hears it: for each shard it reads, up to
 * `DIALS_PER_SHARD` dials go to subscribers of that shard, the rest are random (so the swarm stays
 * one connected graph).
 */
import { readShards } from '@murmur/net'
import type { NodeConfig } from '@murmur/node'
import type { Rng } from '@murmur/interface'

/** Nodes already up that a node dials when it comes up (gossipsub's mesh wants D = 6 of them). */
export const DIAL_FANOUT = 8
/** Of those, at most this many per shard the node reads go to that shard's subscribers. */
export const DIALS_PER_SHARD = 2
/** A node whose rounds report fewer swarm peers (or gossip peers on a topic it reads) than this is given nodes to dial again. */
export const MIN_SWARM_PEERS = 3
/** Rounds between two such re-dials of one node. */
export const REDIAL_ROUNDS = 10

/** The shards node `config` reads (its home shard first); undefined when unsharded or its home shard comes from its peer id. */
export function shardsRead (config: NodeConfig): number[] | undefined {
  const { shardCount, homeShard, shardsRead } = config.net
  if (shardCount === 1 || homeShard < 0) return undefined
  return readShards(homeShard, shardsRead, shardCount)
}

/** Up to DIAL_FANOUT of `candidates` (node indices) for node `self` to dial: subscribers of each shard it reads first (up to DIALS_PER_SHARD each), then random ones. */
export function dialTargets (self: number, candidates: readonly number[], configs: readonly NodeConfig[], rng: Rng): number[] {
  const others = rng.shuffle(candidates.filter(i => i !== self))
  const chosen: number[] = []
  for (const shard of shardsRead(configs[self]) ?? []) {
    const subscribers = others.filter(i => !chosen.includes(i) && shardsRead(configs[i])?.includes(shard) === true)
    chosen.push(...subscribers.slice(0, Math.min(DIALS_PER_SHARD, DIAL_FANOUT - chosen.length)))
  }
  return [...chosen, ...others.filter(i => !chosen.includes(i)).slice(0, DIAL_FANOUT - chosen.length)]
}
