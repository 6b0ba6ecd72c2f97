import { describe, expect, it } from 'vitest'
import { createProducerClock, isStale, median } from '../src/staleness.js'

describe('producer clock', () => {
  it('keeps the newest version per producer and measures ages against it', () => {
    const c = createProducerClock()
    c.observe('a', 10)
    c.observe('a', 7)
    c.observe('b', 3)
    expect(c.newest('a')).toBe(10)
    expect(c.age('a', 7)).toBe(3)
    expect(c.age('b', 5)).toBe(0)
    expect(c.age('unknown', 1)).toBe(0)
    expect(isStale(c, 'a', 7, 2)).toBe(true)
    expect(isStale(c, 'a', 8, 2)).toBe(false)
  })

  it('is bounded, forgetting the least recently updated producer', () => {
    const c = createProducerClock(2)
    c.observe('a', 1)
    c.observe('b', 1)
    c.observe('a', 2)
    c.observe('c', 1)
    expect(c.size()).toBe(2)
    expect(c.newest('b')).toBeUndefined()
    expect(c.newest('a')).toBe(2)
  })

  it('ignores nonsense versions', () => {
    const c = createProducerClock()
    c.observe('a', -1)
    c.observe('a', 1.5)
    expect(c.size()).toBe(0)
  })

  it('median', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 2, 3])).toBe(2.5)
    expect(median([])).toBeNaN()
  })
})
