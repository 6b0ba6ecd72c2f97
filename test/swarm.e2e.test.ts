/**
 * End to end: three real nodes (real libp2p hosts on loopback, real level stores in temp
 * folders, real onnxruntime policies, trainers and reward model) run a few rounds together.
 * Asserts the whole flow: groups published, received and validated by peers, re-scored and used
 * in training, checkpoints and metrics written, and a restarted node resuming with its identity.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createSwarmNode, resolveConfig, type RoundMetrics, type SwarmNode } from '@murmur/node'
import { nodeStore } from '@murmur/store'

const ROUNDS = 4

async function waitUntil (condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

describe('a 3-node swarm', () => {
  const dirs: string[] = []
  const nodes: SwarmNode[] = []
  afterAll(async () => {
    await Promise.allSettled(nodes.map(async n => { await n.stop() }))
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  it('publishes, receives, re-scores, trains on peer groups and checkpoints', async () => {
    const configFor = (i: number, dataDir: string, bootstrap: string[]): ReturnType<typeof resolveConfig> => resolveConfig({
      overrides: {
        dataDir,
        seed: 100 + i,
        rounds: ROUNDS,
        localGroups: 2,
        peerGroups: 2,
        groupSize: 4,
        net: { swarmId: 'e2e-test', bootstrap },
        checkpoint: { keep: 2 }
      }
    })
    for (let i = 0; i < 3; i++) {
      const dir = await mkdtemp(join(tmpdir(), `murmur-e2e-${i}-`))
      dirs.push(dir)
      const bootstrap = nodes.flatMap(n => n.info().addrs)
      const node = await createSwarmNode(configFor(i, dir, bootstrap))
      await node.start()
      nodes.push(node)
    }
    await waitUntil(() => nodes.every(n => n.peerCount() >= 2), 30_000, 'every node to see both peers')

    const metrics: RoundMetrics[][] = nodes.map(() => [])
    nodes.forEach((n, i) => n.events.on('round:completed', e => { metrics[i].push(e.detail) }))
    for (let r = 0; r < ROUNDS; r++) {
      await Promise.all(nodes.map(async n => await n.runRound()))
      // Let gossip deliver this round's groups before the next round samples the pool.
      await new Promise(resolve => setTimeout(resolve, 1500))
    }

    for (const [i, ms] of metrics.entries()) {
      expect(ms.map(m => m.round), `node ${i} rounds`).toEqual([0, 1, 2, 3])
      // Every round publishes its 2 local groups to the two peers.
      expect(ms.every(m => m.published === 2), `node ${i} published`).toBe(true)
      // Peers' groups arrive (validated by the host against the regenerated task) ...
      expect(ms.slice(1).reduce((a, m) => a + m.received, 0), `node ${i} received`).toBeGreaterThan(0)
      // ... and, once the pool has some, are re-scored locally and used in training.
      expect(ms.slice(1).reduce((a, m) => a + m.peerGroupsUsed, 0), `node ${i} peer groups used`).toBeGreaterThan(0)
      for (const m of ms) expect(m.peerGroupsUsed).toBeLessThanOrEqual(2)
      expect(ms.every(m => m.localGroups === 2 && m.rollouts === 8)).toBe(true)
      expect(ms.some(m => Number.isFinite(m.loss))).toBe(true)
    }

    // Restart node 1 from its data directory: same identity, resumes after its last checkpoint.
    const peerIdBefore = nodes[1].info().peerId
    await nodes[1].stop()
    const store = nodeStore({ dir: join(dirs[1], 'store') })
    await store.start()
    const checkpoints = await store.checkpoints.list()
    const history = await store.metrics.range()
    await store.stop()
    expect(checkpoints.map(c => c.round)).toEqual([2, 3])
    expect(history.map(h => h.round)).toEqual([0, 1, 2, 3])
    const restarted = await createSwarmNode(configFor(1, dirs[1], nodes[0].info().addrs))
    nodes[1] = restarted
    await restarted.start()
    expect(restarted.info()).toMatchObject({ peerId: peerIdBefore, nextRound: ROUNDS, resumed: true })
  }, 240_000)
})
