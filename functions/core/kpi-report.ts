/**
 * The county report (issue 15): the KPI rows of a period as a self-contained HTML page (charts
 * as inline SVG, each with its data table; WCAG 2.1 AA; printable), JSON and CSV. Pure.
 *
 * Small-number suppression, as Swedish official statistics do: a count of 1–4 is shown as "<5";
 * a share only when its numerator (unless 0) and its denominator are at least 5; a median or
 * percentile only over at least 5 cases. A protected case is counted only in the total of SIPs
 * started (functions/report/sql/_prelude.sql), never in a breakdown.
 */

export interface KpiRowInput {
  dim: string;
  measure: 'count' | 'days';
  n: number | null;
  total: number | null;
}

export const SUPPRESS_BELOW = 5;

/** A figure as it may be shown: a number, "<5", or nothing to show. */
export type Shown = number | '<5' | null;

export interface ReportRow {
  dim: string;
  label: string;
  n: Shown;
  total: Shown;
  /** Percent (one decimal), when it may be shown. */
  share: number | null;
}

export interface ReportSection {
  id: string;
  title: string;
  definition: string;
  unit: 'count' | 'days' | 'share';
  rows: ReportRow[];
  note?: string;
}

export interface Report {
  county: string;
  countyName: string;
  from: string;
  to: string;
  generatedAt: string;
  sections: ReportSection[];
}

const suppress = (v: number | null): Shown => (v === null ? null : v > 0 && v < SUPPRESS_BELOW ? '<5' : v);

const share = (n: number | null, total: number | null): number | null =>
  n === null || total === null || total < SUPPRESS_BELOW || (n > 0 && n < SUPPRESS_BELOW)
    ? null
    : Math.round((n / total) * 1000) / 10;

const LABELS: Record<string, string> = {
  total: 'Totalt',
  cases: 'Ärenden med ett första möte',
  'median-days': 'Median, dagar',
  'p90-days': '90:e percentilen, dagar',
  'within-rule': 'Inom länets regel',
  'within-max': 'Inom längsta möteslängd',
  'answered-before': 'Besvarade före mötesdagen',
  'obliged-attending': 'Enheter med pågående insats som kommer (eller skickar ersättare)',
  'with-follow-up': 'Med datum för nästa uppföljning',
  'held-within-14-days': 'Hållna inom 14 dagar från förfallodagen',
  refused: 'Samtycke nekat',
  withdrawn: 'Samtycke återkallat',
  expired: 'Samtycke upphört (giltighetstiden slut)',
  deviations: 'Säkerhetsavvikelser (skyddad identitet)',
  'age:child': 'Barn',
  'age:young-adult': 'Ung vuxen',
  'age:adult': 'Vuxen',
  'participation:took-part': 'Deltog',
  'participation:took-part-partly': 'Deltog delvis',
  'participation:represented': 'Företräddes',
  'participation:did-not-take-part': 'Deltog inte',
  'reason:need-met': 'Behovet är tillgodosett',
  'reason:consent-withdrawn': 'Samtycket återkallades',
  'reason:no-joint-need': 'Inget fortsatt gemensamt behov',
  'reason:goal-changed-restart': 'Nytt långsiktigt mål (ny SIP)',
  'reason:coordination-works': 'Samordningen fungerar utan SIP',
};

const EVALUATION_LABELS: Record<string, string> = {
  'unit:purpose-clear': 'Enheter: syftet var tydligt',
  'unit:right-functions': 'Enheter: rätt funktioner deltog',
  'unit:voice-heard': 'Enheter: den enskildes röst kom fram',
  'unit:plan-clear': 'Enheter: tydligt vem som gör vad',
  'child:understood': 'Barnet: förstod vad mötet handlade om',
  'child:listened': 'Barnet: de vuxna lyssnade',
  'child:helps': 'Barnet: planen kommer att hjälpa',
  'guardian:understood': 'Vårdnadshavare: förstod vad mötet skulle leda till',
  'guardian:listened': 'Vårdnadshavare: synpunkterna togs tillvara',
  'guardian:child-heard': 'Vårdnadshavare: barnets åsikter kom fram',
};

const labelOf = (dim: string): string => {
  const known = LABELS[dim] ?? EVALUATION_LABELS[dim];
  if (known) return known;
  const [kind, value = ''] = dim.split(/:(.*)/s);
  if (kind === 'initiator') return `Initierad av ${value.replace('/', ' – ')}`;
  if (kind === 'month') return value;
  if (kind === 'reason') return `Avvisad: ${value}`;
  if (kind === 'source') return `Avsändare: ${value}`;
  if (kind === 'parked') return `I DLQ nu: ${value.replace(/^se\.sip\.|\.v1$/g, '')}`;
  return dim;
};

interface Definition {
  title: string;
  definition: string;
  unit: ReportSection['unit'];
}

/** What each query's rows mean (docs/kpis.md has the same, longer). */
export const DEFINITIONS: Record<string, Definition> = {
  started: {
    title: 'Startade SIP',
    definition:
      'Ärenden skapade under perioden (case.created). Fördelningarna på initiativtagare, åldersgrupp och månad räknar inte ärenden med skyddad identitet; totalen gör det.',
    unit: 'count',
  },
  'first-meeting': {
    title: 'Dagar från upptäckt behov till första mötet',
    definition:
      'För ärenden skapade under perioden som har ett möte: dagar från needDiscoveredOn till det tidigaste mötets dag (enligt senaste kallelsen för varje möte). Median och 90:e percentil enligt närmaste rang. "Inom länets regel": högst länets antal dagar och på en av länets mötesdagar.',
    unit: 'days',
  },
  'meeting-length': {
    title: 'Möten inom längsta möteslängd',
    definition:
      'Möten som börjar under perioden (senaste kallelsen) vars planerade längd är högst länets gräns.',
    unit: 'share',
  },
  invitations: {
    title: 'Kallelser besvarade och skyldiga enheter som kommer',
    definition:
      'Kallade enheter till möten som börjar under perioden: besvarade (bekräftat, kommer, ersättare, avböjt) en dag före mötesdagen eller tidigare; och enheter med pågående insats vars senaste svar är att de kommer eller skickar en ersättare.',
    unit: 'share',
  },
  participation: {
    title: 'Den enskildes (barnets) delaktighet',
    definition: 'Planer upprättade under perioden, efter hur personen deltog i mötet (plan.established).',
    unit: 'count',
  },
  plans: {
    title: 'Upprättade planer med nästa uppföljning',
    definition: 'Planer upprättade under perioden som anger datum för nästa uppföljning.',
    unit: 'share',
  },
  'follow-ups': {
    title: 'Uppföljningar hållna i tid',
    definition:
      'Uppföljningar med förfallodag under perioden; hållen när en senare plan för samma ärende upprättades högst 14 dagar före eller efter förfallodagen.',
    unit: 'share',
  },
  consent: {
    title: 'Samtycke nekat, återkallat och upphört',
    definition:
      'Ärenden där ett nekat samtycke registrerades, där samtycket återkallades, och där det senaste samtyckets sista giltiga dag låg under perioden utan att ärendet avslutats eller samtycket återkallats dessförinnan.',
    unit: 'count',
  },
  closing: {
    title: 'Avslutade SIP efter skäl',
    definition: 'Ärenden avslutade under perioden, efter skäl (case.closed).',
    unit: 'count',
  },
  evaluation: {
    title: 'Mötesutvärdering',
    definition:
      'Svar på utvärderingen efter hållna möten under perioden, per fråga: andelen som svarat 4 eller 5 på skalan 1–5. Enheterna som deltog svarar via sin länk, barnet och vårdnadshavarna via enkäten som delas ut efter mötet. Svaren är anonyma.',
    unit: 'share',
  },
  pipeline: {
    title: 'Flödets hälsa',
    definition:
      'Händelser som avvisades under perioden, efter skäl och efter avsändare, säkerhetsavvikelser (förbjudna fält som togs bort ur ett ärende med skyddad identitet), och meddelanden som ligger i köernas DLQ när rapporten skapas (ur köerna, inte ur historiken).',
    unit: 'count',
  },
};

/**
 * Secondary suppression: a hidden count must not follow from the counts shown. (1) In a
 * breakdown whose cells add up to the shown total (age groups, initiators, months,
 * participation, closing reasons), one "<5" cell alone would be the total less the others: the
 * smallest other non-zero cell is hidden too. (2) A count shown with its denominator hides the
 * complement: when total − n is 1–4, n and its share are hidden.
 */
const secondarySuppression = (raw: KpiRowInput[], rows: ReportRow[]) => {
  const groups = new Map<string, number[]>();
  raw.forEach((r, i) => {
    if (r.measure !== 'count' || !r.dim.includes(':') || r.total === null) return;
    const key = `${r.dim.split(':')[0]}|${r.total}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  for (const [key, members] of groups) {
    const total = Number(key.split('|')[1]);
    const sum = members.reduce((s, i) => s + (raw[i]?.n ?? 0), 0);
    const hidden = members.filter((i) => rows[i]?.n === '<5' || rows[i]?.n === null);
    if (sum !== total || hidden.length !== 1 || total < SUPPRESS_BELOW) continue;
    const next = members
      .filter((i) => !hidden.includes(i) && (raw[i]?.n ?? 0) > 0)
      .sort((a, b) => (raw[a]?.n ?? 0) - (raw[b]?.n ?? 0))[0];
    const row = next === undefined ? undefined : rows[next];
    if (row) {
      row.n = null;
      row.share = null;
    }
  }
  raw.forEach((r, i) => {
    const row = rows[i];
    if (!row || r.measure !== 'count' || r.n === null || r.total === null || r.n === r.total) return;
    const rest = r.total - r.n;
    if (rest > 0 && rest < SUPPRESS_BELOW && !r.dim.includes(':')) {
      row.n = null;
      row.share = null;
    }
  });
};

/** Rows of a period, suppressed and labelled, in report order. */
export const buildReport = (
  meta: Omit<Report, 'sections'>,
  kpis: Record<string, KpiRowInput[]>,
  notes: Partial<Record<string, string>> = {},
  /** Messages parked in each queue's DLQ when the report is made, by event type (pipeline health). */
  parked: Record<string, number> = {},
): Report => ({
  ...meta,
  sections: Object.entries(DEFINITIONS).map(([id, def]) => {
    const extra: KpiRowInput[] =
      id === 'pipeline'
        ? Object.entries(parked).map(([type, n]) => ({
            dim: `parked:${type}`,
            measure: 'count',
            n,
            total: null,
          }))
        : [];
    // The total first, then each breakdown in the order of its dimension.
    const ordered = [...(kpis[id] ?? []), ...extra].sort(
      (a, b) =>
        Number(b.dim === 'total') - Number(a.dim === 'total') || (a.dim < b.dim ? -1 : a.dim > b.dim ? 1 : 0),
    );
    const rows = ordered.map((r): ReportRow => {
      if (r.measure === 'days') {
        // A 90th percentile by nearest rank over 5–9 cases is the largest one's own value.
        const enough = (r.total ?? 0) >= (r.dim === 'p90-days' ? 2 * SUPPRESS_BELOW : SUPPRESS_BELOW);
        return {
          dim: r.dim,
          label: labelOf(r.dim),
          n: enough ? r.n : null,
          total: suppress(r.total),
          share: null,
        };
      }
      return {
        dim: r.dim,
        label: labelOf(r.dim),
        n: suppress(r.n),
        total: suppress(r.total),
        share: r.total === null ? null : share(r.n, r.total),
      };
    });
    secondarySuppression(ordered, rows);
    return { id, ...def, rows, ...(notes[id] ? { note: notes[id] } : {}) };
  }),
});

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const shown = (v: Shown) => (v === null ? '–' : v === '<5' ? '&lt;5' : v.toLocaleString('sv-SE'));

/** A horizontal bar chart of the rows' counts (or shares), its text alternative the table beside it. */
const chart = (s: ReportSection): string => {
  const bars = s.rows.filter((r) => r.dim !== 'median-days' && r.dim !== 'p90-days');
  if (bars.length === 0) return '';
  const value = (r: ReportRow) => (s.unit === 'share' ? r.share : typeof r.n === 'number' ? r.n : null);
  const max = Math.max(1, ...bars.map((r) => value(r) ?? 0), s.unit === 'share' ? 100 : 0);
  const rowH = 26;
  const labelW = 300;
  const barW = 330;
  const h = bars.length * rowH + 8;
  const items = bars
    .map((r, i) => {
      const v = value(r);
      const y = 4 + i * rowH;
      const w = v === null ? 0 : Math.max(v > 0 ? 2 : 0, Math.round((v / max) * barW));
      const text =
        v === null
          ? r.n === '<5'
            ? '<5'
            : '–'
          : s.unit === 'share'
            ? `${v.toLocaleString('sv-SE')} %`
            : String(v);
      const label = r.label.length > 44 ? `${r.label.slice(0, 43)}…` : r.label;
      return `<text x="${labelW - 8}" y="${y + 17}" text-anchor="end">${esc(label)}</text><rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 8}" class="bar"/><text x="${labelW + w + 6}" y="${y + 17}">${esc(text)}</text>`;
    })
    .join('');
  return `<svg class="chart" role="img" aria-labelledby="${s.id}-chart-title" viewBox="0 0 ${labelW + barW + 70} ${h}" width="100%" preserveAspectRatio="xMinYMin meet"><title id="${s.id}-chart-title">${esc(s.title)}: diagram; samma uppgifter finns i tabellen</title>${items}</svg>`;
};

const table = (s: ReportSection): string => {
  const head =
    s.unit === 'share'
      ? '<th scope="col">Antal</th><th scope="col">Av</th><th scope="col">Andel</th>'
      : '<th scope="col">Värde</th><th scope="col">Underlag</th><th scope="col">Andel</th>';
  const body = s.rows
    .map(
      (r) =>
        `<tr><th scope="row">${esc(r.label)}</th><td>${shown(r.n)}</td><td>${shown(r.total)}</td><td>${r.share === null ? '–' : `${r.share.toLocaleString('sv-SE')} %`}</td></tr>`,
    )
    .join('');
  return `<table><caption>${esc(s.title)}: uppgifter</caption><thead><tr><th scope="col">Mått</th>${head}</tr></thead><tbody>${body || '<tr><td colspan="4">Inga uppgifter under perioden</td></tr>'}</tbody></table>`;
};

const CSS = `
:root{color-scheme:light}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:72rem;padding:1.5rem;color:#1a1a1a;background:#fff;line-height:1.5}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.25rem;margin:2rem 0 .5rem;border-top:1px solid #767676;padding-top:1rem}
p.meta{margin:0;color:#404040}
.kpi{display:grid;grid-template-columns:minmax(0,1.2fr) minmax(0,1fr);gap:1.5rem;align-items:start}
@media (max-width:60rem){.kpi{grid-template-columns:1fr}}
.chart text{font-size:13px;fill:#1a1a1a}.chart .bar{fill:#1f5fa8}
table{border-collapse:collapse;width:100%;font-size:.95rem}caption{text-align:left;font-weight:600;padding-bottom:.25rem}
th,td{border:1px solid #767676;padding:.3rem .5rem;text-align:right}td{white-space:nowrap}th[scope=row],thead th:first-child{text-align:left}
thead th{background:#f0f0f0}
.definition{margin:.25rem 0 1rem;color:#1a1a1a}.note{font-style:italic}
a{color:#0b4f9c}a:focus{outline:3px solid #1a1a1a;outline-offset:2px}
@media print{body{max-width:none;padding:0}h2{break-after:avoid}.kpi{break-inside:avoid;grid-template-columns:1.2fr 1fr}a{color:#000}}
`;

/** The self-contained page: no script, no external resource. */
export const renderReportHtml = (r: Report): string => {
  const sections = r.sections
    .map(
      (s) =>
        `<section aria-labelledby="${s.id}"><h2 id="${s.id}">${esc(s.title)}</h2><p class="definition">${esc(s.definition)}</p>${s.note ? `<p class="note">${esc(s.note)}</p>` : ''}<div class="kpi"><div>${chart(s)}</div><div>${table(s)}</div></div></section>`,
    )
    .join('');
  return `<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>SIP-uppföljning ${esc(r.countyName)} ${esc(r.from)} – ${esc(r.to)}</title><style>${CSS}</style></head>
<body><header><h1>SIP-uppföljning: ${esc(r.countyName)}</h1>
<p class="meta">Period ${esc(r.from)} – ${esc(r.to)}. Skapad ${esc(r.generatedAt.slice(0, 16).replace('T', ' '))} UTC.</p>
<p class="meta">Endast summerade uppgifter. Antal 1–4 visas som &lt;5, och en andel eller median visas bara när underlaget är minst 5 (röjandeskydd); en 90:e percentil bara när underlaget är minst 10. Ärenden med skyddad identitet räknas inte i något mått av ärenden.</p>
<nav aria-label="Innehåll"><ul>${r.sections.map((s) => `<li><a href="#${s.id}">${esc(s.title)}</a></li>`).join('')}</ul></nav></header>
<main>${sections}</main></body></html>
`;
};

/** One line per row: kpi, dim, label, n, total, share (RFC 4180 quoting). */
export const renderReportCsv = (r: Report): string => {
  const q = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [['kpi', 'dim', 'label', 'n', 'total', 'share_percent'].join(',')];
  for (const s of r.sections)
    for (const row of s.rows)
      lines.push([s.id, row.dim, row.label, row.n, row.total, row.share].map(q).join(','));
  return `${lines.join('\r\n')}\r\n`;
};
