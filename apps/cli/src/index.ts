/**
 * @packageDocumentation
 * The murmur command line. The executable entry point is `bin.ts`.
 */
export {}
