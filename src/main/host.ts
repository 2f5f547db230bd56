/**
 * The demo's host process entry (built to out/main/host.js): `runHost` from the public
 * `hostpipe/host` entry serving the AgentMux commands over a window pool, as an app serves its
 * own. Runs under Electron's utilityProcess and under plain Node's child_process.spawn.
 *
 * `agentMuxCommands` builds no zod schema until one is read, and a host never reads them, so this
 * host registers before zod loads.
 */
import { agentMuxCommands } from '../shared/agentmux-commands'
import { runHost } from '../lib/host'
import { WindowPool, windowPoolHandlers } from './demo-host/window-pool'

void runHost({ commands: agentMuxCommands, handlers: windowPoolHandlers(new WindowPool()) })
