import { byteBlocksLength } from '../../shared/byte-value'
import type { HostCommand } from '../../shared/protocol'
import { DisposableStore } from '../base/disposable'
import { Emitter, type Listenable } from '../base/emitter'
import { FifoQueue } from '../base/fifo-queue'
import { IdMap } from '../base/id-map'
import { positiveIntOption } from '../base/integer-option'
import type {
  HostPipe,
  HostPipeError,
  QueuedBytes,
  SagaCommandState,
  SagaFailure,
  SendCommandOptions,
} from '../host-pipe'
import { isAnyConnected, KeyLanes, type Lane } from './key-lanes'

/** App calls one host runs at once (the `concurrency` default); an open stream counts as one. */
export const DEFAULT_CONCURRENCY = 64
/** Bytes of app calls that may wait in the launcher (the `maxQueuedBytes` default): 256 MiB. */
export const DEFAULT_MAX_QUEUED_BYTES = 256 * 1024 * 1024

/** How the coordinator hands a command to the router. */
export interface RouteOptions extends SendCommandOptions {
  /** An app's call: it takes a place under `concurrency` and may wait here for room. */
  readonly isAppCall?: boolean
  /** Its lane: calls with the same key run one at a time, in call order, on one host. */
  readonly key?: string
}

/** What the router uses of one slot's pipe. */
export type SlotPipe = Pick<
  HostPipe,
  | 'postCommand'
  | 'cancelSaga'
  | 'sagaCommandState'
  | 'sendControl'
  | 'onDidFailSaga'
  | 'onDidChange'
  | 'isQueueFull'
  | 'isConnected'
  | 'isBuffering'
  | 'onDidChangeConnected'
>

/** One place in the pool: its pipe, and whether its host's main thread is blocked. */
export interface RouterSlot {
  readonly pipe: SlotPipe
  /** Its host answers but its main thread is blocked: it gets no unkeyed call while another does not. */
  isBusy(): boolean
}

export interface CallRouterOptions {
  /** The pool's slots, slot 0 first; the AgentMux commands all go to slot 0. */
  slots: readonly RouterSlot[]
  /** App calls one host runs at once. Default DEFAULT_CONCURRENCY (64). */
  concurrency?: number
  /** App calls that may wait here for room or for their lane; beyond it `isQueueFull`. Default none. */
  maxQueued?: number
  /**
   * The launcher's `maxQueuedBytes` tally, shared with the slots' pipes (which count their
   * buffers in it): a call that would wait here or in a pipe's buffer, and whose bytes would pass
   * the limit, is refused with QUEUE_FULL. Default: bytes are not counted.
   */
  queuedBytes?: QueuedBytes
}

/** A waiting call's send, refused when its turn came. */
export interface CommandRefusal {
  readonly sagaId: number
  readonly error: unknown
}

/** Ended calls left in the queues before they are compacted (when they outnumber the waiting). */
const COMPACT_AFTER = 1024

/** An app call between its start and its end. */
interface RoutedCall {
  readonly sagaId: number
  readonly cmd: HostCommand
  /** The input written after `cmd`'s own members (HostPipe.postCommand's `fields`). */
  readonly fields: object | undefined
  readonly options: RouteOptions
  readonly lane: Lane<RoutedCall> | undefined
  /** Its slot once handed to that slot's pipe; -1 while it waits here. */
  slot: number
  /** Still waiting in one of the router's queues (false once sent or ended: queues skip it). */
  isWaiting: boolean
  /** `byteBlocksLength` of its command, once measured (only for a call that waits). */
  bytes: number | undefined
  /** It passed `maxQueuedBytes` once (waited here, or went to a pipe): never refused after. */
  isAdmitted: boolean
  /** It waited here: its send's refusal goes to `onDidRefuseCommand`, nobody else holds its promise. */
  wasHeld: boolean
}

/**
 * Decides where and when each app call goes (docs/parallel-work.md): up to `concurrency` at once
 * per host, the rest waiting here in call order; calls with the same key one at a time on the
 * host their key maps to (key-lanes.ts); an unkeyed call to the connected, non-busy host with the fewest calls
 * outstanding. While no host is connected at all, calls go straight to their slot's outage buffer
 * (HostPipe's, drop-oldest), the waiting ones first.
 *
 * It is the saga coordinator's pipe: the coordinator calls `cancelSaga` at every saga's end, and
 * every loss of a frame comes through `onDidFailSaga`, so each frees its call's place here. The
 * AgentMux commands pass straight to slot 0's pipe, which keeps their arrival order.
 */
export class CallRouter {
  private readonly slots: readonly RouterSlot[]
  private readonly concurrency: number
  private readonly maxQueued: number
  private readonly queuedBytes: QueuedBytes | undefined
  private readonly disposables = new DisposableStore()
  private readonly didFailSaga = this.disposables.add(new Emitter<SagaFailure>())
  /** Every frame loss of any slot's pipe, after the router has freed the call's place. */
  readonly onDidFailSaga: Listenable<SagaFailure> = this.didFailSaga.event
  private readonly didRefuseCommand = this.disposables.add(new Emitter<CommandRefusal>())
  /**
   * A call that waited here was refused by its pipe when its turn came (PAYLOAD_TOO_LARGE,
   * QUEUE_FULL for bytes…): what a direct send's promise would have rejected with.
   */
  readonly onDidRefuseCommand: Listenable<CommandRefusal> = this.didRefuseCommand.event
  private readonly calls = new IdMap<RoutedCall>()
  private readonly lanes: KeyLanes<RoutedCall>
  /** App calls handed to each slot and not ended. */
  private readonly outstanding: number[]
  /** Unkeyed calls waiting for room on any host. */
  private readonly waiting = new FifoQueue<RoutedCall>()
  /** Keyed calls whose lane is theirs, waiting for room on their lane's host. */
  private readonly waitingFor: FifoQueue<RoutedCall>[]
  private waitingCount = 0
  /** Calls that ended while waiting, still in a queue (skipped when reached; compacted when many). */
  private endedInQueues = 0
  private isPumping = false
  private isDisposed = false
  /** The options of a measured call's send, reused (a pipe reads them only while posting). */
  private readonly measuredOptions: SendCommandOptions = { retry: false, blockBytes: -1 }

  /** Throws a TypeError for an option that is not a positive integer, or no slot. */
  constructor(opts: CallRouterOptions) {
    if (opts.slots.length === 0) throw new TypeError('CallRouter needs at least one slot')
    this.slots = opts.slots
    this.concurrency = positiveIntOption('concurrency', opts.concurrency, DEFAULT_CONCURRENCY)
    this.maxQueued =
      opts.maxQueued === undefined ? Infinity : positiveIntOption('maxQueued', opts.maxQueued, 0)
    this.queuedBytes = opts.queuedBytes
    this.lanes = new KeyLanes(opts.slots)
    this.outstanding = opts.slots.map(() => 0)
    this.waitingFor = opts.slots.map(() => new FifoQueue<RoutedCall>())
    for (const slot of opts.slots) {
      this.disposables.add(
        slot.pipe.onDidFailSaga((failure) => {
          this.release(failure.sagaId)
          this.didFailSaga.fire(failure)
        }),
      )
      // An outage begins: the waiting calls go to the outage buffers first, in order. A host is
      // back: calls waiting for room may go to it.
      this.disposables.add(slot.pipe.onDidChangeConnected(() => this.pump()))
    }
  }

  /** App calls waiting here (for room or for their lane), not handed to any host. */
  get queued(): number {
    return this.waitingCount
  }

  /** The slot an app call was handed to; undefined while it waits here, or for another saga. */
  slotOf(sagaId: number): number | undefined {
    const slot = this.calls.get(sagaId)?.slot
    return slot === undefined || slot < 0 ? undefined : slot
  }

  /** App calls handed to `slot`'s host (or its outage buffer) and not ended. */
  outstandingOn(slot: number): number {
    return this.outstanding[slot] ?? 0
  }

  /** `maxQueued` app calls wait here, or slot 0's pipe is full: the coordinator starts none. */
  get isQueueFull(): boolean {
    return this.waitingCount >= this.maxQueued || this.slots[0]!.pipe.isQueueFull
  }

  /**
   * Sends the command now, or keeps it until its lane and a host have room; no promise is made.
   * Returns the refusal, nothing kept or sent: its pipe's (SERIALIZE, PAYLOAD_TOO_LARGE), or
   * QUEUE_FULL when the call would wait (here, or in its pipe's buffer) and its bytes would pass
   * `maxQueuedBytes`. A later refusal comes through `onDidFailSaga` (the pipe's) or, for a call
   * that waited here, `onDidRefuseCommand`.
   */
  postCommand(cmd: HostCommand, o?: RouteOptions, fields?: object): HostPipeError | undefined {
    const sagaId = (cmd as { saga_id?: number }).saga_id
    if (o?.isAppCall !== true || sagaId === undefined) return this.slots[0]!.pipe.postCommand(cmd, o, fields)
    const lane = o.key === undefined ? undefined : this.lanes.laneOf(o.key)
    const call: RoutedCall = {
      sagaId,
      cmd,
      fields,
      options: o,
      lane,
      slot: -1,
      isWaiting: false,
      bytes: o.blockBytes,
      isAdmitted: false,
      wasHeld: false,
    }
    this.calls.set(sagaId, call)
    if (lane) {
      if (lane.running) return this.hold(lane.waiting, call)
      lane.running = call
      return this.placeOnLane(lane, call)
    }
    if (this.hasWaiting(this.waiting) && !this.isOutage()) return this.hold(this.waiting, call)
    const slot = this.pickSlot()
    return slot < 0 ? this.hold(this.waiting, call) : this.dispatch(call, slot)
  }

  /**
   * The saga ended (the coordinator calls this at every end) or is being removed: its place is
   * freed, its lane moves on, and the frames its pipe still holds are removed (how many).
   */
  cancelSaga(sagaId: number): number {
    const call = this.calls.get(sagaId)
    if (!call) return this.slots[0]!.pipe.cancelSaga(sagaId)
    const slot = call.slot
    const removed = call.isWaiting ? 1 : this.slots[slot]!.pipe.cancelSaga(sagaId)
    this.release(sagaId)
    return removed
  }

  /** `buffered` while it waits here (it can still be removed, never sent); else its pipe's answer. */
  sagaCommandState(sagaId: number): SagaCommandState | undefined {
    const call = this.calls.get(sagaId)
    if (!call) return this.slots[0]!.pipe.sagaCommandState(sagaId)
    return call.isWaiting ? 'buffered' : this.slots[call.slot]!.pipe.sagaCommandState(sagaId)
  }

  /** A control frame goes to the host of the saga it names (slot 0 for the others). */
  sendControl(cmd: Parameters<SlotPipe['sendControl']>[0]): ReturnType<SlotPipe['sendControl']> {
    const call = 'saga_id' in cmd ? this.calls.get(cmd.saga_id) : undefined
    return this.slots[call && call.slot >= 0 ? call.slot : 0]!.pipe.sendControl(cmd)
  }

  /** Every slot pipe's changes (the saga coordinator's check of sagas left to a host). */
  readonly onDidChange: Listenable<unknown> = (listener) => {
    const store = new DisposableStore()
    for (const slot of this.slots) store.add(slot.pipe.onDidChange(listener))
    return store
  }

  /** A slot's host is no longer busy (or a new one may take calls): waiting calls may go now. */
  noteSlotChange(): void {
    this.pump()
  }

  /** Sends nothing more; what still waits here stays `buffered` for its saga's end. */
  dispose(): void {
    this.isDisposed = true
    this.disposables.dispose()
  }

  /** Keeps the call waiting; a refusal by its pipe once it is sent comes through `onDidRefuseCommand`. */
  private hold(queue: FifoQueue<RoutedCall>, call: RoutedCall): HostPipeError | undefined {
    const refusal = this.admit(call)
    if (refusal) return refusal
    call.isWaiting = true
    call.wasHeld = true
    this.waitingCount++
    this.queuedBytes?.add(call.bytes ?? 0)
    queue.push(call)
    return undefined
  }

  /**
   * A new call about to wait (here or in a pipe's buffer) is measured once and admitted under
   * `maxQueuedBytes`; undefined when admitted, else the QUEUE_FULL refusal, the call forgotten.
   */
  private admit(call: RoutedCall): HostPipeError | undefined {
    const tally = this.queuedBytes
    if (call.isAdmitted || !tally) return undefined
    const refusal = tally.admit(call.cmd.cmd, (call.bytes ??= byteBlocksLength(call.fields ?? call.cmd)))
    if (!refusal) {
      call.isAdmitted = true
      return undefined
    }
    this.release(call.sagaId)
    return refusal
  }

  /** The lane's turn has come for `call`: to its host, or waiting there for room. */
  private placeOnLane(lane: Lane<RoutedCall>, call: RoutedCall): HostPipeError | undefined {
    this.lanes.follow(lane)
    if (this.outstanding[lane.slot]! < this.concurrency || this.isOutage())
      return this.dispatch(call, lane.slot)
    return this.hold(this.waitingFor[lane.slot]!, call)
  }

  private dispatch(call: RoutedCall, slot: number): HostPipeError | undefined {
    const refusal = this.send(call, slot)
    if (!refusal || !call.wasHeld) return refusal
    // A call that waited: its coordinator was told it was kept. Told on a microtask, as a refusal
    // at the start is, never inside the release of another call.
    const sagaId = call.sagaId
    queueMicrotask(() => this.didRefuseCommand.fire({ sagaId, error: refusal }))
    return undefined
  }

  private send(call: RoutedCall, slot: number): HostPipeError | undefined {
    const pipe = this.slots[slot]!.pipe
    if (!call.isAdmitted && this.queuedBytes && pipe.isBuffering) {
      const refusal = this.admit(call)
      if (refusal) return refusal
    }
    call.isAdmitted = true
    call.slot = slot
    this.outstanding[slot]!++
    if (call.bytes === undefined) return pipe.postCommand(call.cmd, call.options, call.fields)
    // A measured call is not walked again by its pipe, which reads its options only during the call.
    const options = this.measuredOptions
    options.retry = call.options.retry
    options.blockBytes = call.bytes
    return pipe.postCommand(call.cmd, options, call.fields)
  }

  /** A call ended: its place, its lane and the queue it waited in move on. */
  private release(sagaId: number): void {
    const call = this.calls.get(sagaId)
    if (!call) return
    this.calls.delete(sagaId)
    if (call.isWaiting) {
      call.isWaiting = false
      this.waitingCount--
      this.queuedBytes?.remove(call.bytes ?? 0)
      // Calls that time out while every host is saturated would otherwise pile up in the queues.
      if (++this.endedInQueues > COMPACT_AFTER && this.endedInQueues > this.waitingCount) this.compact()
    } else if (call.slot >= 0) {
      this.outstanding[call.slot]!--
    }
    const lane = call.lane
    if (lane && lane.running === call) {
      const next = this.takeWaiting(lane.waiting)
      this.lanes.handOver(lane, next)
      if (next) this.placeOnLane(lane, next)
    }
    this.pump()
  }

  /** Hands waiting calls to every slot with room: each slot's lane calls first, then the rest in order. */
  private pump(): void {
    if (this.isPumping || this.waitingCount === 0 || this.isDisposed) return
    this.isPumping = true
    try {
      const outage = this.isOutage()
      for (let slot = 0; slot < this.slots.length; slot++) {
        const queue = this.waitingFor[slot]!
        if (!outage && !this.slots[slot]!.pipe.isConnected) {
          // Its host is lost: these lanes move to a connected host and their calls follow, rather
          // than wait in a buffer that may never drain while another host could run them.
          for (let call = this.takeWaiting(queue); call; call = this.takeWaiting(queue))
            this.placeOnLane(call.lane!, call)
          continue
        }
        while (queue.length > 0 && (outage || this.outstanding[slot]! < this.concurrency)) {
          const call = this.takeWaiting(queue)
          if (call) this.dispatch(call, slot)
        }
      }
      while (this.waiting.length > 0) {
        const slot = outage ? this.leastOutstanding() : this.pickSlot()
        if (slot < 0) break
        const call = this.takeWaiting(this.waiting)
        if (call) this.dispatch(call, slot)
      }
    } finally {
      this.isPumping = false
    }
  }

  /**
   * Whether a call still waits in `queue`. Ended calls ahead of the first live one are dropped: a
   * queue holding only ended calls must not make a new call wait behind them (nothing would pump it).
   */
  private hasWaiting(queue: FifoQueue<RoutedCall>): boolean {
    while (queue.length > 0 && !queue.first!.isWaiting) queue.shift()
    return queue.length > 0
  }

  /** Drops ended calls from every queue, keeping the order of the others. */
  private compact(): void {
    const ended = (c: RoutedCall): boolean => !c.isWaiting
    this.waiting.removeWhere(ended)
    for (const queue of this.waitingFor) queue.removeWhere(ended)
    this.lanes.removeWaitingWhere(ended)
    this.endedInQueues = 0
  }

  /** The oldest call still waiting in `queue` (ended ones are skipped), no longer waiting. */
  private takeWaiting(queue: FifoQueue<RoutedCall>): RoutedCall | undefined {
    for (let call = queue.shift(); call; call = queue.shift()) {
      if (!call.isWaiting) continue
      call.isWaiting = false
      this.waitingCount--
      this.queuedBytes?.remove(call.bytes ?? 0)
      return call
    }
    return undefined
  }

  /**
   * The slot for an unkeyed call: connected, with room, not busy, fewest outstanding; a busy one
   * only if every one with room is. -1 when none has room. In an outage: the least loaded slot.
   */
  private pickSlot(): number {
    if (this.isOutage()) return this.leastOutstanding()
    let best = -1
    let bestBusy = true
    for (let slot = 0; slot < this.slots.length; slot++) {
      const s = this.slots[slot]!
      const n = this.outstanding[slot]!
      if (!s.pipe.isConnected || n >= this.concurrency) continue
      const busy = s.isBusy()
      if (best < 0 || (bestBusy && !busy) || (busy === bestBusy && n < this.outstanding[best]!)) {
        best = slot
        bestBusy = busy
      }
    }
    return best
  }

  private leastOutstanding(): number {
    let best = 0
    for (let slot = 1; slot < this.slots.length; slot++)
      if (this.outstanding[slot]! < this.outstanding[best]!) best = slot
    return best
  }

  private isOutage(): boolean {
    return !isAnyConnected(this.slots)
  }
}
