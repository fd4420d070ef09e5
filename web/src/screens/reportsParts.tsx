import { useEffect, useId, useRef, type ReactNode } from 'react';

// The Reports page's parts shared by its sections (web/src/screens/Reports.tsx).

/** A wide table scrolls sideways inside its box (focusable, so a keyboard can scroll it), never the page. */
export function Scroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

export function Head({ id, title, csv }: { id: string; title: string; csv: ReactNode }) {
  return (
    <div className="report-head">
      <h2 id={id}>{title}</h2>
      {csv}
    </div>
  );
}

/**
 * Horizontal bars, one row per label (stacked when there are several series). Chartist and its
 * stylesheet come in their own chunk on first use; the chart is hidden from screen readers, who
 * read the table with the same figures under it.
 */
export function Bars({ title, labels, series, high, stack = false, legend }: { title: string; labels: string[]; series: number[][]; high?: number; stack?: boolean; legend?: string[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const id = useId();
  const key = JSON.stringify([labels, series, high, stack]);
  useEffect(() => {
    let gone = false;
    let chart: { detach(): unknown } | undefined;
    void import('chartist').then(({ BarChart }) => {
      if (gone || !ref.current) return;
      chart = new BarChart(
        ref.current,
        // Chartist draws the first label at the bottom: reversed here (not with `reverseData`,
        // which also reverses the series' colours), so rows read top-down as in the table.
        { labels: [...labels].reverse(), series: series.map((s) => [...s].reverse()) },
        {
          horizontalBars: true,
          stackBars: stack,
          height: `${labels.length * 34 + 40}px`,
          chartPadding: { top: 8, right: 28, bottom: 4, left: 4 },
          axisX: { low: 0, ...(high !== undefined ? { high } : {}), onlyInteger: true },
          axisY: { offset: 150, showGrid: false },
        },
      );
    });
    return () => {
      gone = true;
      chart?.detach();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return (
    <figure className="chart" aria-labelledby={id}>
      <figcaption id={id}>
        {title} <span className="muted">(the table below has the figures)</span>
      </figcaption>
      {legend && (
        <ul className="legend" aria-hidden="true">
          {legend.map((l, i) => (
            <li key={l} className={`ct-series-${String.fromCharCode(97 + i)}`}>
              {l}
            </li>
          ))}
        </ul>
      )}
      <div ref={ref} className="chart-area" aria-hidden="true" data-testid="chart" />
    </figure>
  );
}
