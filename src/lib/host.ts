/**
 * `hostpipe/host`: what a host process's entry file calls (docs/embedding.md).
 *
 * @module hostpipe/host
 */
export { runHost, type RunHostOptions, type RunningHost } from '../main/host/run-host'
export type {
  CommandContext,
  CommandHandlerOf,
  CommandHandlersOf,
  NoEvents,
  ProgressInputOf,
} from '../main/host/defined-command-dispatcher'
