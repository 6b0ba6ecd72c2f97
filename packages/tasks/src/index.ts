/**
 * @packageDocumentation
 * Deterministic task families: seeded generators, answer extraction, verifiers, task references.
 */
export {}
