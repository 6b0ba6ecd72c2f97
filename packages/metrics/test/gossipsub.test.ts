import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { gossipsubRegister } from '../src/gossipsub.js'

// The register as gossipsub calls it: untyped label forms, checked through what a scrape reads.
interface TestGauge {
  inc(a?: Record<string, string> | number, b?: number): void
  set(a: Record<string, string> | number, b?: number): void
  addCollect(fn: (g: TestGauge) => void): void
}

async function values (registry: Registry, name: string): Promise<Array<{ labels: object, value: number }>> {
  const metric = registry.getSingleMetric(name)
  if (metric === undefined) throw new Error(`no metric ${name}`)
  return (await metric.get()).values.map(v => ({ labels: v.labels, value: v.value }))
}

describe('gossipsub metrics register', () => {
  it('sums increments per label set and applies them when scraped; a set overrides earlier increments', async () => {
    const registry = new Registry()
    const register = gossipsubRegister(registry) as unknown as { gauge(config: { name: string, help: string, labelNames?: string[] }): TestGauge }
    const plain = register.gauge({ name: 'g_plain', help: 'h' })
    const byTopic = register.gauge({ name: 'g_topic', help: 'h', labelNames: ['topic'] })
    for (let i = 0; i < 5; i++) plain.inc()
    plain.inc(2.5)
    byTopic.inc({ topic: 'a' })
    byTopic.inc({ topic: 'a' }, 3)
    byTopic.inc({ topic: 'b' }, 2)
    expect(await values(registry, 'g_plain')).toEqual([{ labels: {}, value: 7.5 }])
    expect(await values(registry, 'g_topic')).toEqual([{ labels: { topic: 'a' }, value: 4 }, { labels: { topic: 'b' }, value: 2 }])
    // Counts keep accumulating across scrapes.
    plain.inc()
    byTopic.inc({ topic: 'b' })
    expect(await values(registry, 'g_plain')).toEqual([{ labels: {}, value: 8.5 }])
    expect(await values(registry, 'g_topic')).toEqual([{ labels: { topic: 'a' }, value: 4 }, { labels: { topic: 'b' }, value: 3 }])
    // A set replaces what came before it; increments after it add to it.
    plain.inc(100)
    plain.set(1)
    plain.inc()
    let collected = 0
    plain.addCollect(() => { collected++ })
    expect(await values(registry, 'g_plain')).toEqual([{ labels: {}, value: 2 }])
    expect(collected).toBe(1)
    expect(await registry.metrics()).toContain('g_topic{topic="b"} 3')
  })
})
