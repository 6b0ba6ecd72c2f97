// The page's files, read once at start and served from memory: the HTML and CSS in page/, the
// compiled page scripts, and uPlot from its npm package. Nothing is fetched from elsewhere.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** One served file. */
export interface Asset {
  body: Buffer
  contentType: string
  etag: string
}

const JS = 'text/javascript; charset=utf-8'
const CSS = 'text/css; charset=utf-8'

/** URL path → file, relative to the package root (`uplot:` = uPlot's dist folder). */
const FILES: ReadonlyArray<[string, string, string]> = [
  ['/', 'page/index.html', 'text/html; charset=utf-8'],
  ['/style.css', 'page/style.css', CSS],
  ['/page/app.js', 'dist/page/page/app.js', JS],
  ['/page/charts.js', 'dist/page/page/charts.js', JS],
  ['/page/tables.js', 'dist/page/page/tables.js', JS],
  ['/src/state.js', 'dist/page/src/state.js', JS],
  ['/src/constants.js', 'dist/page/src/constants.js', JS],
  ['/uPlot.min.js', 'uplot:uPlot.iife.min.js', JS],
  ['/uPlot.min.css', 'uplot:uPlot.min.css', CSS]
]

/** Loads every asset of the page. */
export async function loadAssets (): Promise<Map<string, Asset>> {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..')
  const uplot = dirname(fileURLToPath(import.meta.resolve('uplot')))
  const out = new Map<string, Asset>()
  for (const [path, file, contentType] of FILES) {
    const full = file.startsWith('uplot:') ? join(uplot, file.slice(6)) : join(root, file)
    const body = await readFile(full)
    out.set(path, { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` })
  }
  return out
}
