/**
 * @packageDocumentation
 * `murmur bootstrap`: a long-running bootstrap/relay peer for a murmur swarm. Persistent identity
 * and peer store; Kademlia DHT server; circuit-relay-v2 server with swarm-sized limits; AutoNAT
 * v2 server; identify/identify-push; connection limits; on public swarms no private addresses.
 * HTTP: `/health`, `/bootstrap` (recently seen good peers), `/metrics` (via a hook).
 */
export { createBootstrapServer, type BootstrapServer, type BootstrapServerInit, type BootstrapServerInfo } from './server.js'
export { PeerTracker, type PeerTrackerInit } from './peer-tracker.js'
export type { MetricsResponse, HttpHandlers } from './http.js'
export { DEFAULT_HTTP_PORT, DEFAULT_HTTP_HOST, DEFAULT_SEEN_WINDOW_MS, DEFAULT_MAX_LISTED } from './constants.js'
