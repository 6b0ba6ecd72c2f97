import { DEFAULT_TASK_MIX, type TaskMixEntry } from '@murmur/tasks'

/** Maps a config task mix (name → weight) onto the sampler's mix, keeping default params for known families. */
export function taskMixFromConfig (mix: Readonly<Record<string, number>>): TaskMixEntry[] {
  const names = Object.keys(mix)
  if (names.length === 0) return [...DEFAULT_TASK_MIX]
  return names.filter(n => mix[n] > 0).map(family => {
    const known = DEFAULT_TASK_MIX.find(e => e.family === family)
    return { family, weight: mix[family], params: known?.params ?? { format: 'compact' } }
  })
}
