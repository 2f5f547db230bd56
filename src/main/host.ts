/**
 * The demo's host process entry (built to out/main/host.js): `runHost` from the public
 * `hostpipe/host` entry with no app commands, so it serves the built-in AgentMux commands (the
 * window pool). Runs under Electron's utilityProcess and under plain Node's child_process.fork.
 *
 * `defineCommands` comes from its own module, not from the `hostpipe` entry: that entry also
 * re-exports the zod schemas, which a host must not load before it has registered.
 */
import { defineCommands } from '../shared/define-commands'
import { runHost } from '../lib/host'

void runHost({ commands: defineCommands({}), handlers: {} })
