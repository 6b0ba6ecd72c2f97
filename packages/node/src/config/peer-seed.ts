/**
 * `murmur node`'s config path: resolve, and when networking is on and nothing sets the seed,
 * load (or create) the node's identity in its data directory and derive the seed from its peer id.
 */
import { loadOrCreatePeerId } from '@murmur/net'
import { InvalidConfigError } from '../errors.js'
import { resolveConfig, type ConfigSources, type NodeConfig } from './resolve.js'
import { seedConfigured } from './seed.js'

/** A resolved config and where its seed came from. */
export interface NodeConfigWithSeed {
  config: NodeConfig
  /** `peer-id`: derived from the node's identity; `config`: set by a source, or the default with networking off. */
  seedFrom: 'peer-id' | 'config'
}

/** Resolves a node's config, deriving an unset seed from its peer id when networking is on; an unreadable identity is an `InvalidConfigError` naming `dataDir`. */
export async function resolveNodeConfig (sources: Omit<ConfigSources, 'peerId'>): Promise<NodeConfigWithSeed> {
  const config = resolveConfig(sources)
  if (!config.net.enabled || seedConfigured(sources)) return { config, seedFrom: 'config' }
  let peerId: string
  try {
    peerId = await loadOrCreatePeerId(config.dataDir)
  } catch (err) {
    throw new InvalidConfigError('dataDir', `cannot read or create the node identity in "${config.dataDir}": ${(err as Error).message}`, { cause: err })
  }
  return { config: resolveConfig({ ...sources, peerId }), seedFrom: 'peer-id' }
}
