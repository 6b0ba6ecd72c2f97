// Churn: 16 hosts with persistent identities; every 5 s two of them are stopped and started again
// from the same data directory (and re-dial three live hosts), for 5 minutes
// (MURMUR_CHURN_SECONDS overrides). Every live host publishes a group every 2 s. Counted: uncaught
// exceptions and unhandled rejections (0), identities after restart (kept), and deliveries within
// 5 s to every host that was up for the whole 5 s after publication (≥ 95 %), for every group
// whose publish reached at least one peer. Restarted hosts dial 6 live hosts and hosts left with
// fewer than 3 swarm peers dial 3 more at each tick, as bootstrap and discovery do for a node.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createRng } from '@murmur/interface'
import { createSwarmHost, type SwarmHost } from '../src/host.js'
import { loopbackInit, makeGroup } from './helpers.js'

const HOSTS = 16
const SECONDS = Number(process.env.MURMUR_CHURN_SECONDS ?? 300)
const CHURN_EVERY_MS = 5000
const PUBLISH_EVERY_MS = 2000
const WINDOW_MS = 5000
const DOWN_MS = 1000
/** Peers a restarted host dials (a real node's bootstrap list or discovery does this). */
const REDIAL = 6
/** A host with fewer swarm peers than this dials more at the next tick. */
const MIN_PEERS = 3

interface Slot { host?: SwarmHost, dataDir: string, peerId?: string, upSince: number, downs: Array<[number, number]> }
interface Published { seed: number, by: number, at: number, recipients: number }

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

let root = ''
afterAll(async () => { if (root !== '') await rm(root, { recursive: true, force: true }) })

describe('churn', () => {
  it(`${HOSTS} hosts, 2 restarted every 5 s for ${SECONDS} s: no uncaught errors, identities kept, ≥ 95 % delivered within 5 s`, async () => {
    const uncaught: string[] = []
    const onError = (err: unknown): void => { uncaught.push(String(err)) }
    process.on('uncaughtException', onError)
    process.on('unhandledRejection', onError)
    root = await mkdtemp(join(tmpdir(), 'murmur-churn-'))
    const r = createRng(7)
    const slots: Slot[] = Array.from({ length: HOSTS }, (_, i) => ({ dataDir: join(root, `h${i}`), upSince: 0, downs: [] }))
    const received = new Map<number, Map<number, number>>() // seed → host index → receivedAt
    const published: Published[] = []
    let identityChanges = 0

    const bring = async (i: number): Promise<void> => {
      const s = slots[i]
      const host = createSwarmHost(loopbackInit({ dataDir: s.dataDir }))
      await host.start()
      if (s.peerId !== undefined && s.peerId !== host.peerId()) identityChanges++
      s.peerId = host.peerId()
      host.on('rollout:received', e => {
        const seed = e.detail.group.task.seed
        let m = received.get(seed)
        if (m === undefined) received.set(seed, m = new Map())
        if (!m.has(i)) m.set(i, e.detail.receivedAt)
      })
      s.host = host
      s.upSince = Date.now()
    }
    const live = (): number[] => slots.flatMap((s, i) => s.host === undefined ? [] : [i])
    const dialSome = async (i: number, n: number): Promise<void> => {
      const others = live().filter(j => j !== i)
      for (let k = 0; k < n && others.length > 0; k++) {
        const j = others.splice(r.int(0, others.length - 1), 1)[0]
        const addr = slots[j].host?.multiaddrs()[0]
        if (addr !== undefined) await slots[i].host?.dial(addr, { signal: AbortSignal.timeout(5000) }).catch(() => {})
      }
    }

    await Promise.all(slots.map(async (_, i) => { await bring(i) }))
    for (let i = 0; i < HOSTS; i++) await dialSome(i, 4)
    await sleep(2000)

    const start = Date.now()
    let seed = 1
    let stopped = false
    const publisher = (async () => {
      while (!stopped) {
        for (const i of live()) {
          const host = slots[i].host
          const s = seed++
          if (host === undefined) continue
          const p: Published = { seed: s, by: i, at: Date.now(), recipients: 0 }
          published.push(p)
          p.recipients = (await host.publish([{ group: makeGroup(s) }]).catch(() => ({ recipients: 0 }))).recipients
        }
        await sleep(PUBLISH_EVERY_MS)
      }
    })()
    const restart = async (i: number): Promise<void> => {
      const host = slots[i].host
      slots[i].host = undefined
      const down = Date.now()
      await host?.stop()
      await sleep(DOWN_MS)
      await bring(i)
      slots[i].downs.push([down, Date.now()])
      await dialSome(i, REDIAL)
    }
    const restarts: Array<Promise<void>> = []
    for (let tick = 1; tick * CHURN_EVERY_MS <= SECONDS * 1000; tick++) {
      await sleep(start + tick * CHURN_EVERY_MS - Date.now())
      for (const i of live().sort(() => r.nextFloat() - 0.5).slice(0, 2)) restarts.push(restart(i))
      // what a node's discovery does: a host left with few connections dials more
      for (const i of live()) if ((slots[i].host?.peers().length ?? 0) < MIN_PEERS) restarts.push(dialSome(i, MIN_PEERS))
    }
    await Promise.all(restarts)
    stopped = true
    await publisher
    await sleep(WINDOW_MS)
    await Promise.all(slots.map(async s => { await s.host?.stop() }))
    process.off('uncaughtException', onError)
    process.off('unhandledRejection', onError)

    // a receiver counts for a group when it was up (not restarting) for the whole window after publication
    let expected = 0
    let delivered = 0
    let missedFreshPublisher = 0
    let unsent = 0
    let late = 0
    for (const p of published) {
      // a publish that reached no peer (the publisher had just restarted and knew no subscriber yet) is the publisher's to retry
      if (p.recipients === 0) { unsent++; continue }
      const fresh = slots[p.by].downs.some(([, b]) => b <= p.at && p.at < b + 1000)
      if (p.at > start + SECONDS * 1000 - WINDOW_MS) continue
      for (let i = 0; i < HOSTS; i++) {
        if (i === p.by) continue
        const wasDown = slots[i].downs.some(([a, b]) => a < p.at + WINDOW_MS && b + 1000 > p.at)
        if (wasDown) continue
        expected++
        const at = received.get(p.seed)?.get(i)
        if (at !== undefined && at - p.at <= WINDOW_MS) delivered++
        else if (at !== undefined) late++
        else if (fresh) missedFreshPublisher++
      }
    }
    const fraction = delivered / expected
    console.log(JSON.stringify({ churn: { hosts: HOSTS, seconds: SECONDS, published: published.length, expected, delivered, fraction, late, missedFreshPublisher, unsent, restarts: slots.reduce((n, s) => n + s.downs.length, 0), identityChanges, uncaught: uncaught.length } }))
    expect(uncaught).toEqual([])
    expect(identityChanges).toBe(0)
    expect(expected).toBeGreaterThan(0)
    expect(fraction).toBeGreaterThanOrEqual(0.95)
  }, (SECONDS + 120) * 1000)
})
