/**
 * @packageDocumentation
 * Observation of murmur nodes: per-node Prometheus metrics (`murmur_*`, libp2p's and
 * gossipsub's) in a registry of the node's own, the node's live state as plain JSON for
 * dashboards, and a read-only local HTTP server with token access beyond loopback.
 */
export { createNodeMetrics, type NodeMetrics, type NodeMetricsInit, type NodeInfoLabels } from './node-metrics.js'
export { trackNode, type NodeTracker, type ObservedNode } from './tracker.js'
export { roundPoint, type RoundPoint, type PeerRow, type NodeLive, type NodeView, type SwarmView, type ViewEvent } from './view.js'
export { startObserveServer, metricsRoute, send, isLoopback, type ObserveServer, type ObserveServerInit, type RouteHandler } from './server.js'
export { loadOrCreateToken, tokenMatches } from './token.js'
export { gossipsubRegister } from './gossipsub.js'
export { libp2pMetrics } from './libp2p.js'
export { TokenRequiredError, ServerListenError, TokenFileError } from './errors.js'
export { DEFAULT_HOST, TOKEN_FILE, TOKEN_COOKIE, MAX_PEER_ROWS } from './constants.js'
