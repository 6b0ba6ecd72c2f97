// Pre-shared keys for private swarms (libp2p pnet). The key is the standard swarm.key file
// content: "/key/swarm/psk/1.0.0/\n/base16/\n" followed by 64 hex digits.
import { generateKey } from '@libp2p/pnet'
import { InvalidArgumentError } from '@murmur/interface'

const SWARM_KEY = /^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-fA-F]{64}\n?$/

/** Generates a new pre-shared swarm key (the bytes of a swarm.key file). */
export function generateSwarmKey (): Uint8Array {
  const key = new Uint8Array(95)
  generateKey(key)
  return key
}

/** The 32-byte key of a swarm.key file's content (checked by `checkSwarmKey`). */
export function swarmKeyBytes (key: Uint8Array): Uint8Array {
  const hex = new TextDecoder().decode(checkSwarmKey(key)).split('\n')[2]
  return Uint8Array.from(Buffer.from(hex, 'hex'))
}

/** Throws InvalidArgumentError(`field`) unless `key` is a well-formed swarm.key file content. */
export function checkSwarmKey (key: unknown, field = 'psk'): Uint8Array {
  if (!(key instanceof Uint8Array)) throw new InvalidArgumentError(field, 'must be the bytes of a swarm.key file')
  const text = new TextDecoder('utf-8', { fatal: false }).decode(key)
  if (!SWARM_KEY.test(text)) {
    throw new InvalidArgumentError(field, 'must be "/key/swarm/psk/1.0.0/\\n/base16/\\n<64 hex digits>" (see generateSwarmKey)')
  }
  return key
}
