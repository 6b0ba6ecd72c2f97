// Counts bytes on the wire. libp2p hands every raw connection (and every negotiated protocol
// stream) to its `metrics` component before use; this minimal component wraps the two methods
// through which all bytes of a js-libp2p 3 message stream pass (`onData` for bytes read from
// the transport, `sendData` for bytes written to it) and turns every other metric into a no-op.
// It relies on that AbstractMessageStream contract; if a stream lacks those methods it is
// simply not counted.
import type { Metrics, MultiaddrConnection, Stream } from '@libp2p/interface'

/** Byte totals on the wire (all connections) and on gossipsub streams. */
export interface ByteCounts {
  bytesIn: number
  bytesOut: number
  gossipBytesIn: number
  gossipBytesOut: number
}

interface Sized { byteLength: number }
interface Countable {
  onData?: (data: Sized) => unknown
  sendData?: (data: Sized) => unknown
}

function wrap (target: unknown, onIn: (n: number) => void, onOut: (n: number) => void): void {
  const t = target as Countable
  const onData = t.onData
  const sendData = t.sendData
  if (typeof onData === 'function') {
    t.onData = function (this: unknown, data: Sized) {
      onIn(data.byteLength)
      return onData.call(this, data)
    }
  }
  if (typeof sendData === 'function') {
    t.sendData = function (this: unknown, data: Sized) {
      onOut(data.byteLength)
      return sendData.call(this, data)
    }
  }
}

// A callable that returns itself for any call or property: stands in for every metric object
// libp2p components register (update, increment, observe, timer() → stop(), ...).
function noopMetric (): unknown {
  const fn: () => unknown = () => proxy
  const proxy: unknown = new Proxy(fn, { get: (_t, prop) => prop === 'then' ? undefined : proxy })
  return proxy
}

/** A libp2p `metrics` factory that counts bytes into `counts`; gossip streams are those whose protocol starts with `gossipPrefix`. */
export function byteCountingMetrics (counts: ByteCounts, gossipPrefix = '/meshsub/'): () => Metrics {
  return () => {
    const noop = noopMetric()
    const register = (): unknown => noop
    const metrics = {
      trackMultiaddrConnection (maConn: MultiaddrConnection): void { countConnection(counts, maConn) },
      trackProtocolStream (stream: Stream): void { countStream(counts, stream, gossipPrefix) },
      registerMetric: register,
      registerMetricGroup: register,
      registerCounter: register,
      registerCounterGroup: register,
      registerHistogram: register,
      registerHistogramGroup: register,
      registerSummary: register,
      registerSummaryGroup: register,
      traceFunction: <F>(_name: string, fn: F): F => fn,
      createTrace: (): undefined => undefined
    }
    return metrics as unknown as Metrics
  }
}

/** Layers byte counting into `counts` over another libp2p `metrics` factory (e.g. Prometheus metrics), which still sees every connection and stream. */
export function withByteCounting<C> (inner: (components: C) => Metrics, counts: ByteCounts, gossipPrefix = '/meshsub/'): (components: C) => Metrics {
  return components => {
    const metrics = inner(components)
    const trackConnection = metrics.trackMultiaddrConnection.bind(metrics)
    const trackStream = metrics.trackProtocolStream.bind(metrics)
    metrics.trackMultiaddrConnection = maConn => { countConnection(counts, maConn); trackConnection(maConn) }
    metrics.trackProtocolStream = stream => { countStream(counts, stream, gossipPrefix); trackStream(stream) }
    return metrics
  }
}

function countConnection (counts: ByteCounts, maConn: MultiaddrConnection): void {
  wrap(maConn, n => { counts.bytesIn += n }, n => { counts.bytesOut += n })
}

function countStream (counts: ByteCounts, stream: Stream, gossipPrefix: string): void {
  if (stream.protocol?.startsWith(gossipPrefix) !== true) return
  wrap(stream, n => { counts.gossipBytesIn += n }, n => { counts.gossipBytesOut += n })
}
