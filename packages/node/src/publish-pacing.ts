/**
 * How fast an honest node publishes. Peers accept at most `net.groupsPerSecond` groups per second
 * from one origin (burst `net.burst`; @murmur/net's defaults unless configured): each group beyond
 * that is throttled and adds to the sender's flood penalty, which past gossipsub's graylist
 * threshold leaves the sender unheard for minutes. A node whose rounds outrun that rate (the tiny
 * default policy publishes I = 4 groups every 0.1–0.2 s on this machine) therefore publishes at most
 * `PUBLISH_RATE_SHARE` of it, assuming its peers run its own settings; the groups it does not
 * publish are still trained on locally, only not shared.
 */
import { TokenBuckets } from '@murmur/net'

/** Share of the peers' per-origin limit a node uses at most: room for copies that arrive bunched. */
export const PUBLISH_RATE_SHARE = 0.8

/** Decides, group by group, whether publishing now stays within the peers' per-origin limit. */
export interface PublishPacer {
  /** True (and counted) when a group may be published now. */
  take(): boolean
}

/** A pacer for peers that accept `limit.groupsPerSecond` (burst `limit.burst`) from one origin. */
export function publishPacer (limit: { groupsPerSecond: number, burst: number }, now?: () => number): PublishPacer {
  const bucket = new TokenBuckets({
    ratePerSecond: PUBLISH_RATE_SHARE * limit.groupsPerSecond,
    burst: Math.max(1, Math.floor(PUBLISH_RATE_SHARE * limit.burst)),
    maxKeys: 1,
    ...(now === undefined ? {} : { now })
  })
  return { take: () => bucket.take('own') }
}
