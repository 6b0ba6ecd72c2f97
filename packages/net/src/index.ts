/**
 * @packageDocumentation
 * libp2p host for the murmur swarm: transports, discovery, gossipsub with validation, scoring and rate limits.
 */
export {}
