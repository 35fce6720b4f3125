// A sortable table (plain <table>, themed with --vscode-* variables): headers sort on click or Enter, rows
// activate on click or Enter, and the focused row keeps focus across redraws.
import type { Column, SortSpec } from '../../core/panels/tableModel';
import { nextSort, sortRows } from '../../core/panels/tableModel';
import { append, el, icon, replace } from './dom';

export interface TableOptions<R> {
  columns: ReadonlyArray<Column<R>>;
  /** Stable row identity, to keep focus on the same row after a refresh. */
  rowKey(row: R): string;
  onActivate?(row: R): void;
  /** Buttons in a last column (e.g. metrics, correlate, show in tree). */
  actions?(row: R): HTMLElement[];
  rowTitle?(row: R): string;
  /** Extra class for a row (e.g. a stopped container). */
  rowClass?(row: R): string;
  onSort(sort: SortSpec): void;
  empty: string;
  caption: string;
}

export class SortableTable<R> {
  readonly element: HTMLTableElement;
  private readonly thead: HTMLTableSectionElement;
  private readonly tbody: HTMLTableSectionElement;

  constructor(private readonly options: TableOptions<R>) {
    this.thead = el('thead');
    this.tbody = el('tbody');
    this.element = el(
      'table',
      { className: 'data-table' },
      el('caption', { className: 'visually-hidden', text: options.caption }),
      this.thead,
      this.tbody,
    );
  }

  render(rows: readonly R[], sort: SortSpec | null): void {
    const o = this.options;
    const focusedKey = (document.activeElement as HTMLElement | null)?.closest?.('tr')?.dataset.key;
    const headRow = el('tr');
    for (const c of o.columns) {
      const sorted = sort?.key === c.key;
      const th = el('th', {
        className: `${c.numeric ? 'num' : ''} sortable`,
        title: c.title ?? `Sort by ${c.label}`,
        attrs: {
          scope: 'col',
          tabindex: '0',
          'aria-sort': sorted ? (sort.descending ? 'descending' : 'ascending') : 'none',
        },
      });
      append(th, c.label);
      if (sorted) append(th, icon(sort.descending ? 'arrow-down' : 'arrow-up'));
      const activate = () => o.onSort(nextSort(sort, c));
      th.addEventListener('click', activate);
      th.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          activate();
        }
      });
      append(headRow, th);
    }
    if (o.actions)
      append(
        headRow,
        el(
          'th',
          { className: 'actions', attrs: { scope: 'col' } },
          el('span', { className: 'visually-hidden', text: 'Actions' }),
        ),
      );
    replace(this.thead, headRow);

    const sorted = sortRows(rows, o.columns, sort);
    const trs: HTMLTableRowElement[] = [];
    let refocus: HTMLTableRowElement | null = null;
    for (const row of sorted) {
      const key = o.rowKey(row);
      const tr = el('tr', { className: o.rowClass?.(row) ?? '', title: o.rowTitle?.(row) });
      tr.dataset.key = key;
      for (const c of o.columns) append(tr, el('td', { className: c.numeric ? 'num' : '', text: c.text(row) }));
      if (o.actions) append(tr, el('td', { className: 'actions' }, ...o.actions(row)));
      if (o.onActivate) {
        const activate = o.onActivate;
        tr.tabIndex = 0;
        tr.classList.add('clickable');
        tr.addEventListener('click', () => activate(row));
        tr.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' && e.target === tr) activate(row);
        });
      }
      if (key === focusedKey) refocus = tr;
      trs.push(tr);
    }
    if (trs.length === 0) {
      const span = o.columns.length + (o.actions ? 1 : 0);
      trs.push(el('tr', { className: 'empty' }, el('td', { text: o.empty, attrs: { colspan: String(span) } })));
    }
    replace(this.tbody, ...trs);
    refocus?.focus({ preventScroll: true });
  }
}
