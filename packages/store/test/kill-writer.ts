// Shared by the crash tests: run a writer fixture in a child process and SIGKILL it at a random
// moment. The writer prints `<ackWord> <n>` after each durable write.
import { spawn } from 'node:child_process'

/** When the kill's delay starts: at spawn (may hit startup), or at the first acknowledged write (hits the next one). */
export type KillFrom = 'spawn' | 'acked'

/** Runs `node script ...args`, SIGKILLs it `delayMs` after `from`, and returns the highest acknowledged n (-1: none). */
export async function runAndKill (script: string, args: string[], ackWord: string, delayMs: number, from: KillFrom): Promise<number> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let acked = -1
  let buffered = ''
  let stderr = ''
  let onAcked: () => void = () => {}
  const first = new Promise<void>(resolve => { onAcked = resolve })
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) {
      const [word, n] = line.split(' ')
      if (word === ackWord) {
        acked = Math.max(acked, Number(n))
        onAcked()
      }
    }
  })
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const exited = new Promise<number | null>(resolve => child.on('exit', code => { resolve(code) }))
  if (from === 'acked') await Promise.race([first, exited])
  await new Promise(resolve => setTimeout(resolve, delayMs))
  child.kill('SIGKILL')
  const code = await exited
  if (code !== null) throw new Error(`writer exited on its own with ${code}: ${stderr}`)
  return acked
}
