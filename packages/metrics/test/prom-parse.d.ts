declare module 'parse-prometheus-text-format' {
  /** One metric family as parsed from the Prometheus text format. */
  interface ParsedFamily {
    name: string
    help: string
    type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED'
    metrics: Array<{ value?: string, labels?: Record<string, string>, buckets?: Record<string, string>, count?: string, sum?: string }>
  }
  /** Parses exposition text; throws InvalidLineError on a malformed line. */
  export default function parsePrometheusTextFormat (text: string): ParsedFamily[]
}
