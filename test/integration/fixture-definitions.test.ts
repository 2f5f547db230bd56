// The fixture hosts define their commands in `.mjs` files on the built package (dist/), and the
// tests' launchers define the same commands from the source (test/support/*.ts): Node runs the
// hosts as plain JS, and the typecheck must not need a build. Each pair must agree, field by
// field, so a change to one side that the other misses fails here rather than as a confusing
// call failure in some other test.
import { existsSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { CommandDefinitions, EventDefinitions } from '../../src/lib/index'
import { embedCommands } from '../support/embed-commands'
import { fixturePath } from '../support/launcher-fixture'
import { poolCommands } from '../support/pool-commands'
import { streamCommands, streamEvents } from '../support/stream-definitions'

const isBuilt = existsSync(new URL('../../dist/index.js', import.meta.url))

/** A schema as JSON Schema (`z.instanceof` shows as `{}`), or undefined for none. */
function shape(schema: z.ZodType | undefined): unknown {
  return schema && z.toJSONSchema(schema, { unrepresentable: 'any' })
}

/** Everything of each command that the wire and the router see. */
function describeCommands(commands: CommandDefinitions): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(commands).map(([name, d]) => [
      name,
      {
        input: shape(d.input),
        output: shape(d.output),
        progress: shape(d.progress),
        stream: shape(d.stream),
        retry: d.retry ?? false,
        hasKey: d.key !== undefined,
      },
    ]),
  )
}

function describeEvents(events: EventDefinitions): Record<string, unknown> {
  return Object.fromEntries(Object.entries(events).map(([name, schema]) => [name, shape(schema)]))
}

/** The exports of a fixture's `.mjs` definitions file. */
async function hostSide(relative: string): Promise<Record<string, unknown>> {
  return (await import(pathToFileURL(fixturePath(relative)).href)) as Record<string, unknown>
}

describe.skipIf(!isBuilt)('the fixture hosts and the tests define the same commands', () => {
  it('embed: test/fixtures/embed/commands.mjs and test/support/embed-commands.ts agree', async () => {
    const host = await hostSide('embed/commands.mjs')
    expect(describeCommands(host.commands as CommandDefinitions)).toEqual(describeCommands(embedCommands))
  })

  it('pool: test/fixtures/pool/commands.mjs and test/support/pool-commands.ts agree', async () => {
    const host = await hostSide('pool/commands.mjs')
    expect(describeCommands(host.commands as CommandDefinitions)).toEqual(describeCommands(poolCommands))
  })

  it('streams: the definitions agree, but for the launcher stricter on `badChunk` chunks on purpose', async () => {
    const host = await hostSide('streams/definitions.mjs')
    const hostCommands = describeCommands(host.commands as CommandDefinitions)
    const testCommands = describeCommands(streamCommands)
    expect(hostCommands.badChunk).not.toEqual(testCommands.badChunk)
    delete hostCommands.badChunk
    delete testCommands.badChunk
    expect(hostCommands).toEqual(testCommands)
    expect(describeEvents(host.events as EventDefinitions)).toEqual(describeEvents(streamEvents))
  })
})
