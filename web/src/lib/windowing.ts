/**
 * The arithmetic of a windowed grid: which rows of cards are near the viewport, given the rows'
 * heights (measured where rendered, estimated elsewhere). The page itself scrolls.
 */

/** How many columns a CSS grid of `repeat(auto-fill, minmax(min(100%, min), 1fr))` has at `width`. */
export function columnsFor(width: number, minColumn: number, gap: number): number {
  if (!(width > 0)) return 1;
  return Math.max(1, Math.floor((width + gap) / (minColumn + gap)));
}

/**
 * Where each of `count` rows starts (and, last, where the grid ends), each row followed by `gap`:
 * `heightOf(i)` is row i's height.
 */
export function rowOffsets(count: number, heightOf: (row: number) => number, gap: number): Float64Array {
  const offsets = new Float64Array(count + 1);
  for (let row = 0; row < count; row++) offsets[row + 1] = (offsets[row] ?? 0) + heightOf(row) + gap;
  return offsets;
}

/** The first row whose end lies after `y` (offsets as `rowOffsets` makes them). */
function rowAt(offsets: Float64Array, y: number): number {
  let low = 0;
  let high = offsets.length - 2;
  if (high < 0) return 0;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((offsets[mid + 1] ?? 0) <= y) low = mid + 1;
    else high = mid;
  }
  return low;
}

export interface RowRange {
  /** The first row to render. */
  start: number;
  /** One past the last row to render. */
  end: number;
}

/**
 * The rows that overlap the viewport, `overscan` pixels beyond it either way. `top` is where the
 * viewport starts in the grid's coordinates (negative while the grid is still below its top).
 */
export function visibleRows(offsets: Float64Array, top: number, viewport: number, overscan: number): RowRange {
  const count = offsets.length - 1;
  if (count <= 0) return { start: 0, end: 0 };
  const total = offsets[count] ?? 0;
  const from = Math.max(0, top - overscan);
  const to = Math.min(total, top + viewport + overscan);
  if (to <= 0 || from >= total) {
    // Off-screen altogether: the first rows (or the last ones) stand ready.
    return from >= total ? { start: Math.max(0, count - 1), end: count } : { start: 0, end: Math.min(count, 1) };
  }
  return { start: rowAt(offsets, from), end: Math.min(count, rowAt(offsets, to) + 1) };
}
