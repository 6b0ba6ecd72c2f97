/**
 * @packageDocumentation
 * The SAPO node: one round of generate, score, share, sample, shape, train, checkpoint.
 */
export {}
