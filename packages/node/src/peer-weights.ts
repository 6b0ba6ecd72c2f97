/**
 * Importance weights for the peer groups of a training batch (spec/algorithms.md §1.1). A peer
 * group is weighted token by token when it carries traces, its producer runs the same model id
 * and tokenizer, and its token ids are exactly what the local tokenizer makes of its text;
 * otherwise it falls back to the re-scored text path (w = 1). Far-off-policy negatives are
 * dropped. Groups whose behaviour log-probs are malformed are rejected whole.
 */
import type { AbortOptions } from '@murmur/interface'
import type { CompletionTrace } from '@murmur/protocol'
import { DEFAULT_IMPORTANCE, keepPeerCompletion, meanLogRatio, truncatedImportanceWeights, validBehaviourLogprobs, weightStats, type ImportanceConfig, type WeightStats } from './importance.js'
import type { PolicyPort } from './ports.js'

/** A peer group of the batch, after local scoring and shaping. */
export interface PeerBatchGroup {
  prompt: string
  completions: readonly string[]
  truncated: readonly boolean[]
  advantages: readonly number[]
  modelId: string
  tokenizerId: string
  traces: readonly CompletionTrace[]
}

/** What happened to one peer group. */
export type PeerWeighing =
  | { kind: 'weighted', weights: number[][], keep: boolean[] }
  | { kind: 'text', keep: boolean[] }
  | { kind: 'rejected', reason: string }

/** Outcome for a whole batch. */
export interface PeerWeighingResult {
  groups: PeerWeighing[]
  stats: WeightStats & { weightedGroups: number, textGroups: number, rejectedGroups: number, droppedNegatives: number }
}

/** Weighs every peer group; one `logprobs` call scores all eligible completions under π_old. */
export async function weighPeerGroups (policy: PolicyPort, groups: readonly PeerBatchGroup[], config: ImportanceConfig = DEFAULT_IMPORTANCE, options: AbortOptions = {}): Promise<PeerWeighingResult> {
  const out: PeerWeighing[] = groups.map(g => ({ kind: 'text', keep: g.completions.map(() => true) }))
  const rows: Array<{ group: number, completion: number, ids: number[], mu: number[] }> = []
  const canScore = policy.completionTokens !== undefined && policy.logprobs !== undefined && policy.tokenizerId !== undefined && policy.tokenizerId !== ''
  groups.forEach((g, gi) => {
    if (g.traces.length === 0) return
    if (g.traces.length !== g.completions.length) { out[gi] = { kind: 'rejected', reason: 'trace count' }; return }
    // Untrusted numbers: any malformed log-prob rejects the whole group, whatever its model.
    if (!g.traces.every(t => validBehaviourLogprobs(t.logprobs, t.tokenIds.length, config.minLogprob) || t.tokenIds.length === 0)) {
      out[gi] = { kind: 'rejected', reason: 'behaviour log-probs' }
      return
    }
    if (!canScore || g.modelId !== policy.modelId || g.tokenizerId !== policy.tokenizerId) return
    const candidate = g.completions.map((text, ci) => ({ ids: policy.completionTokens?.(text, g.truncated[ci]) ?? [], trace: g.traces[ci] }))
    if (!candidate.every(c => c.ids.length > 0 && sameIds(c.ids, c.trace.tokenIds))) return
    candidate.forEach((c, ci) => rows.push({ group: gi, completion: ci, ids: c.ids, mu: c.trace.logprobs }))
  })
  if (rows.length > 0 && policy.logprobs !== undefined) {
    let logpOld: number[][]
    try {
      logpOld = await policy.logprobs(rows.map(r => groups[r.group].prompt), rows.map(r => r.ids), options)
    } catch (err) {
      // E.g. a peer completion that overflows the local context: those groups stay on the text path.
      if (options.signal?.aborted === true) throw err
      logpOld = rows.map(() => [])
    }
    const byGroup = new Map<number, Array<{ completion: number, logpOld: number[], mu: number[] }>>()
    rows.forEach((r, k) => { byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), { completion: r.completion, logpOld: logpOld[k], mu: r.mu }]) })
    for (const [gi, parts] of byGroup) {
      if (!parts.every(p => p.logpOld.length === p.mu.length && p.logpOld.every(Number.isFinite))) continue
      const weights = truncatedImportanceWeights(parts)
      const keep = parts.map(p => keepPeerCompletion(groups[gi].advantages[p.completion], meanLogRatio(p.logpOld, p.mu), config.negativeDelta))
      out[gi] = { kind: 'weighted', weights, keep }
    }
  }
  const weighted = out.filter((w): w is Extract<PeerWeighing, { kind: 'weighted' }> => w.kind === 'weighted')
  return {
    groups: out,
    stats: {
      ...weightStats(weighted.flatMap(w => w.weights.filter((_, i) => w.keep[i])), config.cap),
      weightedGroups: weighted.length,
      textGroups: out.filter(w => w.kind === 'text').length,
      rejectedGroups: out.filter(w => w.kind === 'rejected').length,
      droppedNegatives: weighted.reduce((a, w) => a + w.keep.filter(k => !k).length, 0)
    }
  }
}

function sameIds (a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
