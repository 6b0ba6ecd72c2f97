// Crash safety (fast variant): 24 SIGKILLs of a checkpoint-writing child process.
import { describe, expect, it } from 'vitest'
import { killLoop } from './crash-harness.js'

describe('checkpoint crash safety', () => {
  it('survives 24 SIGKILLs at random moments with the last complete checkpoint intact', async () => {
    const { acked, runs } = await killLoop(24, 20240601)
    expect(runs).toHaveLength(24)
    console.log(`crash test: last round ${acked}, ${runs.filter(r => r.midWrite).length}/24 kills interrupted a save`)
    // The kills must have interrupted real work: checkpoints advanced and some kills hit a save mid-way.
    expect(acked).toBeGreaterThan(10)
    expect(runs.filter(r => r.midWrite).length).toBeGreaterThan(0)
  }, 120_000)
})
