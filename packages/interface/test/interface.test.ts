import { describe, it, expect } from 'vitest'
import {
  MurmurError, AbortError, TimeoutError, InvalidArgumentError, hasErrorCode,
  throwIfAborted, withTimeout, sleep, startAll, stopAll, type Startable,
  createLogger, scopeMatcher, TypedEventEmitter
} from '@murmur/interface'

describe('errors', () => {
  it('carry a stable name and code', () => {
    const err = new InvalidArgumentError('rounds', 'must be a positive integer, got -1')
    expect(err).toBeInstanceOf(MurmurError)
    expect(err.name).toBe('InvalidArgumentError')
    expect(err.code).toBe('ERR_INVALID_ARGUMENT')
    expect(err.field).toBe('rounds')
    expect(hasErrorCode(err, 'ERR_INVALID_ARGUMENT')).toBe(true)
    expect(hasErrorCode(new Error('x'), 'ERR_INVALID_ARGUMENT')).toBe(false)
  })
})

describe('abort helpers', () => {
  it('throwIfAborted maps a plain abort to AbortError and a timeout to TimeoutError', async () => {
    const controller = new AbortController()
    expect(() => { throwIfAborted(controller.signal) }).not.toThrow()
    controller.abort()
    expect(() => { throwIfAborted(controller.signal) }).toThrow(AbortError)
    const timed = withTimeout(undefined, 1)
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(() => { throwIfAborted(timed) }).toThrow(TimeoutError)
  })

  it('sleep rejects with AbortError when cancelled', async () => {
    const controller = new AbortController()
    const pending = sleep(10_000, { signal: controller.signal })
    controller.abort()
    await expect(pending).rejects.toMatchObject({ code: 'ERR_ABORTED' })
  })
})

describe('startable', () => {
  it('startAll rolls back started components when one fails', async () => {
    const log: string[] = []
    const make = (name: string, fail = false): Startable => {
      let started = false
      return {
        async start () { if (fail) throw new Error(name); started = true; log.push(`start ${name}`) },
        async stop () { started = false; log.push(`stop ${name}`) },
        isStarted: () => started
      }
    }
    await expect(startAll(make('a'), make('b'), make('c', true))).rejects.toThrow('c')
    expect(log).toEqual(['start a', 'start b', 'stop b', 'stop a'])
  })

  it('stopAll stops every component even when one throws', async () => {
    const stopped: string[] = []
    const ok = (name: string): Startable => ({ start: async () => {}, stop: async () => { stopped.push(name) }, isStarted: () => true })
    const bad: Startable = { start: async () => {}, stop: async () => { throw new Error('bad') }, isStarted: () => true }
    await expect(stopAll(ok('a'), bad, ok('c'))).rejects.toThrow('bad')
    expect(stopped).toEqual(['c', 'a'])
  })
})

describe('logger', () => {
  it('writes only enabled scopes, always writes errors', () => {
    const lines: string[] = []
    const log = createLogger('murmur:net', { enabled: scopeMatcher('murmur:net:*'), write: l => lines.push(l) })
    log('hidden')
    const gossip = log.child('gossip')
    expect(gossip.enabled).toBe(true)
    gossip('peer joined', { id: 'abc' })
    log.error(new Error('boom'))
    expect(lines).toEqual(['murmur:net:gossip peer joined {"id":"abc"}', 'murmur:net error: Error: boom'])
  })
})

describe('TypedEventEmitter', () => {
  it('delivers typed details and once() resolves with the next one', async () => {
    const events = new TypedEventEmitter<{ 'round:completed': { round: number } }>()
    const seen: number[] = []
    const off = events.on('round:completed', e => { seen.push(e.detail.round) })
    const next = events.once('round:completed')
    events.emit('round:completed', { round: 1 })
    off()
    events.emit('round:completed', { round: 2 })
    expect(seen).toEqual([1])
    await expect(next).resolves.toEqual({ round: 1 })
  })
})
