/** Default HTTP port of `/health`, `/bootstrap` and `/metrics`. */
export const DEFAULT_HTTP_PORT = 4080

/** Default HTTP bind address. */
export const DEFAULT_HTTP_HOST = '0.0.0.0'

/** A peer stays in `/bootstrap` this long after it was last seen connected, ms. */
export const DEFAULT_SEEN_WINDOW_MS = 15 * 60_000

/** Most peers listed by `/bootstrap` (besides the bootstrap node itself). */
export const DEFAULT_MAX_LISTED = 64

/** Most peers remembered as seen (oldest forgotten first). */
export const MAX_TRACKED = 4096

/** How often the seen-peer table is written to disk, ms. */
export const SAVE_INTERVAL_MS = 30_000

/** File (in the data directory) holding the seen-peer table across restarts. */
export const SEEN_FILE = 'seen-peers.json'

/** Folder (in the data directory) of the persistent peer store and DHT records. */
export const PEERSTORE_DIR = 'peerstore'
