import {
  COUNTER_NAMES,
  MAX_BURST,
  type CounterName,
  type DiagnosticsAction,
  type DiagnosticsSnapshot,
} from '../shared/diagnostics'
import { parseBurstInput } from './burst-input'
import { CommandTable } from './command-table'
import { countdownText } from './countdown'
import { counterLabel, counterTestId } from './counter-ids'
import { find, h, setAttr, setText } from './dom'
import type { LogItem } from './event-log-model'
import { formatCount, formatPid, formatRate, formatTimeOfDay } from './format'
import { gaugeBand, gaugeFraction } from './gauge'
import { hostRowsOf } from './host-rows'
import { HostTable } from './host-table'
import type { LinkStatus } from './panel-source'

/** Counters that mean something was lost, and ones that deserve a look. */
const COUNTER_TONES: Partial<Record<CounterName, 'bad' | 'warn'>> = {
  droppedOverflow: 'bad',
  droppedExpired: 'bad',
  failedBeforeAck: 'bad',
  sagaFailed: 'bad',
  writeFailures: 'warn',
  staleSession: 'warn',
  ignoredAcks: 'warn',
  cancelled: 'warn',
}

/** Under this many seconds the countdown turns red. */
const URGENT_SECONDS = 10

export type ActionHandler = (action: DiagnosticsAction, count?: number) => void

/**
 * The panel's DOM: finds the elements of index.html, fills in the counters, and renders values
 * into them; the command and host tables render through CommandTable and HostTable. Holds no
 * state of its own beyond what is on screen.
 */
export class PanelView {
  private readonly el: {
    root: HTMLElement
    state: HTMLElement
    announcer: HTMLElement
    transport: HTMLElement
    sessionId: HTMLElement
    hostPid: HTMLElement
    restarts: HTMLElement
    standby: HTMLElement
    failovers: HTMLElement
    link: HTMLElement
    bufferCard: HTMLElement
    depth: HTMLElement
    capacity: HTMLElement
    gauge: HTMLElement
    gaugeFill: HTMLElement
    expiryCard: HTMLElement
    countdown: HTMLElement
    expiryNote: HTMLElement
    inFlight: HTMLElement
    sagas: Record<'started' | 'completed' | 'failed' | 'inFlight' | 'lateReports', HTMLElement>
    legendDepth: HTMLElement
    legendRate: HTMLElement
    hostActions: HTMLElement
    actionButtons: HTMLButtonElement[]
    actionsOff: HTMLElement
    goneBanner: HTMLElement
    burstForm: HTMLFormElement
    burstCount: HTMLInputElement
    actionStatus: HTMLElement
    log: HTMLOListElement
    logCount: HTMLElement
    chart: HTMLElement
  }
  private readonly counters = new Map<CounterName, HTMLElement>()
  private readonly disposers: Array<() => void> = []
  private readonly logNodes = new Map<number, HTMLLIElement>()
  private readonly commandTable: CommandTable
  private readonly hostTable: HostTable
  private lastState: string | undefined
  private lastActions: string | undefined
  private isLauncherGone = false

  constructor(root: HTMLElement) {
    this.el = {
      root,
      state: find(root, 'pipe-state'),
      announcer: find(root, 'announcer'),
      transport: find(root, 'transport'),
      sessionId: find(root, 'session-id'),
      hostPid: find(root, 'host-pid'),
      restarts: find(root, 'restarts'),
      standby: find(root, 'standby-count'),
      failovers: find(root, 'counter-failovers'),
      link: find(root, 'link-status'),
      bufferCard: find(root, 'buffer-depth').closest<HTMLElement>('.card') ?? root,
      depth: find(root, 'buffer-depth'),
      capacity: find(root, 'buffer-capacity'),
      gauge: find(root, 'buffer-gauge'),
      gaugeFill: find(root, 'buffer-gauge-fill'),
      expiryCard: find(root, 'expiry-card'),
      countdown: find(root, 'expiry-countdown'),
      expiryNote: find(root, 'expiry-note'),
      inFlight: find(root, 'in-flight'),
      sagas: {
        started: find(root, 'sagas-started'),
        completed: find(root, 'sagas-completed'),
        failed: find(root, 'sagas-failed'),
        inFlight: find(root, 'sagas-in-flight'),
        lateReports: find(root, 'counter-late-reports'),
      },
      legendDepth: find(root, 'legend-depth'),
      legendRate: find(root, 'legend-rate'),
      hostActions: find(root, 'host-actions'),
      actionButtons: [...root.querySelectorAll<HTMLButtonElement>('button[data-action]')],
      actionsOff: find(root, 'actions-off'),
      goneBanner: find(root, 'launcher-gone'),
      burstForm: find<HTMLFormElement>(root, 'burst-form'),
      burstCount: find<HTMLInputElement>(root, 'burst-count'),
      actionStatus: find(root, 'action-status'),
      log: find<HTMLOListElement>(root, 'event-log'),
      logCount: find(root, 'log-count'),
      chart: find(root, 'depth-chart'),
    }
    this.commandTable = new CommandTable(
      find(root, 'command-table'),
      find(root, 'command-rows'),
      find(root, 'commands-empty'),
    )
    this.hostTable = new HostTable(
      find(root, 'host-table'),
      find(root, 'host-rows'),
      find(root, 'hosts-empty'),
    )
    this.el.burstCount.max = String(MAX_BURST)
    this.buildCounters(find(root, 'counters'))
  }

  get chartContainer(): HTMLElement {
    return this.el.chart
  }

  /** Wires the buttons and the burst form; `onAction` gets only valid requests. */
  bindActions(onAction: ActionHandler): void {
    const onClick = (event: MouseEvent): void => {
      const button = (event.target as Element | null)?.closest<HTMLButtonElement>('button[data-action]')
      const action = button?.dataset.action
      if (action === 'kill-host' || action === 'stop-host' || action === 'start-host') onAction(action)
    }
    const onSubmit = (event: SubmitEvent): void => {
      event.preventDefault()
      const parsed = parseBurstInput(this.el.burstCount.value)
      if (!parsed.ok) {
        this.el.burstCount.setAttribute('aria-invalid', 'true')
        this.showActionStatus(parsed.error, false)
        this.el.burstCount.focus()
        return
      }
      this.el.burstCount.removeAttribute('aria-invalid')
      onAction('burst', parsed.count)
    }
    const onInput = (): void => {
      if (parseBurstInput(this.el.burstCount.value).ok) this.el.burstCount.removeAttribute('aria-invalid')
    }
    this.el.root.addEventListener('click', onClick)
    this.el.burstForm.addEventListener('submit', onSubmit)
    this.el.burstCount.addEventListener('input', onInput)
    this.disposers.push(() => {
      this.el.root.removeEventListener('click', onClick)
      this.el.burstForm.removeEventListener('submit', onSubmit)
      this.el.burstCount.removeEventListener('input', onInput)
    })
  }

  renderSnapshot(s: DiagnosticsSnapshot): void {
    const el = this.el
    el.root.removeAttribute('aria-busy')
    this.renderState(s.state)
    setText(el.transport, s.transport ?? '')
    setText(el.sessionId, formatCount(s.sessionId))
    const pid = formatPid(s.hostPid)
    setText(el.hostPid, pid)
    setText(el.restarts, formatCount(s.restarts))
    // Feeds from launchers without standby (older builds) leave these empty rather than 0.
    setText(el.standby, formatCount(s.standby))
    setText(el.failovers, formatCount(s.failovers))
    setAttr(el.standby, 'title', s.standbyPids?.length ? `pids ${s.standbyPids.join(', ')}` : 'none ready')

    setText(el.depth, formatCount(s.pending))
    setText(el.capacity, formatCount(s.capacity))
    const band = gaugeBand(s.pending, s.capacity)
    setAttr(el.gauge, 'data-band', band)
    setAttr(el.bufferCard, 'data-band', band)
    setAttr(el.gauge, 'aria-valuemax', formatCount(s.capacity) || '0')
    setAttr(el.gauge, 'aria-valuenow', formatCount(s.pending) || '0')
    setAttr(el.gauge, 'aria-valuetext', `${s.pending} of ${s.capacity} frames buffered`)
    el.gaugeFill.style.width = `${(gaugeFraction(s.pending, s.capacity) * 100).toFixed(1)}%`

    setText(el.inFlight, formatCount(s.inFlight))
    const sagas = s.sagas ?? { started: NaN, completed: NaN, failed: NaN, inFlight: NaN, lateReports: NaN }
    for (const key of ['started', 'completed', 'failed', 'inFlight', 'lateReports'] as const) {
      setText(el.sagas[key], formatCount(sagas[key]))
    }
    setAttr(el.sagas.failed, 'data-zero', String(!(sagas.failed > 0)))
    // Should read 0 (docs/protocol.md#the-truth-list): a host did work for a saga already reported ended. Red when not.
    setAttr(el.sagas.lateReports, 'data-zero', String(!(sagas.lateReports > 0)))

    for (const [name, cell] of this.counters) {
      const value = s.counters[name]
      setText(cell, formatCount(value))
      setAttr(cell, 'data-zero', String(!(value > 0)))
    }
    this.hostTable.render(hostRowsOf(s.hosts))
    // Feeds from launchers without per-command stats leave the table empty.
    this.commandTable.render(Array.isArray(s.commands) ? s.commands : [])
    this.renderActions(Array.isArray(s.actions) ? s.actions : [])
  }

  renderCountdown(msLeft: number | null): void {
    const text = countdownText(msLeft)
    setText(this.el.countdown, text)
    const running = text !== ''
    setAttr(this.el.expiryCard, 'data-running', String(running))
    setAttr(this.el.expiryCard, 'data-urgent', String(running && Number(text) <= URGENT_SECONDS))
    setText(this.el.expiryNote, running ? 'buffered frames drop at 0' : 'no deadline running')
  }

  renderLegend(depth: number, rate: number): void {
    setText(this.el.legendDepth, formatCount(depth))
    setText(this.el.legendRate, formatRate(rate))
  }

  /**
   * The link's state. `gone` (the launcher stopped or no longer answers) shows the banner
   * `launcher-gone` and turns the badge to `stopped`, struck through: the last snapshot said
   * `connected`, and nothing will correct it.
   */
  renderLinkStatus(status: LinkStatus): void {
    const text = status === 'reconnecting' ? 'reconnecting…' : status === 'gone' ? 'launcher gone' : status
    setText(this.el.link, text)
    setAttr(this.el.link, 'data-link', status)
    this.el.root.classList.toggle('is-stale', status !== 'live')
    const isGone = status === 'gone'
    if (isGone === this.isLauncherGone) return
    this.isLauncherGone = isGone
    this.el.goneBanner.hidden = !isGone
    setAttr(this.el.state, 'data-gone', String(isGone))
    if (isGone) this.renderState('stopped')
    if (isGone) this.el.announcer.textContent = 'Launcher gone'
  }

  /**
   * Shows the log, newest first, keyed by line id: new lines are built and prepended, lines that
   * left the log (or were rewritten) are removed, the rest stay untouched.
   */
  renderLog(newestFirst: readonly LogItem[]): void {
    const list = this.el.log
    const wanted = new Set(newestFirst.map((item) => item.id))
    for (const [id, node] of this.logNodes) {
      if (wanted.has(id)) continue
      node.remove()
      this.logNodes.delete(id)
    }
    const fragment = document.createDocumentFragment()
    for (const item of newestFirst) {
      if (this.logNodes.has(item.id)) continue
      const node = logItemNode(item)
      this.logNodes.set(item.id, node)
      fragment.append(node)
    }
    // Ids grow, so every new line is newer than every line already shown.
    if (fragment.childNodes.length > 0) list.prepend(fragment)
    setText(this.el.logCount, String(this.logNodes.size))
  }

  showActionStatus(text: string, ok: boolean | undefined): void {
    setText(this.el.actionStatus, text)
    if (ok === undefined) this.el.actionStatus.removeAttribute('data-ok')
    else setAttr(this.el.actionStatus, 'data-ok', String(ok))
  }

  dispose(): void {
    for (const dispose of this.disposers.splice(0)) dispose()
  }

  /** The badge; `stopped` whatever the last snapshot said while the launcher is gone. */
  private renderState(state: string): void {
    const shown = this.isLauncherGone ? 'stopped' : state
    setText(this.el.state, shown)
    setAttr(this.el.state, 'data-state', shown)
    if (shown !== this.lastState) {
      // Announced once per change, in words, for screen readers; the badge itself stays bare.
      this.el.announcer.textContent = `Pipe ${shown.replace('-', ' ')}`
      this.lastState = shown
    }
  }

  /** Shows only the actions the app allows (the snapshot's `actions`); the API refuses the rest. */
  private renderActions(allowed: readonly DiagnosticsAction[]): void {
    const key = allowed.join(',')
    if (key === this.lastActions) return
    this.lastActions = key
    let hasHostAction = false
    for (const button of this.el.actionButtons) {
      const isAllowed = allowed.includes(button.dataset.action as DiagnosticsAction)
      button.hidden = !isAllowed
      hasHostAction ||= isAllowed
    }
    this.el.hostActions.hidden = !hasHostAction
    this.el.burstForm.hidden = !allowed.includes('burst')
    this.el.actionsOff.hidden = allowed.length > 0
  }

  private buildCounters(container: HTMLElement): void {
    for (const name of COUNTER_NAMES) {
      const id = counterTestId(name)
      const value = h('dd', { 'data-testid': id, 'aria-labelledby': `${id}-label`, 'data-zero': 'true' })
      const row = h('div', { class: 'counter' }, h('dt', { id: `${id}-label` }, counterLabel(name)), value)
      const tone = COUNTER_TONES[name]
      if (tone) row.dataset.tone = tone
      container.append(row)
      this.counters.set(name, value)
    }
  }
}

function logItemNode(item: LogItem): HTMLLIElement {
  const li = h(
    'li',
    { class: 'log-item', 'data-testid': 'event-log-item', 'data-level': item.level, 'data-kind': item.kind },
    h('time', { class: 'log-time', datetime: new Date(item.at).toISOString() }, formatTimeOfDay(item.at)),
    h('span', { class: 'log-kind' }, item.kind),
    logText(item),
  )
  if (item.isSagaFailure) li.classList.add('is-saga-failed')
  return li
}

/** The line's text, with a saga failure's reason set apart (a log line has it at its end). */
function logText(item: LogItem): HTMLSpanElement {
  const reason = item.isSagaFailure ? item.reason : undefined
  if (!reason) return h('span', { class: 'log-text' }, item.text)
  const text = item.text.endsWith(reason)
    ? item.text.slice(0, -reason.length).replace(/[\s:—-]+$/, '')
    : item.text
  return h('span', { class: 'log-text' }, text, h('span', { class: 'log-reason' }, reason))
}
