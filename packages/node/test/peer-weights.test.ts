import { describe, expect, it } from 'vitest'
import { weighPeerGroups, type PeerBatchGroup } from '../src/peer-weights.js'
import type { PolicyPort } from '../src/ports.js'

/** A char-level stand-in: token id = char code, EOS = 0; π_old gives every token log-prob −0.5. */
function policy (over: Partial<PolicyPort> = {}): PolicyPort {
  return {
    modelId: 'm',
    tokenizerId: 't',
    generate: async () => [],
    completionTokens: (text, truncated) => [...[...text].map(ch => ch.charCodeAt(0)), ...(truncated ? [] : [0])],
    logprobs: async (_prompts, ids) => ids.map(row => row.map(() => -0.5)),
    ...over
  }
}

function group (over: Partial<PeerBatchGroup> = {}): PeerBatchGroup {
  return {
    prompt: '1+1=',
    completions: ['2', '3'],
    truncated: [false, true],
    advantages: [1, -1],
    modelId: 'm',
    tokenizerId: 't',
    traces: [{ tokenIds: [50, 0], logprobs: [-0.5, -0.5] }, { tokenIds: [51], logprobs: [-1] }],
    ...over
  }
}

describe('weighPeerGroups', () => {
  it('weights matching groups token by token against the sender\'s behaviour log-probs', async () => {
    const r = await weighPeerGroups(policy(), [group()])
    const g = r.groups[0]
    expect(g.kind).toBe('weighted')
    if (g.kind !== 'weighted') return
    // Raw: [1, 1], [exp(0.5) = 1.6487]; mean 1.216 > 1 → scaled to mean 1.
    const raw = [1, 1, Math.exp(0.5)]
    const scale = 3 / raw.reduce((a, b) => a + b, 0)
    expect(g.weights.flat().map(w => Number(w.toFixed(12)))).toEqual(raw.map(w => Number((w * scale).toFixed(12))))
    expect(g.keep).toEqual([true, true])
    expect(r.stats).toMatchObject({ weightedGroups: 1, textGroups: 0, rejectedGroups: 0, tokens: 3 })
  })

  it('falls back to text (w = 1) when the model, the tokenizer or the token ids differ, or π_old cannot be computed', async () => {
    const cases: Array<[PolicyPort, PeerBatchGroup]> = [
      [policy(), group({ modelId: 'other' })],
      [policy(), group({ tokenizerId: 'other' })],
      [policy(), group({ traces: [{ tokenIds: [49, 0], logprobs: [-0.5, -0.5] }, { tokenIds: [51], logprobs: [-1] }] })],
      [policy(), group({ traces: [] })],
      [policy({ logprobs: async () => { throw new Error('context overflow') } }), group()],
      [policy({ tokenizerId: undefined }), group()]
    ]
    for (const [p, g] of cases) expect((await weighPeerGroups(p, [g])).groups[0].kind).toBe('text')
  })

  it('rejects a group whose behaviour log-probs are malformed, whatever its model', async () => {
    for (const bad of [[0.1], [Number.NaN], [-1e9], []]) {
      const g = group({ modelId: 'other', traces: [{ tokenIds: [50, 0], logprobs: [-0.5, -0.5] }, { tokenIds: [51], logprobs: bad }] })
      expect((await weighPeerGroups(policy(), [g])).groups[0]).toEqual({ kind: 'rejected', reason: 'behaviour log-probs' })
    }
    expect((await weighPeerGroups(policy(), [group({ traces: [{ tokenIds: [50, 0], logprobs: [-0.5, -0.5] }] })])).groups[0].kind).toBe('rejected')
  })

  it('drops far-off-policy negatives (A < 0 and mean log(π_old/μ) < −δ)', async () => {
    // Second completion: μ = 0 (sender was certain), π_old −0.5 → log-ratio −0.5; with δ = 0.4 it is dropped.
    const g = group({ traces: [{ tokenIds: [50, 0], logprobs: [-0.5, -0.5] }, { tokenIds: [51], logprobs: [0] }] })
    const r = await weighPeerGroups(policy(), [g], { cap: 2, negativeDelta: 0.4, minLogprob: -100 })
    expect(r.groups[0]).toMatchObject({ kind: 'weighted', keep: [true, false] })
    expect(r.stats.droppedNegatives).toBe(1)
  })
})
