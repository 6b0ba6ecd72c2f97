/** Plain-text tables for the live simulation summary and final reports. */

/** A column: header and how to render a row's cell. */
export interface Column<Row> {
  header: string
  cell: (row: Row) => string
  align?: 'left' | 'right'
}

/** Renders rows as an aligned table (header, rule, rows). */
export function renderTable<Row> (columns: Array<Column<Row>>, rows: Row[]): string {
  const cells = rows.map(r => columns.map(c => c.cell(r)))
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map(row => row[i].length)))
  const pad = (text: string, i: number): string => columns[i].align === 'left' ? text.padEnd(widths[i]) : text.padStart(widths[i])
  const lines = [
    columns.map((c, i) => pad(c.header, i)).join('  '),
    widths.map(w => '-'.repeat(w)).join('  '),
    ...cells.map(row => row.map((text, i) => pad(text, i)).join('  '))
  ]
  return lines.join('\n')
}

/** Formats a number with fixed decimals, or '-' when undefined/NaN. */
export function fmt (value: number | undefined, digits = 3): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits)
}
