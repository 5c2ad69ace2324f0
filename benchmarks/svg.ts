/**
 * The chart: one panel per body case, one horizontal bar per contender (median hit latency on a
 * log scale, so 15 µs and 1.5 ms both read), labelled with the value and the ratio to the floor.
 */
import { formatMs, formatRatio, type CaseResult, type RunResults } from './results.js';

const WIDTH = 1200;
const LABEL_WIDTH = 330;
const VALUE_WIDTH = 380;
const BAR_HEIGHT = 18;
const BAR_GAP = 6;
const PANEL_TITLE = 28;
const PANEL_GAP = 18;
const TOP = 56;

/** Bar colour by who the row belongs to. */
export function colourFor(id: string): string {
  if (id === 'floor' || id === 'floor-parsed' || id === 'redis-floor') return '#9aa0a6';
  if (id.startsWith('ahc-miss') || id.startsWith('origin') || id === 'ahc-304') return '#c5b3e6';
  if (id.startsWith('ahc')) return '#1a73e8';
  if (id.startsWith('aci')) return '#f29900';
  return '#5f6368';
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Log-10 axis from the decade below the smallest value to the decade above the largest. */
function logScale(values: readonly number[], widthPx: number): { x: (ms: number) => number; ticks: number[] } {
  const finite = values.filter((value) => Number.isFinite(value) && value > 0);
  const low = Math.floor(Math.log10(Math.min(...finite, 0.01)));
  const high = Math.ceil(Math.log10(Math.max(...finite, 0.1)));
  const span = Math.max(1, high - low);
  const ticks: number[] = [];
  for (let decade = low; decade <= high; decade++) ticks.push(10 ** decade);
  return { x: (ms) => ((Math.log10(ms) - low) / span) * widthPx, ticks };
}

function panel(result: CaseResult, top: number, x: (ms: number) => number, ticks: readonly number[]): string[] {
  const parts: string[] = [];
  const height = result.rows.length * (BAR_HEIGHT + BAR_GAP);
  parts.push(`<text x="12" y="${top + 18}" class="panel">${escapeXml(`${result.label} (${result.bytes.toLocaleString('en')} bytes)`)}</text>`);
  const plotTop = top + PANEL_TITLE;
  for (const tick of ticks) {
    const tx = LABEL_WIDTH + x(tick);
    parts.push(`<line x1="${tx.toFixed(1)}" y1="${plotTop - 4}" x2="${tx.toFixed(1)}" y2="${plotTop + height}" class="grid"/>`);
  }
  result.rows.forEach((row, index) => {
    const y = plotTop + index * (BAR_HEIGHT + BAR_GAP);
    const median = row.summary.medianMs;
    const barWidth = Number.isFinite(median) && median > 0 ? Math.max(1, x(median)) : 0;
    parts.push(`<text x="${LABEL_WIDTH - 8}" y="${y + 13}" class="label">${escapeXml(row.label)}</text>`);
    parts.push(`<rect x="${LABEL_WIDTH}" y="${y}" width="${barWidth.toFixed(1)}" height="${BAR_HEIGHT}" rx="3" fill="${colourFor(row.id)}"/>`);
    const caveat = row.probe === undefined ? '' : !row.probe.intact ? ' · WRONG BODY' : row.probe.isolated ? '' : ' · one shared object';
    const note = row.id === 'floor' ? formatMs(median) : `${formatMs(median)} · ${formatRatio(row.ratioToFloor)} string floor · ${formatRatio(row.ratioToParsedFloor)} parsed floor${caveat}`;
    parts.push(`<text x="${(LABEL_WIDTH + barWidth + 6).toFixed(1)}" y="${y + 13}" class="value">${escapeXml(note)}</text>`);
  });
  return parts;
}

/** The whole chart as an SVG document. */
export function renderSvg(results: RunResults): string {
  const all = results.cases.flatMap((result) => result.rows.map((row) => row.summary.medianMs));
  const plotWidth = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const { x, ticks } = logScale(all, plotWidth);
  const parts: string[] = [];
  let top = TOP;
  for (const result of results.cases) {
    parts.push(...panel(result, top, x, ticks));
    top += PANEL_TITLE + result.rows.length * (BAR_HEIGHT + BAR_GAP) + PANEL_GAP;
  }
  for (const tick of ticks) {
    parts.push(`<text x="${(LABEL_WIDTH + x(tick)).toFixed(1)}" y="${top}" class="tick">${escapeXml(formatMs(tick))}</text>`);
  }
  const height = top + 52;
  const title = 'Median latency per request (log scale; lower is better); ratios to the string floor and the parsed floor measured in the same run';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">`,
    '<style>.title{font-size:16px;font-weight:600;fill:#202124}.sub{font-size:12px;fill:#5f6368}.panel{font-size:14px;font-weight:600;fill:#202124}',
    '.label{font-size:12px;fill:#202124;text-anchor:end}.value{font-size:12px;fill:#202124}.tick{font-size:11px;fill:#5f6368;text-anchor:middle}.grid{stroke:#e0e0e0;stroke-width:1}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="24" class="title">${escapeXml('axios-http-cache: cache-hit latency against the axios floor')}</text>`,
    `<text x="12" y="42" class="sub">${escapeXml(title)}</text>`,
    ...parts,
    `<text x="12" y="${height - 26}" class="sub">${escapeXml('grey: floors · blue: axios-http-cache hits · orange: axios-cache-interceptor hits · lilac: network rows for scale')}</text>`,
    `<text x="12" y="${height - 10}" class="sub">${escapeXml(`${results.environment}; ${results.startedAt}${results.quick ? ' (quick mode, rough)' : ''}`)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
