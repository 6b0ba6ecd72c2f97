// Shared setup for the net tests: real libp2p hosts on loopback with a fast heartbeat, and
// rollout groups built from the real task registry.
import { resolveTask } from '@murmur/tasks'
import type { RolloutGroup } from '@murmur/protocol'
import { createSwarmHost, type SwarmHost } from '../src/host.js'
import type { SwarmHostInit } from '../src/config.js'

/** Host options for loopback tests: loopback only, fast heartbeat, no per-IP connection throttle. */
export function loopbackInit (over: Partial<SwarmHostInit> = {}): SwarmHostInit {
  return {
    swarmId: 'test',
    resolveTask,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    ...over,
    gossip: { heartbeatMs: 200, ...over.gossip },
    connections: { inboundPerHostPerSecond: 1000, ...over.connections }
  }
}

/** Starts `n` hosts; the caller stops them (use `stopAll`). */
export async function startHosts (n: number, over: Partial<SwarmHostInit> = {}): Promise<SwarmHost[]> {
  const hosts = Array.from({ length: n }, () => createSwarmHost(loopbackInit(over)))
  await Promise.all(hosts.map(async h => { await h.start() }))
  return hosts
}

/** Stops every host, ignoring ones never started. */
export async function stopHosts (hosts: SwarmHost[]): Promise<void> {
  await Promise.all(hosts.map(async h => { await h.stop() }))
}

/** Dials `b` from `a`. */
export async function connect (a: SwarmHost, b: SwarmHost): Promise<void> {
  await a.dial(b.multiaddrs()[0])
}

/** A valid group for `add` with `seed`, created now. */
export function makeGroup (seed: number, over: Partial<RolloutGroup> = {}): RolloutGroup {
  const task = { family: 'add', version: 1, seed, params: { format: 'compact' } }
  return {
    task,
    prompt: resolveTask(task).prompt,
    completions: ['42', '17', 'x'.repeat(32)],
    modelId: 'test-model',
    round: 1,
    scores: [],
    createdAt: Date.now(),
    ...over
  }
}

/** Resolves when `cond()` holds, polling; rejects after `ms`. */
export async function until (cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}
