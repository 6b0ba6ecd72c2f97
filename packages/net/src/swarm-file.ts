// A swarm file describes one swarm so that joining needs nothing else: its id, wire protocol
// version, where to bootstrap (multiaddrs and HTTP lists), which model and task mix its nodes
// train, whether it is public (no private addresses), how many rollout shards its gossip uses
// and, for a private swarm, its key file.
// Operators publish it (a URL, a repository); users pass it with `--swarm <file>`.
import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'
import { MurmurError } from '@murmur/interface'
import { PROTOCOL_VERSION } from '@murmur/protocol'
import { MAX_SHARDS, SWARM_ID_PATTERN } from './constants.js'

/** A parsed, checked swarm file. Paths are absolute (relative ones resolve against the file's folder). */
export interface SwarmFile {
  /** Swarm id (topic and DHT namespace). */
  id: string
  /** Wire protocol version the swarm speaks; must equal this build's. */
  protocolVersion: number
  /** Public swarm: private addresses are neither announced nor dialled. Default false. */
  public: boolean
  /** Bootstrap multiaddrs (a `/p2p/<id>` suffix is optional). */
  bootstrap: string[]
  /** URLs serving `/bootstrap` lists. */
  bootstrapUrls: string[]
  /** Default listen addresses for nodes joining (absent: the node's own default). */
  listen?: string[]
  /** Model the swarm trains (a `builtin:` name, file or folder), optional. */
  model?: string
  /** Model id announced with groups, optional. */
  modelId?: string
  /** Task families and weights, optional. */
  taskMix?: Record<string, number>
  /** Pre-shared key file of a private swarm, optional. */
  pskFile?: string
  /** Rollout topic shards every node of the swarm uses (shards.ts), optional (absent: one). */
  shards?: number
}

/** The swarm file is missing, malformed, or for another protocol version. */
export class SwarmFileError extends MurmurError {
  static readonly code = 'ERR_SWARM_FILE'
  constructor (path: string, message: string, options?: { cause?: unknown }) {
    super(`swarm file ${path}: ${message}`, SwarmFileError.code, options)
    this.name = 'SwarmFileError'
  }
}

function stringList (path: string, field: string, v: unknown, check: (s: string) => boolean, what: string): string[] {
  if (v === undefined) return []
  if (!Array.isArray(v) || !v.every(s => typeof s === 'string' && check(s))) throw new SwarmFileError(path, `"${field}" must be a list of ${what}`)
  return [...v] as string[]
}

/** Checks a parsed swarm file; `path` names it in errors and anchors relative paths. */
export function parseSwarmFile (json: unknown, path: string): SwarmFile {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new SwarmFileError(path, 'must be a JSON object')
  const f = json as Record<string, unknown>
  const known = new Set(['id', 'protocolVersion', 'public', 'bootstrap', 'bootstrapUrls', 'listen', 'model', 'modelId', 'taskMix', 'pskFile', 'shards', 'description'])
  for (const k of Object.keys(f)) if (!known.has(k)) throw new SwarmFileError(path, `unknown key "${k}" (known: ${[...known].join(', ')})`)
  if (typeof f.id !== 'string' || !SWARM_ID_PATTERN.test(f.id)) throw new SwarmFileError(path, `"id" must match ${String(SWARM_ID_PATTERN)}`)
  if (typeof f.protocolVersion !== 'number') throw new SwarmFileError(path, '"protocolVersion" must be a number')
  if (f.protocolVersion !== PROTOCOL_VERSION) {
    throw new SwarmFileError(path, `the swarm speaks protocol version ${f.protocolVersion}, this murmur speaks ${PROTOCOL_VERSION}: use a murmur release for that version`)
  }
  if (f.public !== undefined && typeof f.public !== 'boolean') throw new SwarmFileError(path, '"public" must be true or false')
  const isAddr = (s: string): boolean => s.startsWith('/')
  const bootstrap = stringList(path, 'bootstrap', f.bootstrap, isAddr, 'multiaddrs')
  const bootstrapUrls = stringList(path, 'bootstrapUrls', f.bootstrapUrls, s => /^https?:\/\//.test(s), 'http(s) URLs')
  if (bootstrap.length === 0 && bootstrapUrls.length === 0) throw new SwarmFileError(path, 'needs at least one "bootstrap" multiaddr or "bootstrapUrls" URL')
  const out: SwarmFile = { id: f.id, protocolVersion: f.protocolVersion, public: f.public === true, bootstrap, bootstrapUrls }
  if (f.listen !== undefined) out.listen = stringList(path, 'listen', f.listen, isAddr, 'multiaddrs')
  for (const k of ['model', 'modelId', 'pskFile'] as const) {
    const v = f[k]
    if (v === undefined) continue
    if (typeof v !== 'string' || v === '') throw new SwarmFileError(path, `"${k}" must be a non-empty string`)
    out[k] = k === 'pskFile' || (k === 'model' && !v.startsWith('builtin:')) ? (isAbsolute(v) ? v : resolve(dirname(path), v)) : v
  }
  if (f.taskMix !== undefined) {
    const mix = f.taskMix
    if (mix === null || typeof mix !== 'object' || Array.isArray(mix) || !Object.values(mix).every(w => typeof w === 'number' && w >= 0 && Number.isFinite(w))) {
      throw new SwarmFileError(path, '"taskMix" must map task families to non-negative weights')
    }
    out.taskMix = { ...(mix as Record<string, number>) }
  }
  if (f.shards !== undefined) {
    if (typeof f.shards !== 'number' || !Number.isInteger(f.shards) || f.shards < 1 || f.shards > MAX_SHARDS) throw new SwarmFileError(path, `"shards" must be an integer from 1 to ${MAX_SHARDS}`)
    out.shards = f.shards
  }
  return out
}

/** Reads and checks a swarm file. */
export async function loadSwarmFile (path: string): Promise<SwarmFile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new SwarmFileError(path, `cannot read it (${(err as Error).message})`, { cause: err })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new SwarmFileError(path, `is not JSON (${(err as Error).message})`, { cause: err })
  }
  return parseSwarmFile(json, resolve(path))
}
