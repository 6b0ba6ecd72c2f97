/** What every command gets: output channels and where the CLI binary is. */
export interface CommandContext {
  /** A line to stdout (results; JSON lines with --json). */
  out: (line: string) => void
  /** A line to stderr (progress, tables, logs). */
  err: (line: string) => void
  /** Raw text to stderr (terminal control sequences). */
  errRaw: (text: string) => void
  /** True when stderr is a terminal. */
  isTTY: boolean
  /** Absolute path of bin.js, used to fork node processes. */
  binPath: string
  /** True with --verbose. */
  verbose: boolean
}
