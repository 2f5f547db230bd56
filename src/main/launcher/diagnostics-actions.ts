import {
  DIAGNOSTICS_ACTIONS,
  MAX_BURST,
  type ActionErrorCode,
  type ActionResult,
  type DiagnosticsAction,
  type DiagnosticsSnapshot,
} from '../../shared/diagnostics'
import type { DiagnosticsSource } from './diagnostics-source'
import type { HostSupervisor } from './host-supervisor'
import type { SagaCoordinator } from './saga-coordinator'

export type DiagnosticsAct = DiagnosticsSource['act']

/**
 * What `killHost(slot)` did: `killed` (SIGKILL sent; the slot's supervisor replaces the host),
 * `no-process` (the slot exists but no host process runs in it), `no-such-host` (no such slot).
 */
export type KillHostOutcome = 'killed' | 'no-process' | 'no-such-host'

/** What the four panel actions drive. */
export interface DiagnosticsActionTargets {
  /** SIGKILLs the host in `slot` (a non-negative integer, already checked). */
  killHost(slot: number): KillHostOutcome
  supervisor: Pick<HostSupervisor, 'stopHost' | 'startHost'>
  coordinator: Pick<SagaCoordinator, 'startSaga'>
}

/**
 * SIGKILLs the host in pool slot `slot` (the supervisor then refills the slot): `no-such-host`
 * for a slot the pool does not have (or none: not started), `no-process` when the slot has no
 * host process to kill.
 */
export function killHostInSlot(
  supervisor: Pick<HostSupervisor, 'killHost' | 'slotCount'> | undefined,
  slot: number,
): KillHostOutcome {
  if (!supervisor || !Number.isSafeInteger(slot) || slot < 0 || slot >= supervisor.slotCount)
    return 'no-such-host'
  return supervisor.killHost(slot) ? 'killed' : 'no-process'
}

export type BurstCount = { ok: true; count: number } | { ok: false; error: string }

export type HostSlot = { ok: true; slot: number } | { ok: false; error: string; code: ActionErrorCode }

export function isDiagnosticsAction(name: string): name is DiagnosticsAction {
  return (DIAGNOSTICS_ACTIONS as readonly string[]).includes(name)
}

/** A burst size as the API takes it: an integer from 1 to MAX_BURST, nothing else (no strings). */
export function parseBurstCount(count: unknown): BurstCount {
  if (typeof count === 'number' && Number.isInteger(count) && count >= 1 && count <= MAX_BURST)
    return { ok: true, count }
  return { ok: false, error: `count must be an integer from 1 to ${MAX_BURST}, got ${describe(count)}` }
}

/**
 * The slot of a `kill-host` body `{"slot":N}`: absent is slot 0; anything but a non-negative
 * integer (no strings, no null) is a BAD_REQUEST naming what it got.
 */
export function parseHostSlot(slot: unknown): HostSlot {
  if (slot === undefined) return { ok: true, slot: 0 }
  if (typeof slot === 'number' && Number.isSafeInteger(slot) && slot >= 0) return { ok: true, slot }
  return {
    ok: false,
    code: 'BAD_REQUEST',
    error: `slot must be a non-negative integer, got ${describe(slot)}`,
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value)
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`
}

/**
 * The panel's actions over the supervisor and the saga coordinator, shared by every front end
 * (HTTP API, Electron IPC). Never throws. Stop-host answers once the stop has begun, not when the
 * host has exited: the panel sees `stopped` through the feed.
 */
export function createDiagnosticsActions({
  killHost,
  supervisor,
  coordinator,
}: DiagnosticsActionTargets): DiagnosticsAct {
  return async (action, body) => {
    try {
      switch (action) {
        case 'kill-host': {
          const slot = parseHostSlot(body?.slot)
          return slot.ok ? killHostResult(slot.slot, killHost(slot.slot)) : slot
        }
        case 'stop-host':
          void supervisor.stopHost()
          return { ok: true, action, detail: 'host stopping; it stays down until start-host' }
        case 'start-host':
          return {
            ok: true,
            action,
            detail: supervisor.startHost() ? 'host starting' : 'host already running',
          }
        case 'burst': {
          const count = parseBurstCount(body?.count)
          if (!count.ok) return { ...count, code: 'BAD_REQUEST' }
          const r = burstSagas(coordinator, count.count)
          return {
            ok: true,
            action,
            detail: `started ${r.count} saga(s), ids ${r.firstSagaId}–${r.lastSagaId}`,
          }
        }
        default:
          return { ok: false, error: `unknown action ${JSON.stringify(action)}` }
      }
    } catch (err) {
      return { ok: false, error: `${action} failed: ${err instanceof Error ? err.message : String(err)}` }
    }
  }
}

function killHostResult(slot: number, outcome: KillHostOutcome): ActionResult {
  switch (outcome) {
    case 'killed':
      return {
        ok: true,
        action: 'kill-host',
        detail: `host in slot ${slot} killed (SIGKILL); the supervisor restarts it`,
      }
    case 'no-process':
      return { ok: false, error: 'no host process is running' }
    case 'no-such-host':
      return { ok: false, code: 'NO_SUCH_HOST', error: `no host in slot ${slot}` }
  }
}

/**
 * The `actions` option of a panel front end (`frontEnd` is `startDiagnosticsServer` or
 * `openDiagnosticsWindow`): undefined is none; anything but an array of DIAGNOSTICS_ACTIONS
 * throws a TypeError naming the value.
 */
export function parseAllowedActions(actions: unknown, frontEnd: string): DiagnosticsAction[] {
  if (actions === undefined) return []
  if (!Array.isArray(actions))
    throw new TypeError(`${frontEnd}: actions must be an array of panel actions, got ${describe(actions)}`)
  for (const action of actions as unknown[])
    if (typeof action !== 'string' || !isDiagnosticsAction(action))
      throw new TypeError(
        `${frontEnd}: actions lists ${describe(action)}; expected 'kill-host', 'stop-host', 'start-host' or 'burst'`,
      )
  return DIAGNOSTICS_ACTIONS.filter((a) => (actions as unknown[]).includes(a))
}

/** Why a front end refuses `action`: it names the action and the option that turns it on. */
export function actionNotAllowed(action: DiagnosticsAction, frontEnd: string): string {
  return `${action} is not allowed for this panel: the app turns it on with ${frontEnd}(launcher, { actions: ['${action}'] })`
}

/**
 * A front end's view of a launcher's diagnostics with only `allowed` actions on: its snapshots
 * carry `actions` (what the panel offers; it hides the other buttons), and `act` refuses the
 * others without reaching the launcher. `frontEnd` names the function in the refusal.
 */
export function withAllowedActions(
  source: DiagnosticsSource,
  allowed: readonly DiagnosticsAction[],
  frontEnd: string,
): DiagnosticsSource {
  const actions = [...allowed]
  const withActions = (s: DiagnosticsSnapshot): DiagnosticsSnapshot => ({ ...s, actions })
  return {
    snapshot: () => withActions(source.snapshot()),
    subscribe: (fn) => source.subscribe((s) => fn(withActions(s))),
    act: (action, body) =>
      actions.includes(action)
        ? source.act(action, body)
        : Promise.resolve({ ok: false, error: actionNotAllowed(action, frontEnd) }),
    onDidEnd: (fn) => source.onDidEnd?.(fn) ?? (() => undefined),
  }
}

export interface BurstResult {
  count: number
  firstSagaId: number
  lastSagaId: number
}

/** Starts `count` `spawn_pool_window` sagas (1 … MAX_BURST): the demo panel's Burst. */
export function burstSagas(sagas: Pick<SagaCoordinator, 'startSaga'>, count: number): BurstResult {
  if (!Number.isInteger(count) || count < 1 || count > MAX_BURST)
    throw new RangeError(`burst count must be an integer from 1 to ${MAX_BURST}, got ${count}`)
  const first = sagas.startSaga({ cmd: 'spawn_pool_window' })
  for (let i = 1; i < count; i++) sagas.startSaga({ cmd: 'spawn_pool_window' })
  return { count, firstSagaId: first, lastSagaId: first + count - 1 }
}
