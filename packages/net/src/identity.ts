// The node's libp2p identity: an Ed25519 key stored as a protobuf in <dataDir>/identity.key with
// mode 0600. Created on first start (write to a temporary file, fsync, rename: never a torn key),
// reused afterwards. A file that exists but does not parse is an error, never a fresh identity:
// silently changing peer id would orphan the node's reputation and history.
import { constants } from 'node:fs'
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { IDENTITY_FILE } from './constants.js'
import { IdentityError } from './errors.js'

/** Loads the private key from `<dataDir>/identity.key`, creating it (mode 0600) when the file is absent. */
export async function loadOrCreateIdentity (dataDir: string): Promise<PrivateKey> {
  const path = join(dataDir, IDENTITY_FILE)
  const existing = await readIdentity(path)
  if (existing !== undefined) return existing
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const key = await generateKeyPair('Ed25519')
  const tmp = `${path}.${process.pid}.tmp`
  const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
  try {
    await handle.writeFile(privateKeyToProtobuf(key))
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  return key
}

/** The peer id (`12D3KooW…`) of the identity in `<dataDir>/identity.key`, creating the identity when absent: the id a host started on `dataDir` will have. */
export async function loadOrCreatePeerId (dataDir: string): Promise<string> {
  return peerIdFromPrivateKey(await loadOrCreateIdentity(dataDir)).toString()
}

/** Reads an existing key file; undefined when there is none. */
async function readIdentity (path: string): Promise<PrivateKey | undefined> {
  let bytes: Uint8Array
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new IdentityError(path, 'is not a regular file')
    // Tighten permissions left too open (e.g. after a copy): the key is the node's identity.
    if ((info.mode & 0o077) !== 0) await chmod(path, 0o600)
    bytes = await readFile(path)
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return undefined
    throw err
  }
  if (bytes.length === 0) throw new IdentityError(path, 'is empty')
  try {
    return privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw new IdentityError(path, 'is not a libp2p private key', { cause: err })
  }
}
