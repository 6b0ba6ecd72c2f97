/** Named defaults and limits of the dashboard. */

/** Default port of `--dashboard` (0 would pick a free one). */
export const DEFAULT_DASHBOARD_PORT = 7070

/** Round points kept per node (older ones are dropped, oldest first). */
export const MAX_ROUND_POINTS = 5000

/** Evaluation points kept per node. */
export const MAX_EVAL_POINTS = 1000

/** How often a node's live state (peers, pool, rejects) is refreshed between rounds. */
export const LIVE_INTERVAL_MS = 2000

/** SSE comment sent this often so proxies and browsers keep the stream open. */
export const SSE_HEARTBEAT_MS = 15_000

/** Most dashboards connected at once (each is one open SSE stream). */
export const MAX_CLIENTS = 32
