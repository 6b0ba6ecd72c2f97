import { randomBytes } from 'node:crypto'
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { AbortOptions } from '@murmur/interface'
import { throwIfAborted } from '@murmur/interface'
import { CHECKPOINT_FILE_SUFFIX, TMP_FILE_PREFIX } from '../constants.js'
import { StoreIoError } from '../errors.js'
import { intKey } from '../util.js'

/** A fresh, unique blob file name for `round`. */
export function blobName (round: number): string {
  return `round-${intKey(round)}-${randomBytes(6).toString('hex')}${CHECKPOINT_FILE_SUFFIX}`
}

/** True when `name` could be a committed blob file of this store. */
export function isBlobName (name: string): boolean {
  return /^round-[0-9a-f]+-[0-9a-f]+\.ckpt$/.test(name)
}

/** fsyncs a directory so a rename or unlink in it is durable (a no-op where directories cannot be opened). */
export async function fsyncDir (dir: string): Promise<void> {
  let handle
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw err
  } finally {
    await handle?.close()
  }
}

async function unlinkQuiet (path: string): Promise<void> {
  try {
    await unlink(path)
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ENOENT') throw err
  }
}

/**
 * Writes `parts` to `dir/name` atomically: a temporary file is written and fsynced, renamed into
 * place, and the directory fsynced. On failure or abort nothing is left behind.
 */
export async function writeBlob (dir: string, name: string, parts: Uint8Array[], options: AbortOptions): Promise<void> {
  const tmp = join(dir, TMP_FILE_PREFIX + name)
  const final = join(dir, name)
  try {
    throwIfAborted(options.signal)
    const handle = await open(tmp, 'wx', 0o600)
    try {
      for (const part of parts) {
        throwIfAborted(options.signal)
        let off = 0
        while (off < part.byteLength) {
          const { bytesWritten } = await handle.write(part, off, part.byteLength - off)
          off += bytesWritten
        }
      }
      await handle.sync()
    } finally {
      await handle.close()
    }
    throwIfAborted(options.signal)
    await rename(tmp, final)
    await fsyncDir(dir)
  } catch (err) {
    await unlinkQuiet(tmp).catch(() => undefined)
    await unlinkQuiet(final).catch(() => undefined)
    if ((err as { code?: unknown }).code === 'ERR_ABORTED' || (err as { code?: unknown }).code === 'ERR_TIMEOUT') throw err
    throw new StoreIoError(final, (err as Error).message, { cause: err })
  }
}

/** Reads a blob file; undefined when it does not exist. */
export async function readBlob (path: string): Promise<Uint8Array | undefined> {
  try {
    const buf = await readFile(path)
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return undefined
    throw new StoreIoError(path, (err as Error).message, { cause: err })
  }
}

/** Deletes blob files (ignoring ones already gone) and fsyncs the directory. */
export async function deleteBlobs (dir: string, names: string[]): Promise<void> {
  if (names.length === 0) return
  try {
    for (const name of names) await unlinkQuiet(join(dir, name))
    await fsyncDir(dir)
  } catch (err) {
    throw new StoreIoError(dir, (err as Error).message, { cause: err })
  }
}

/** Lists a blob directory: committed blob names and leftover temporary files. */
export async function scanBlobDir (dir: string): Promise<{ blobs: string[], temps: string[] }> {
  try {
    const names = await readdir(dir)
    return {
      blobs: names.filter(isBlobName),
      temps: names.filter(n => n.startsWith(TMP_FILE_PREFIX) && isBlobName(n.slice(TMP_FILE_PREFIX.length)))
    }
  } catch (err) {
    throw new StoreIoError(dir, (err as Error).message, { cause: err })
  }
}
