import { Fragment, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { columnsFor, rowOffsets, visibleRows, type RowRange } from '../lib/windowing';

interface WindowedGridProps<T> {
  items: readonly T[];
  keyOf: (item: T) => string;
  renderItem: (item: T) => ReactNode;
  /** The narrowest a column gets (the CSS grid's `minmax(min(100%, …), 1fr)`), in px. */
  minColumn: number;
  /** The gap between rows and columns, in px. */
  gap: number;
  /** A row's height until it has been measured. */
  estimate: number;
  /** How far beyond the viewport rows are rendered, in px: Tab and quick scrolls find cards there. */
  overscan?: number;
  className?: string;
  testId?: string;
}

/**
 * A grid of cards of which only the rows near the viewport are in the page: thousands of loaded
 * tasks cost what a screenful does. The page scrolls (not a box of its own); rows are laid out in
 * document order, between two spacers, so Tab and screen readers read them in order. Row heights
 * are measured as they render; unmeasured rows count as the average of the measured ones.
 */
export function WindowedGrid<T>({
  items,
  keyOf,
  renderItem,
  minColumn,
  gap,
  estimate,
  overscan = 800,
  className = '',
  testId,
}: WindowedGridProps<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [columns, setColumns] = useState(1);
  const [range, setRange] = useState<RowRange>({ start: 0, end: 8 });
  // Measured row heights: written by the observer as rows resize, copied to state for rendering.
  const measuring = useRef(new Map<number, number>());
  const [heights, setHeights] = useState<ReadonlyMap<number, number>>(() => new Map());
  const rowCount = Math.ceil(items.length / columns);

  const offsets = useMemo(() => {
    let sum = 0;
    for (const h of heights.values()) sum += h;
    const typical = heights.size > 0 ? sum / heights.size : estimate;
    return rowOffsets(rowCount, (row) => heights.get(row) ?? typical, gap);
  }, [rowCount, gap, estimate, heights]);

  const offsetsRef = useRef(offsets);

  const update = useCallback(() => {
    const grid = ref.current;
    if (!grid) return;
    const top = -grid.getBoundingClientRect().top;
    const next = visibleRows(offsetsRef.current, top, window.innerHeight, overscan);
    setRange((current) => (current.start === next.start && current.end === next.end ? current : next));
  }, [overscan]);

  // The page's scroll and size decide which rows are near; one update per frame at most.
  useEffect(() => {
    let frame = 0;
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(() => {
        frame = 0;
        update();
      });
    };
    window.addEventListener('scroll', schedule, { passive: true });
    window.addEventListener('resize', schedule);
    return () => {
      window.removeEventListener('scroll', schedule);
      window.removeEventListener('resize', schedule);
      cancelAnimationFrame(frame);
    };
  }, [update]);

  useLayoutEffect(() => {
    offsetsRef.current = offsets;
    update();
  }, [update, offsets]);

  // The grid's width decides the columns; a new column count makes every row anew.
  useLayoutEffect(() => {
    const grid = ref.current;
    if (!grid) return;
    const measure = () => {
      const next = columnsFor(grid.clientWidth, minColumn, gap);
      setColumns((current) => {
        if (current !== next) {
          measuring.current = new Map();
          setHeights(new Map());
        }
        return next;
      });
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(grid);
    return () => observer.disconnect();
  }, [minColumn, gap]);

  // Rows report their height as they render and whenever it changes.
  const rowObserver = useRef<ResizeObserver | null>(null);
  useEffect(() => {
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver((entries) => {
      let changed = false;
      for (const entry of entries) {
        const node = entry.target as HTMLElement;
        const row = Number(node.dataset.row);
        const height = entry.borderBoxSize[0]?.blockSize ?? node.offsetHeight;
        if (!Number.isFinite(row) || height <= 0) continue;
        if (Math.abs((measuring.current.get(row) ?? -1) - height) > 0.5) {
          measuring.current.set(row, height);
          changed = true;
        }
      }
      if (changed) setHeights(new Map(measuring.current));
    });
    rowObserver.current = observer;
    ref.current?.querySelectorAll('[data-row]').forEach((node) => observer.observe(node));
    return () => {
      observer.disconnect();
      rowObserver.current = null;
    };
  }, []);

  const observeRow = useCallback((node: HTMLDivElement | null) => {
    const observer = rowObserver.current;
    if (!node || !observer) return;
    observer.observe(node);
    // Rows scrolled out of the window are let go.
    return () => observer.unobserve(node);
  }, []);

  const start = Math.min(range.start, rowCount);
  const end = Math.min(Math.max(range.end, start), rowCount);
  const rows: ReactNode[] = [];
  for (let row = start; row < end; row++) {
    const cells = items.slice(row * columns, row * columns + columns);
    rows.push(
      <div
        key={row}
        ref={observeRow}
        data-row={row}
        className="windowed-grid__row"
        style={{ gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`, gap: `${gap}px` }}
      >
        {cells.map((item) => (
          <Fragment key={keyOf(item)}>{renderItem(item)}</Fragment>
        ))}
      </div>,
    );
  }
  const total = Math.max(0, (offsets[rowCount] ?? 0) - gap);
  const before = offsets[start] ?? 0;
  const after = Math.max(0, total - (offsets[end] ?? total));

  return (
    <div
      ref={ref}
      className={`windowed-grid ${className}`}
      style={{ paddingTop: before, paddingBottom: after, rowGap: `${gap}px` }}
      data-testid={testId}
      data-windowed="true"
    >
      {rows}
    </div>
  );
}
