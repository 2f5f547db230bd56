/**
 * The panel's per-command table: one row per command name, with its calls, running, failed and
 * latency percentiles. Apart from PanelView because its rows come and go with the feed (kept by
 * name), where most of the view fills in elements index.html already has.
 */
import type { CommandStats } from '../shared/diagnostics'
import { h, setAttr, setText } from './dom'
import { formatCount, formatLatencyMs } from './format'

/** The cells of one command row, each holding a bare value. */
interface CommandRowCells {
  row: HTMLTableRowElement
  calls: HTMLElement
  running: HTMLElement
  failed: HTMLElement
  p50: HTMLElement
  p99: HTMLElement
}

/** The table `command-table`, its body `command-rows`, and `commands-empty` shown while it has no row. */
export class CommandTable {
  private readonly rows = new Map<string, CommandRowCells>()

  constructor(
    private readonly table: HTMLElement,
    private readonly body: HTMLElement,
    private readonly empty: HTMLElement,
  ) {}

  /** One row per command, kept by name: a new name gets a row at the end, the rest update in place. */
  render(commands: readonly CommandStats[]): void {
    for (const c of commands) {
      if (typeof c !== 'object' || c === null || typeof c.name !== 'string') continue
      let cells = this.rows.get(c.name)
      if (!cells) {
        cells = commandRowCells(c.name)
        this.rows.set(c.name, cells)
        this.body.append(cells.row)
      }
      setText(cells.calls, formatCount(c.calls))
      setText(cells.running, formatCount(c.running))
      setText(cells.failed, formatCount(c.failed))
      setAttr(cells.failed, 'data-zero', String(!(c.failed > 0)))
      setText(cells.p50, formatLatencyMs(c.p50Ms))
      setText(cells.p99, formatLatencyMs(c.p99Ms))
      setAttr(cells.p50, 'title', c.p50Ms === null ? 'no call ended in the last minute' : `${c.p50Ms} ms`)
      setAttr(cells.p99, 'title', c.p99Ms === null ? 'no call ended in the last minute' : `${c.p99Ms} ms`)
    }
    const isEmpty = this.rows.size === 0
    this.table.hidden = isEmpty
    this.empty.hidden = !isEmpty
  }
}

function commandRowCells(name: string): CommandRowCells {
  const cell = (testId: string): HTMLElement => h('td', { class: 'num', 'data-testid': testId })
  const cells = {
    calls: cell('command-row-calls'),
    running: cell('command-row-running'),
    failed: cell('command-row-failed'),
    p50: cell('command-row-p50'),
    p99: cell('command-row-p99'),
  }
  const row = h(
    'tr',
    { 'data-testid': 'command-row' },
    h('th', { scope: 'row', 'data-testid': 'command-row-name', title: name }, name),
    cells.calls,
    cells.running,
    cells.failed,
    cells.p50,
    cells.p99,
  )
  return { row, ...cells }
}
