// A forked benchmark child driven over its IPC channel: send a command, await the reply of a
// given type (replies that arrive before anyone waits are kept).
import type { ChildProcess } from 'node:child_process'

/** The parent's end of a child's IPC channel; `From` and `To` are the message unions. */
export class Child<From extends { type: string }, To> {
  private readonly waiting = new Map<string, { resolve: (m: From) => void, reject: (err: Error) => void }>()
  private readonly early = new Map<string, From>()
  constructor (readonly child: ChildProcess, private readonly name: string) {
    child.on('message', (m: From) => {
      const waiter = this.waiting.get(m.type)
      if (waiter === undefined) { this.early.set(m.type, m); return }
      this.waiting.delete(m.type)
      waiter.resolve(m)
    })
    child.once('exit', code => {
      for (const [type, waiter] of this.waiting) waiter.reject(new Error(`${name} exited with ${String(code)} while waiting for ${type}`))
      this.waiting.clear()
    })
  }

  /** The next message of `type`. */
  async next<T extends From['type']> (type: T): Promise<Extract<From, { type: T }>> {
    const got = this.early.get(type)
    if (got !== undefined) { this.early.delete(type); return got as Extract<From, { type: T }> }
    if (this.child.exitCode !== null) throw new Error(`${this.name} exited with ${this.child.exitCode}`)
    return await new Promise((resolve, reject) => {
      this.waiting.set(type, { resolve: m => { resolve(m as Extract<From, { type: T }>) }, reject })
    })
  }

  send (msg: To): void { this.child.send(msg as object) }
}
