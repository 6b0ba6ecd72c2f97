/**
 * A node's default seed. With no `seed` configured anywhere, a networked node derives its seed
 * from its peer id, so nodes of a public swarm draw different task streams (a shared seed 0 made
 * every node train on the same prompts); the same identity always gives the same seed, so a
 * restarted node continues its streams.
 */
import { createHash } from 'node:crypto'
import { envName } from './fields.js'

/** The seed derived from a peer id: the first four bytes (big-endian) of SHA-256 of the id string, an integer in [0, 2³²). */
export function seedFromPeerId (peerId: string): number {
  return createHash('sha256').update(peerId, 'utf8').digest().readUInt32BE(0)
}

/** Where `seed` may be set; a subset of the config sources. */
export interface SeedSources {
  file?: unknown
  env?: Record<string, string | undefined>
  flags?: Record<string, string>
  overrides?: unknown
}

/** True when a config file, `MURMUR_SEED`, `--seed` or an override sets the seed. */
export function seedConfigured (sources: SeedSources): boolean {
  const env = sources.env?.[envName('seed')]
  return hasSeed(sources.file) || (env !== undefined && env !== '') || sources.flags?.seed !== undefined || hasSeed(sources.overrides)
}

function hasSeed (source: unknown): boolean {
  return source !== null && typeof source === 'object' && (source as { seed?: unknown }).seed !== undefined
}
