import { MurmurError } from '@murmur/interface'

/** Binding a metrics or dashboard server beyond loopback needs an access token. */
export class TokenRequiredError extends MurmurError {
  static readonly code = 'ERR_TOKEN_REQUIRED'
  constructor (host: string) {
    super(`binding to ${host} exposes the node beyond this machine; give a token (a node keeps one in its data directory) or bind to 127.0.0.1`, TokenRequiredError.code)
    this.name = 'TokenRequiredError'
  }
}

/** The server could not listen (port in use, address not available). */
export class ServerListenError extends MurmurError {
  static readonly code = 'ERR_SERVER_LISTEN'
  constructor (host: string, port: number, options?: { cause?: unknown }) {
    super(`cannot listen on ${host}:${port}: ${(options?.cause as Error | undefined)?.message ?? 'unknown error'}; choose another port (0 = any free port)`, ServerListenError.code, options)
    this.name = 'ServerListenError'
  }
}

/** The token file exists but is unusable (unreadable, empty, or readable by others). */
export class TokenFileError extends MurmurError {
  static readonly code = 'ERR_TOKEN_FILE'
  /** Path of the file. */
  readonly path: string
  constructor (path: string, message: string, options?: { cause?: unknown }) {
    super(`${path}: ${message}`, TokenFileError.code, options)
    this.name = 'TokenFileError'
    this.path = path
  }
}
