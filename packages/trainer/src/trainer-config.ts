/** Trainer hyper-parameters: defaults from spec/algorithms.md §3 and runtime-facts (lr 1e-4). */
import { InvalidArgumentError } from '@murmur/interface'
import { AGGREGATIONS, type Aggregation } from './loss-reference.js'

/** What callers may set; every field is optional. */
export interface TrainerConfigInit {
  /** Seeds minibatch shuffling. Default 0. */
  seed?: number
  /** AdamW learning rate. Default 1e-4 (1e-3 collapses GRPO on the tiny policy). */
  learningRate?: number
  /** Linear warm-up steps of the learning rate. Default 0. */
  warmupSteps?: number
  /** AdamW decoupled weight decay. Default 0. */
  weightDecay?: number
  beta1?: number
  beta2?: number
  adamEps?: number
  /** Global gradient-norm clip; 0 disables. Default 1. */
  maxGradNorm?: number
  /** Update passes over each batch. Default 1. */
  epochs?: number
  /** Sequences per optimizer step (rows of the train-step graph). Default 64. */
  minibatchSize?: number
  epsLow?: number
  epsHigh?: number
  /** k3 KL coefficient to the reference policy. Default 0. */
  beta?: number
  aggregation?: Aggregation
  /** L_max of the constant-normalizer aggregation; default the bucketed sequence length. */
  maxCompletionTokens?: number
  /** onnxruntime intra-op threads. Default 2. */
  threads?: number
}

/** Resolved, validated trainer hyper-parameters. */
export interface TrainerConfig {
  readonly seed: number
  readonly learningRate: number
  readonly warmupSteps: number
  readonly weightDecay: number
  readonly beta1: number
  readonly beta2: number
  readonly adamEps: number
  readonly maxGradNorm: number
  readonly epochs: number
  readonly minibatchSize: number
  readonly epsLow: number
  readonly epsHigh: number
  readonly beta: number
  readonly aggregation: Aggregation
  readonly maxCompletionTokens: number | undefined
  readonly threads: number
}

/** Validates `init` and fills defaults; errors name the key. */
export function resolveTrainerConfig (init: TrainerConfigInit): TrainerConfig {
  const num = (key: keyof TrainerConfigInit, dflt: number, min: number, max: number, integer = false): number => {
    const v = init[key] ?? dflt
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      throw new InvalidArgumentError(key, `expected ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(v)}`)
    }
    return v
  }
  const aggregation = init.aggregation ?? 'token-mean'
  if (!AGGREGATIONS.includes(aggregation)) throw new InvalidArgumentError('aggregation', `expected one of ${AGGREGATIONS.join(', ')}, got ${JSON.stringify(aggregation)}`)
  return Object.freeze({
    seed: num('seed', 0, 0, 0xffffffff, true),
    learningRate: num('learningRate', 1e-4, 0, 10),
    warmupSteps: num('warmupSteps', 0, 0, 1e9, true),
    weightDecay: num('weightDecay', 0, 0, 10),
    beta1: num('beta1', 0.9, 0, 0.999999),
    beta2: num('beta2', 0.999, 0, 0.999999999),
    adamEps: num('adamEps', 1e-8, 1e-30, 1),
    maxGradNorm: num('maxGradNorm', 1, 0, 1e9),
    epochs: num('epochs', 1, 1, 64, true),
    minibatchSize: num('minibatchSize', 64, 1, 4096, true),
    epsLow: num('epsLow', 0.2, 0, 1),
    epsHigh: num('epsHigh', 0.28, 0, 100),
    beta: num('beta', 0, 0, 100),
    aggregation,
    maxCompletionTokens: init.maxCompletionTokens === undefined ? undefined : num('maxCompletionTokens', 1, 1, 1e6, true),
    threads: num('threads', 2, 1, 256, true)
  })
}
