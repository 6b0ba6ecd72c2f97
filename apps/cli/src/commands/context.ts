/** What every command gets: output channels and flags every command shares. */
export interface CommandContext {
  /** A line to stdout (results; JSON lines with --json). */
  out: (line: string) => void
  /** A line to stderr (progress, tables, logs). */
  err: (line: string) => void
  /** Raw text to stderr (terminal control sequences). */
  errRaw: (text: string) => void
  /** True when stderr is a terminal. */
  isTTY: boolean
  /** True with --verbose. */
  verbose: boolean
}
