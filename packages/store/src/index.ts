/**
 * @packageDocumentation
 * Level-backed node state: rollout pool, checkpoints, metrics history (with in-memory twins).
 */
export {}
