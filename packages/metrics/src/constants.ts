/** Named defaults and limits of @murmur/metrics. */

/** Default bind address of the metrics and dashboard servers: loopback only. */
export const DEFAULT_HOST = '127.0.0.1'

/** File (in a node's data directory, beside `identity.key`) holding the access token for non-loopback binds. */
export const TOKEN_FILE = 'observe.token'

/** Cookie that carries the token after a browser opened `/?token=…` once. */
export const TOKEN_COOKIE = 'murmur_token'

/** Peers kept in a node's peer table (least recently seen are dropped). */
export const MAX_PEER_ROWS = 256

/** Seconds buckets of round and phase durations. */
export const SECONDS_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]

/** Buckets of the age of peer groups used in training, in seconds. */
export const AGE_SECONDS_BUCKETS = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1800]

/** Buckets of the age of peer groups used in training, in rounds. */
export const AGE_ROUNDS_BUCKETS = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256]

/** Live node state (pool, peers, network) is re-read at most this often while scraping. */
export const STATS_REFRESH_MS = 200

/** Interval of prom-client's event-loop lag sampling (its default is 10 ms). */
export const EVENT_LOOP_SAMPLE_MS = 100
