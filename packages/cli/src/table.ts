// Plain-text tables by hand, shrunk to the terminal's width.

/** One column: its header and how to read a row's cell. */
export interface Column<T> {
  header: string;
  cell(row: T): string;
  /** Right-align (numbers). */
  right?: boolean;
}

const ELLIPSIS = "…";

function clip(text: string, width: number): string {
  if (text.length <= width) return text;
  return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}${ELLIPSIS}`;
}

/**
 * Renders rows under their headers, columns two spaces apart. When the table is wider than
 * `maxWidth`, the widest column gives up characters first (never below its header's width or 6),
 * so every line fits the terminal.
 */
export function renderTable<T>(columns: readonly Column<T>[], rows: readonly T[], maxWidth = Number.POSITIVE_INFINITY): string {
  const cells = rows.map((row) => columns.map((c) => c.cell(row).replace(/[\r\n\t]+/g, " ")));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] ?? "").length)));
  const total = (): number => widths.reduce((a, b) => a + b, 0) + 2 * (columns.length - 1);
  while (total() > maxWidth) {
    let widest = 0;
    for (let i = 1; i < widths.length; i += 1) if ((widths[i] ?? 0) > (widths[widest] ?? 0)) widest = i;
    const floor = Math.max(6, Math.min(columns[widest]?.header.length ?? 0, 12));
    if ((widths[widest] ?? 0) <= floor) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => {
        const w = widths[i] ?? 0;
        const text = clip(v, w);
        return columns[i]?.right ? text.padStart(w) : text.padEnd(w);
      })
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join("\n");
}

/** Two columns of label and value, for summaries. */
export function renderPairs(pairs: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}
