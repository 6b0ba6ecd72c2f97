/**
 * @packageDocumentation
 * Wire messages of the murmur swarm: the RolloutGroup protobuf, limits and validation.
 */
export {}
