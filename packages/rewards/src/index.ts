/**
 * @packageDocumentation
 * Reward shaping and advantage estimators: HERO, GDPO, GRPO family, SAPO sampling.
 */
export {}
