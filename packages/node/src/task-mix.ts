import { DEFAULT_TASK_MIX, difficultyParams, type TaskMixEntry } from '@murmur/tasks'

/**
 * Maps a config task mix (name → weight) onto the sampler's mix, keeping default params for
 * known families; a family with a difficulty level (`taskDifficulty`) takes that level's params.
 */
export function taskMixFromConfig (mix: Readonly<Record<string, number>>, difficulty: Readonly<Record<string, number>> = {}): TaskMixEntry[] {
  const names = Object.keys(mix)
  const entries = names.length === 0
    ? DEFAULT_TASK_MIX.map(e => ({ ...e }))
    : names.filter(n => mix[n] > 0).map(family => {
      const known = DEFAULT_TASK_MIX.find(e => e.family === family)
      return { family, weight: mix[family], params: known?.params ?? { format: 'compact' } }
    })
  return entries.map(e => difficulty[e.family] === undefined ? e : { ...e, params: difficultyParams(e.family, difficulty[e.family]) })
}
