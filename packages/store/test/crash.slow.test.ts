// Crash safety (slow variant): 100 SIGKILLs of a checkpoint-writing child process.
import { describe, expect, it } from 'vitest'
import { killLoop } from './crash-harness.js'

describe('checkpoint crash safety (long)', () => {
  it('survives 100 SIGKILLs at random moments with the last complete checkpoint intact', async () => {
    const { acked, runs } = await killLoop(100, 977)
    expect(runs).toHaveLength(100)
    console.log(`crash test: last round ${acked}, ${runs.filter(r => r.midWrite).length}/100 kills interrupted a save`)
    expect(acked).toBeGreaterThan(50)
    expect(runs.filter(r => r.midWrite).length).toBeGreaterThan(5)
  }, 600_000)
})
