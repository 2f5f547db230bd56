/**
 * The demo's host process entry (built to out/main/host.js): `runHost` from the public
 * `hostpipe/host` entry with no app commands, so it serves the built-in AgentMux commands (the
 * window pool). Runs under Electron's utilityProcess and under plain Node's child_process.fork.
 */
import { defineCommands } from '../lib/index'
import { runHost } from '../lib/host'

void runHost({ commands: defineCommands({}), handlers: {} })
