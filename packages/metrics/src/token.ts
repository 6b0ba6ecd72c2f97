// The access token of a node's metrics and dashboard servers when they bind beyond loopback:
// generated once, stored beside the node's identity with mode 0600, compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { TOKEN_FILE } from './constants.js'
import { TokenFileError } from './errors.js'

/** Reads `<dir>/observe.token`, creating it (mode 0600, 32 random bytes, base64url) on first use. */
export async function loadOrCreateToken (dir: string): Promise<string> {
  const path = join(dir, TOKEN_FILE)
  const info = await stat(path).catch(() => undefined)
  if (info === undefined) {
    await mkdir(dir, { recursive: true })
    const token = randomBytes(32).toString('base64url')
    // 'wx': never overwrite a token another process created meanwhile.
    await writeFile(path, token + '\n', { mode: 0o600, flag: 'wx' }).catch(async (err: unknown) => {
      if ((err as { code?: string }).code !== 'EEXIST') throw new TokenFileError(path, `cannot create: ${(err as Error).message}`, { cause: err })
    })
    return await loadOrCreateToken(dir)
  }
  if ((info.mode & 0o077) !== 0) throw new TokenFileError(path, `is readable by other users (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 on it`)
  const token = (await readFile(path, 'utf8')).trim()
  if (token.length < 16) throw new TokenFileError(path, 'holds no token (at least 16 characters); delete it to have a new one generated')
  return token
}

/** Constant-time token comparison (both sides hashed, so lengths leak nothing either). */
export function tokenMatches (expected: string, given: string | undefined): boolean {
  if (given === undefined) return false
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(given).digest()
  return timingSafeEqual(a, b)
}
