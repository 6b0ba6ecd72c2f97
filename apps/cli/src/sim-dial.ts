/**
 * Whom a simulated node dials. Nodes of `murmur sim` find each other only through the parent
 * (no bootstrap node, no mDNS): as a node comes up it dials up to `DIAL_FANOUT` nodes already up,
 * and again whenever its rounds report fewer than `MIN_SWARM_PEERS` swarm peers. In a sharded
 * swarm a node must be connected to nodes of the shards it reads and to readers of its home shard,
 * or it hears nothing and nobody hears it (gossipsub meshes form only over connections): up to
 * half the dials go to such shard neighbours, the rest are random (so the swarm stays one
 * connected graph).
 */
import { readShards } from '@murmur/net'
import type { NodeConfig } from '@murmur/node'
import type { Rng } from '@murmur/interface'

/** Nodes already up that a node dials when it comes up (gossipsub's mesh wants D = 6 of them). */
export const DIAL_FANOUT = 8
/** A node whose rounds report fewer swarm peers than this is given nodes to dial again. */
export const MIN_SWARM_PEERS = 3
/** Rounds between two such re-dials of one node. */
export const REDIAL_ROUNDS = 10

/** The shards node `config` publishes on and reads; undefined when unsharded or its home shard comes from its peer id. */
function shardsOf (config: NodeConfig): { home: number, reads: number[] } | undefined {
  const { shardCount, homeShard, shardsRead } = config.net
  if (shardCount === 1 || homeShard < 0) return undefined
  return { home: homeShard, reads: readShards(homeShard, shardsRead, shardCount) }
}

/** Whether `a` and `b` gossip directly in a sharded swarm: one publishes on a shard the other reads. */
export function shardNeighbours (a: NodeConfig, b: NodeConfig): boolean {
  const x = shardsOf(a)
  const y = shardsOf(b)
  if (x === undefined || y === undefined) return false
  return x.reads.includes(y.home) || y.reads.includes(x.home)
}

/** Up to DIAL_FANOUT of `candidates` (node indices) for node `self` to dial: shard neighbours first (up to half), then random ones. */
export function dialTargets (self: number, candidates: readonly number[], configs: readonly NodeConfig[], rng: Rng): number[] {
  const others = rng.shuffle(candidates.filter(i => i !== self))
  const near = others.filter(i => shardNeighbours(configs[self], configs[i])).slice(0, DIAL_FANOUT / 2)
  const rest = others.filter(i => !near.includes(i)).slice(0, DIAL_FANOUT - near.length)
  return [...near, ...rest]
}
