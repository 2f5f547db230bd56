import { encodeControlFrame, type ControlCommand } from '../../shared/protocol'
import { HostPipeError } from './host-pipe-error'
import type { OutboundEvent } from './outbound-frame'

/**
 * A control frame (docs/protocol.md#control-frames: `probe_ui_thread`, `cancel_saga`) ready for a writer's queue,
 * or a SERIALIZE HostPipeError naming the command (never throws). It is the command envelope
 * without `seq`, queued as a raw line, as an event is: the write loop treats both alike, so it is
 * never buffered, never in flight and not counted as a command.
 */
export function createOutboundControl(cmd: ControlCommand): OutboundEvent | HostPipeError {
  try {
    return { type: 'event', line: encodeControlFrame(cmd), waiter: undefined }
  } catch (err) {
    return new HostPipeError('SERIALIZE', `${cmd.cmd} failed to serialise: ${String(err)}`, { cause: err })
  }
}
