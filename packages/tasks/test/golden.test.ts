// Golden vectors: exact prompts and answers, checked by hand once and frozen. A failure here means
// a family's output changed: bump that family's version instead of editing these lines.
import { describe, expect, it } from 'vitest'
import { resolveTask, verify } from '../src/registry.js'
import type { TaskParams } from '../src/types.js'

const GOLDEN: Array<[string, number, TaskParams, string, string]> = [
  ["add", 7, {}, "07+85=", "92"],
  ["add", 8, { digits: 4, pad: false, format: "text" }, "What is 6818 + 986? Give only the final answer inside <answer></answer> tags.", "7804"],
  ["sort_digits", 7, {}, "sort 502847=", "024578"],
  ["sort_digits", 8, { length: 10, descending: true, format: "text" }, "Sort the digits of 7960484321 in descending order, keeping repeated digits, and write them as one string of digits. Give only the final answer inside <answer></answer> tags.", "9876443210"],
  ["reverse", 7, {}, "rev qxvzlhd=", "dhlzvxq"],
  ["reverse", 8, { alphabet: "alnum", length: 10, format: "text" }, "Reverse the string \"hyi69hrfnu\" character by character. Give only the final answer inside <answer></answer> tags.", "unfrh96iyh"],
  ["base_conversion", 7, {}, "2>10 110011=", "51"],
  ["base_conversion", 8, { from: 0, to: 0, maxValue: 100000 }, "9>8 2016=", "2701"],
  ["base_conversion", 9, { from: 10, to: 16, maxValue: 4095, format: "text" }, "Convert the base-10 number 2261 to base 16. Use lowercase letters a-f for digits above 9. Give only the final answer inside <answer></answer> tags.", "8d5"],
  ["basic_arithmetic", 7, {}, "7-2+6=", "11"],
  ["basic_arithmetic", 8, { terms: 5, ops: "all", parens: true, maxOperand: 20, format: "text" }, "Calculate 19 + (3 + 15 * 8) + 8. Give only the final answer inside <answer></answer> tags.", "150"],
  ["decimal_arithmetic", 7, {}, "5.3-1.9=", "3.4"],
  ["decimal_arithmetic", 8, { terms: 3, decimals: 2, ops: "all", format: "text" }, "Calculate 8.31 - 9.41 + 8.07 exactly. Write the result as a decimal number. Give only the final answer inside <answer></answer> tags.", "6.97"],
  ["fraction_simplification", 7, {}, "5/40=", "1/8"],
  ["fraction_simplification", 8, { maxValue: 50, maxFactor: 12, improper: true, format: "text" }, "Simplify the fraction 58/36 to lowest terms. Write it as numerator/denominator. Give only the final answer inside <answer></answer> tags.", "29/18"],
  ["calendar_arithmetic", 7, {}, "2016-12-28+43=", "2017-02-09"],
  ["calendar_arithmetic", 8, { mode: "diff" }, "2002-07-04>2002-08-01=", "28"],
  ["calendar_arithmetic", 9, { mode: "weekday", format: "text" }, "What day of the week is 2023-05-01? Answer with the English weekday name. Give only the final answer inside <answer></answer> tags.", "Monday"],
  ["calendar_arithmetic", 10, { mode: "weekday" }, "wd 2021-01-22=", "fri"],
  ["propositional_logic", 7, {}, "(0&0)&0=", "0"],
  ["propositional_logic", 8, { vars: 2, ops: "full", depth: 2 }, "p0q1:(~q^q)^(~p^q)=", "1"],
  ["propositional_logic", 9, { vars: 3, depth: 3, ops: "full", format: "text" }, "Given p = false, q = true, r = false, evaluate the formula: (NOT (p XOR q) OR (q AND p)) OR p. Is it true or false? NOT binds tightest; parentheses group the rest. Give only the final answer inside <answer></answer> tags.", "false"],
  ["binary_matrix", 7, {}, "flip 011/100/111=", "110/001/111"],
  ["binary_matrix", 8, { op: "distance", rows: 4, cols: 4 }, "dist 1010/1111/1110/1110=", "1010/2121/3210/3210"],
  ["binary_matrix", 9, { op: "transpose", rows: 2, cols: 3, format: "text" }, "Transpose the following binary matrix (rows become columns).\n0 0 1\n1 1 1\nWrite the result with one row per line and cells separated by spaces.\nGive only the final answer inside <answer></answer> tags.", "0 1\n0 1\n1 1"],
  ["arc_1d", 7, {}, "fill 00060600=", "00066600"],
  ["arc_1d", 8, { op: "shift", length: 10 }, "sh3 0000070000=", "0000000070"],
  ["arc_1d", 9, { op: "gravity", format: "text" }, "Each example maps an input row of colors (0 is background) to an output row by the same rule. Find the rule and apply it to the test input.\nExample 1:\nInput: 0 0 7 0 0 0 0 7\nOutput: 0 0 0 0 0 0 7 7\nExample 2:\nInput: 0 0 0 0 0 4 0 1\nOutput: 0 0 0 0 0 0 4 1\nTest input: 0 9 0 0 0 7 0 4\nWrite the output row with cells separated by spaces.\nGive only the final answer inside <answer></answer> tags.", "0 0 0 0 0 9 7 4"],
  ["bf", 7, {}, "bf --+++>.=", "0"],
  ["bf", 8, { steps: 6, outputs: 3 }, "bf -[>+<-].+++.-+++++.=", "037"],
  ["bf", 9, { dialect: "ascii", outputs: 3, format: "text" }, "This is standard bf: 8-bit cells, the pointer starts at the leftmost cell and . prints the current cell as an ASCII character. What does this program print?\n++++++++++[>++++++++++++<-]>+.----------------------.++++++++.\nGive only the final answer inside <answer></answer> tags.", "yck"],
]

describe('golden vectors', () => {
  it.each(GOLDEN)('%s seed %i %o', (family, seed, params, prompt, answer) => {
    const task = resolveTask({ family, version: 1, seed, params })
    expect(task.prompt).toBe(prompt)
    expect(task.answer).toBe(answer)
    expect(verify({ family, version: 1, seed, params }, `<answer>${answer}</answer>`).score).toBe(1)
  })

  it('covers every family', () => {
    expect(new Set(GOLDEN.map(g => g[0])).size).toBe(12)
  })
})
