import { describe, expect, it } from 'vitest';
import { columnsFor, rowOffsets, visibleRows } from './windowing';

describe('windowing', () => {
  it('counts the columns an auto-fill grid makes', () => {
    expect(columnsFor(0, 300, 16)).toBe(1);
    expect(columnsFor(280, 300, 16)).toBe(1);
    expect(columnsFor(615, 300, 16)).toBe(1);
    expect(columnsFor(616, 300, 16)).toBe(2);
    expect(columnsFor(950, 300, 16)).toBe(3);
  });

  it('places rows one after another, each followed by the gap', () => {
    expect(Array.from(rowOffsets(3, (row) => [100, 200, 50][row] ?? 0, 10))).toEqual([0, 110, 320, 380]);
    expect(Array.from(rowOffsets(0, () => 100, 10))).toEqual([0]);
  });

  it('renders the rows in the viewport and the overscan around it, never all of a long list', () => {
    const offsets = rowOffsets(10_000, () => 240, 16); // rows of 256 px
    expect(visibleRows(offsets, 0, 800, 0)).toEqual({ start: 0, end: 4 });
    expect(visibleRows(offsets, 2560, 800, 0)).toEqual({ start: 10, end: 14 });
    expect(visibleRows(offsets, 2560, 800, 512)).toEqual({ start: 8, end: 16 });
    const { start, end } = visibleRows(offsets, 1_000_000, 900, 600);
    expect(end - start).toBeLessThan(12);
    expect(start).toBeGreaterThan(3800);
  });

  it('keeps a few rows ready while the grid is above or below the viewport', () => {
    const offsets = rowOffsets(50, () => 100, 0);
    expect(visibleRows(offsets, -5000, 800, 100)).toEqual({ start: 0, end: 1 });
    expect(visibleRows(offsets, 99_999, 800, 100)).toEqual({ start: 49, end: 50 });
    expect(visibleRows(rowOffsets(0, () => 100, 0), 0, 800, 100)).toEqual({ start: 0, end: 0 });
  });
});
