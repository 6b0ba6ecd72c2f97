/**
 * @packageDocumentation
 * The murmur dashboard: a live page (uPlot charts, tables) for one node or every node of a
 * simulated swarm, served with its assets by the node itself over a read-only local server,
 * updated by server-sent events.
 */
export { startDashboard, type DashboardInit } from './server.js'
export { createSwarmState, type SwarmState, type SwarmStateInit } from './state.js'
export { followNode, type FollowNodeInit, type FollowedNode } from './follow.js'
export { DEFAULT_DASHBOARD_PORT, LIVE_INTERVAL_MS, MAX_ROUND_POINTS } from './constants.js'
