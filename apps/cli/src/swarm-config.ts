/**
 * A swarm file as a node config layer: below the user's `--config` file, environment and flags
 * (so a user can still override, e.g., the listen address), above the defaults.
 */
import type { SwarmFile } from '@murmur/net'

/** The node config keys a swarm file sets. */
export function swarmConfigLayer (swarm: SwarmFile): Record<string, unknown> {
  const net: Record<string, unknown> = {
    swarmId: swarm.id,
    bootstrap: swarm.bootstrap,
    bootstrapUrls: swarm.bootstrapUrls,
    public: swarm.public,
    // Nodes of a swarm may sit behind NAT: hold a relay reservation and try DCUtR.
    relay: true,
    dht: true,
    pskFile: swarm.pskFile ?? ''
  }
  if (swarm.listen !== undefined) net.listen = swarm.listen
  if (swarm.shards !== undefined) net.shardCount = swarm.shards
  const layer: Record<string, unknown> = { net }
  if (swarm.model !== undefined) layer.model = swarm.model
  if (swarm.modelId !== undefined) layer.modelId = swarm.modelId
  if (swarm.taskMix !== undefined) layer.taskMix = swarm.taskMix
  return layer
}

/** Merges a user config file over a swarm layer (objects merge one level deep, the file wins). */
export function mergeConfigLayers (base: Record<string, unknown>, over: unknown): Record<string, unknown> {
  if (over === undefined) return base
  if (over === null || typeof over !== 'object' || Array.isArray(over)) return over as Record<string, unknown>
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) {
    const b = out[k]
    out[k] = b !== null && typeof b === 'object' && !Array.isArray(b) && v !== null && typeof v === 'object' && !Array.isArray(v)
      ? { ...(b as Record<string, unknown>), ...(v as Record<string, unknown>) }
      : v
  }
  return out
}
