import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { PROTOCOL_VERSION } from '@murmur/protocol'
import { parseBootstrapList } from '../src/bootstrap-list.js'
import { classifyDialError } from '../src/diagnosis.js'
import { isPrivateAddress, publicAddressesOnly } from '../src/address-filter.js'
import { loadSwarmFile, parseSwarmFile } from '../src/swarm-file.js'
import { matchSwarm, swarmProtocol } from '../src/swarm-protocol.js'

const BASE = { id: 'lab', protocolVersion: PROTOCOL_VERSION, bootstrap: ['/ip4/1.2.3.4/tcp/4001'] }

describe('swarm file', () => {
  it('resolves a key file relative to the swarm file and keeps builtin models as names', () => {
    const f = parseSwarmFile({ ...BASE, pskFile: 'swarm.key', model: 'builtin:tiny', taskMix: { add: 2 }, shards: 8 }, '/etc/murmur/swarm.json')
    expect(f).toMatchObject({ id: 'lab', public: false, pskFile: '/etc/murmur/swarm.key', model: 'builtin:tiny', taskMix: { add: 2 }, bootstrapUrls: [], shards: 8 })
  })

  it.each([
    [{ ...BASE, protocolVersion: PROTOCOL_VERSION + 1 }, 'protocol version'],
    [{ ...BASE, id: 'bad id' }, '"id"'],
    [{ ...BASE, bootstrap: [] }, 'at least one'],
    [{ ...BASE, bootstrapUrls: ['ftp://x'] }, 'bootstrapUrls'],
    [{ ...BASE, taskMix: { add: -1 } }, 'taskMix'],
    [{ ...BASE, shards: 0 }, '"shards"'],
    [{ ...BASE, shards: 2.5 }, '"shards"'],
    [{ ...BASE, bootnodes: [] }, 'unknown key "bootnodes"']
  ])('rejects %j naming the problem', (json, text) => {
    expect(() => parseSwarmFile(json, 's.json')).toThrow(expect.objectContaining({ code: 'ERR_SWARM_FILE', message: expect.stringContaining(text) }))
  })

  it('loads the file from disk and reports unreadable ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'murmur-swarm-'))
    try {
      await writeFile(join(dir, 's.json'), JSON.stringify(BASE))
      expect((await loadSwarmFile(join(dir, 's.json'))).id).toBe('lab')
      await expect(loadSwarmFile(join(dir, 'missing.json'))).rejects.toMatchObject({ name: 'SwarmFileError' })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('bootstrap list', () => {
  it('keeps well-formed peers and drops malformed entries', () => {
    const list = parseBootstrapList({ swarmId: 'lab', protocolVersion: PROTOCOL_VERSION, peers: [{ id: 'a', addrs: ['/ip4/1.2.3.4/tcp/1', 'junk'], lastSeen: 5 }, { id: 'b', addrs: [] }, null, 'x'] })
    expect(list.peers).toEqual([{ id: 'a', addrs: ['/ip4/1.2.3.4/tcp/1'], lastSeen: 5 }])
  })

  it('rejects a body that is not a list', () => {
    expect(() => parseBootstrapList({ peers: [] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
  })
})

describe('swarm protocol and diagnosis', () => {
  it('tells same swarm, other swarm, other version and non-murmur peers apart', () => {
    expect(matchSwarm([swarmProtocol('lab')], 'lab')).toEqual({ verdict: 'same' })
    expect(matchSwarm([swarmProtocol('x')], 'lab')).toEqual({ verdict: 'wrong-swarm-id', theirs: 'x' })
    expect(matchSwarm([swarmProtocol('lab', 7)], 'lab')).toEqual({ verdict: 'wrong-protocol-version', theirs: '7' })
    expect(matchSwarm(['/ipfs/id/1.0.0'], 'lab')).toEqual({ verdict: 'not-murmur' })
  })

  it('classifies dial errors through cause chains and aggregates', () => {
    const refused = new AggregateError([Object.assign(new Error('connect ECONNREFUSED 1.2.3.4:1'), { code: 'ECONNREFUSED' })], 'all failed')
    expect(classifyDialError(refused).reason).toBe('refused')
    expect(classifyDialError(new Error('outer', { cause: Object.assign(new Error('x'), { name: 'TimeoutError' }) })).reason).toBe('timeout')
    // A reset alone is not evidence of a wrong swarm key (diagnosis.test.ts probes the peer for that).
    expect(classifyDialError(Object.assign(new Error('read ECONNRESET'), { name: 'EncryptionFailedError' })).reason).toBe('connection-reset')
    expect(classifyDialError(new Error('Missing newline')).reason).toBe('swarm-key')
    expect(classifyDialError(new Error('Payload identity key A does not match expected remote identity key B')).reason).toBe('wrong-peer')
    expect(classifyDialError(new Error('connect EHOSTUNREACH')).reason).toBe('unreachable')
  })

  it('public swarms keep public and relayed-through-public addresses only', () => {
    const addrs = ['/ip4/10.0.0.2/tcp/1', '/ip4/127.0.0.1/tcp/1', '/ip4/11.77.0.2/tcp/4001', '/ip4/11.77.0.2/tcp/4001/p2p/12D3KooWRuXNCVZjxHd9EpoPJproYxmymmiKtctd8y1N2vviURcF/p2p-circuit']
    expect(publicAddressesOnly(addrs.map(a => multiaddr(a))).map(String)).toEqual(addrs.slice(2))
    expect(isPrivateAddress(multiaddr('/ip4/192.168.1.5/tcp/1'))).toBe(true)
  })
})
