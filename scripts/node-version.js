// Prints the Node.js version npm scripts run on. The repo pins Node 22 through the `node`
// devDependency, so this reports 22 even where the system Node is older.
const major = Number(process.versions.node.split('.')[0])
console.log(`node ${process.version} (${process.execPath})`)
if (major < 22) {
  console.error('murmur needs Node.js >= 22; run scripts through npm so the pinned node devDependency is used')
  process.exitCode = 1
}
