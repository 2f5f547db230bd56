/**
 * The call scenario's host entry (bench entry, bundled to out/bench/call-host.mjs): an app's host
 * file as docs/embedding.md shows it, `runHost` serving `add` from the shared definitions.
 */
import { runHost } from '../src/lib/host'
import { add, spin } from './call-api'
import { CALL_COMMANDS } from './call-commands'

void runHost({ commands: CALL_COMMANDS, handlers: { add, spin } })
