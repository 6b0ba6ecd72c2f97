import { mkdtemp, rm, stat, writeFile, chmod } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadOrCreateIdentity } from '../src/identity.js'
import { createSwarmHost, type SwarmHost } from '../src/host.js'
import { IdentityError } from '../src/errors.js'
import { loopbackInit } from './helpers.js'

const dirs: string[] = []
let host: SwarmHost | undefined
afterEach(async () => {
  await host?.stop()
  host = undefined
  await Promise.all(dirs.splice(0).map(async d => { await rm(d, { recursive: true, force: true }) }))
})

async function tempDir (): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'murmur-net-'))
  dirs.push(d)
  return d
}

describe('identity', () => {
  it('creates the key file with mode 0600 and reuses it', async () => {
    const dir = join(await tempDir(), 'nested', 'data')
    const first = await loadOrCreateIdentity(dir)
    const info = await stat(join(dir, 'identity.key'))
    expect(info.mode & 0o777).toBe(0o600)
    const second = await loadOrCreateIdentity(dir)
    expect(second.equals(first)).toBe(true)
    expect(first.type).toBe('Ed25519')
  })

  it('tightens a key file left readable by others', async () => {
    const dir = await tempDir()
    await loadOrCreateIdentity(dir)
    await chmod(join(dir, 'identity.key'), 0o644)
    await loadOrCreateIdentity(dir)
    expect((await stat(join(dir, 'identity.key'))).mode & 0o777).toBe(0o600)
  })

  it('refuses a corrupted or empty key file instead of replacing it', async () => {
    const dir = await tempDir()
    const path = join(dir, 'identity.key')
    for (const content of [Buffer.from('not a key at all'), Buffer.alloc(0)]) {
      await writeFile(path, content, { mode: 0o600 })
      const err = await loadOrCreateIdentity(dir).then(() => undefined, (e: unknown) => e)
      expect(err).toBeInstanceOf(IdentityError)
      expect((err as IdentityError).code).toBe('ERR_IDENTITY_CORRUPTED')
      expect((err as IdentityError).path).toBe(path)
    }
    await expect(createSwarmHost(loopbackInit({ dataDir: dir })).start()).rejects.toMatchObject({ code: 'ERR_IDENTITY_CORRUPTED' })
  })

  it('keeps the peer id across a host restart with the same data directory', async () => {
    const dir = await tempDir()
    host = createSwarmHost(loopbackInit({ dataDir: dir }))
    await host.start()
    const id = host.peerId()
    await host.stop()
    host = createSwarmHost(loopbackInit({ dataDir: dir }))
    await host.start()
    expect(host.peerId()).toBe(id)
    const other = createSwarmHost(loopbackInit({ dataDir: await tempDir() }))
    await other.start()
    expect(other.peerId()).not.toBe(id)
    await other.stop()
  })
})
