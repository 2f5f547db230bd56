/**
 * The panel's per-host table: one row per pool slot, with its host's pid, state, calls in flight
 * and restarts. Apart from PanelView because its rows come and go with the pool (kept by slot, in
 * slot order), where most of the view fills in elements index.html already has.
 */
import { h, setAttr, setText } from './dom'
import type { HostRowText } from './host-rows'

/** The cells of one host row (one slot of the pool), each holding a bare value. */
interface HostRowCells {
  row: HTMLTableRowElement
  pid: HTMLElement
  state: HTMLElement
  inFlight: HTMLElement
  restarts: HTMLElement
}

/** The table `host-table`, its body `host-rows`, and `hosts-empty` shown while it has no row. */
export class HostTable {
  private readonly rows = new Map<number, HostRowCells>()

  constructor(
    private readonly table: HTMLElement,
    private readonly body: HTMLElement,
    private readonly empty: HTMLElement,
  ) {}

  /**
   * One row per slot, in slot order, kept by slot: a slot that left the pool loses its row, a
   * new one gets a row in its place, and rows already in place are not moved.
   */
  render(rows: readonly HostRowText[]): void {
    const wanted = new Set(rows.map((r) => r.slot))
    for (const [slot, cells] of this.rows) {
      if (wanted.has(slot)) continue
      cells.row.remove()
      this.rows.delete(slot)
    }
    const body = this.body
    let previous: Element | null = null
    for (const r of rows) {
      let cells = this.rows.get(r.slot)
      if (!cells) {
        cells = hostRowCells(r.slot)
        this.rows.set(r.slot, cells)
      }
      const next: Element | null = previous ? previous.nextElementSibling : body.firstElementChild
      if (next !== cells.row) body.insertBefore(cells.row, next)
      previous = cells.row
      setText(cells.pid, r.pid)
      setText(cells.state, r.state)
      setAttr(cells.state, 'data-state', r.state)
      setText(cells.inFlight, r.inFlight)
      setText(cells.restarts, r.restarts)
      setAttr(cells.restarts, 'data-zero', String(!(Number(r.restarts) > 0)))
    }
    const isEmpty = rows.length === 0
    this.table.hidden = isEmpty
    this.empty.hidden = !isEmpty
  }
}

function hostRowCells(slot: number): HostRowCells {
  const cell = (testId: string): HTMLElement => h('td', { class: 'num', 'data-testid': testId })
  const cells = {
    pid: cell('host-row-pid'),
    state: h('td', { class: 'host-state', 'data-testid': 'host-row-state' }),
    inFlight: cell('host-row-inflight'),
    restarts: cell('host-row-restarts'),
  }
  const row = h(
    'tr',
    { 'data-testid': 'host-row', 'data-slot': String(slot) },
    h('th', { scope: 'row', class: 'num', 'data-testid': 'host-row-slot' }, String(slot)),
    cells.pid,
    cells.state,
    cells.inFlight,
    cells.restarts,
  )
  return { row, ...cells }
}
