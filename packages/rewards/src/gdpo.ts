import { DEFAULT_GDPO_EPS, VERIFIER_PASS_THRESHOLD } from './constants.js'
import { InvalidRewardInputError, InvalidRewardsConfigError } from './errors.js'
import { checkFinite, isDegenerate, mean, std } from './stats.js'

/** Validates `groups[g][i][k]` (finite, one consistent K ≥ 1, G ≥ 1 per group) and returns K. */
function checkRewardTensor (groups: readonly (readonly (readonly number[])[])[]): number {
  if (!Array.isArray(groups)) throw new InvalidRewardInputError('groups', 'must be an array of groups')
  let k = -1
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g]
    if (!Array.isArray(group) || group.length === 0) {
      throw new InvalidRewardInputError(`groups[${g}]`, 'must be a non-empty array of completions')
    }
    for (let i = 0; i < group.length; i++) {
      const row = group[i]
      if (!Array.isArray(row) || row.length === 0) {
        throw new InvalidRewardInputError(`groups[${g}][${i}]`, 'must be a non-empty array of rewards')
      }
      if (k === -1) k = row.length
      if (row.length !== k) {
        throw new InvalidRewardInputError(`groups[${g}][${i}]`, `every completion needs the same number of rewards (${k}), got ${row.length}`)
      }
      for (let j = 0; j < k; j++) checkFinite(row[j], `groups[${g}][${i}][${j}]`)
    }
  }
  return Math.max(k, 0)
}

/** Validates GDPO reward weights: `k` finite non-negative numbers (all 1 when omitted). */
export function resolveGdpoWeights (weights: readonly number[] | undefined, k: number, field = 'weights'): number[] {
  if (weights === undefined) return new Array<number>(k).fill(1)
  if (!Array.isArray(weights) || weights.length !== k) {
    throw new InvalidRewardsConfigError(field, `must list one weight per reward (${k}), got ${Array.isArray(weights) ? weights.length : String(weights)}`)
  }
  weights.forEach((w, j) => {
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
      throw new InvalidRewardsConfigError(`${field}[${j}]`, `must be a finite number >= 0, got ${String(w)}`)
    }
  })
  return [...weights]
}

/**
 * GDPO's first stage for every group: `A(i) = Σ_k w_k·(r_k(i) − mean_g r_k)/(std_g r_k + eps)`
 * with the sample std. A reward constant within a group (`max == min`) contributes exactly 0.
 */
export function gdpoGroupSums (groups: readonly (readonly (readonly number[])[])[], weights?: readonly number[], eps: number = DEFAULT_GDPO_EPS): number[][] {
  const k = checkRewardTensor(groups)
  const w = resolveGdpoWeights(weights, k)
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps <= 0) {
    throw new InvalidRewardsConfigError('eps', `must be a finite number > 0, got ${String(eps)}`)
  }
  return groups.map(group => {
    const sums = new Array<number>(group.length).fill(0)
    for (let j = 0; j < k; j++) {
      const column = group.map(row => row[j])
      if (w[j] === 0 || isDegenerate(column)) continue
      const m = mean(column)
      const denom = std(column, 1) + eps
      for (let i = 0; i < group.length; i++) sums[i] += w[j] * ((column[i] - m) / denom)
    }
    return sums
  })
}

/**
 * GDPO's second stage: `(A − mean_batch A)/(std_batch A + eps)` over every completion of the
 * given groups (sample std). All-equal batches give exact zeros.
 */
export function batchNormalize (groups: readonly (readonly number[])[], eps: number = DEFAULT_GDPO_EPS): number[][] {
  const flat = groups.flat()
  flat.forEach((v, i) => checkFinite(v, `values[${i}]`))
  if (isDegenerate(flat)) return groups.map(g => new Array<number>(g.length).fill(0))
  const m = mean(flat)
  const denom = std(flat, 1) + eps
  return groups.map(g => g.map(v => (v - m) / denom))
}

/**
 * GDPO advantages (spec §2.3): `groups[g][i][k]` is reward k of completion i in group g; each
 * reward is normalized within its group, summed with `weights` (default all 1), then the sums are
 * normalized across the whole batch. Returns one advantage per group and completion.
 */
export function gdpoAdvantages (groups: readonly (readonly (readonly number[])[])[], weights?: readonly number[], eps: number = DEFAULT_GDPO_EPS): number[][] {
  return batchNormalize(gdpoGroupSums(groups, weights, eps), eps)
}

/**
 * GDPO's optional conditioning `r_easy' = r_easy·1[correct]`: returns a copy of `groups` in which
 * the rewards at `indices` (default: every reward but `correctIndex`) are zeroed wherever reward
 * `correctIndex` is below 0.5.
 */
export function conditionOnCorrect (groups: readonly (readonly (readonly number[])[])[], correctIndex = 0, indices?: readonly number[]): number[][][] {
  const k = checkRewardTensor(groups)
  if (!Number.isInteger(correctIndex) || correctIndex < 0 || correctIndex >= k) {
    throw new InvalidRewardsConfigError('correctIndex', `must be an integer in [0, ${k - 1}], got ${correctIndex}`)
  }
  const targets = indices ?? Array.from({ length: k }, (_, j) => j).filter(j => j !== correctIndex)
  targets.forEach((j, n) => {
    if (!Number.isInteger(j) || j < 0 || j >= k || j === correctIndex) {
      throw new InvalidRewardsConfigError(`indices[${n}]`, `must be a reward index in [0, ${k - 1}] other than ${correctIndex}, got ${j}`)
    }
  })
  return groups.map(group => group.map(row => {
    const passed = row[correctIndex] >= VERIFIER_PASS_THRESHOLD
    return row.map((r, j) => (!passed && targets.includes(j)) ? 0 : r)
  }))
}
