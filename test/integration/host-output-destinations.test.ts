// Where a host's stdout and stderr go when the app gives no `log`
// (test/fixtures/lifecycle/host-output.mjs, whose host prints a line to each at start).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { runProgram } from '../support/embedding-program'

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../../dist/node.js', import.meta.url))))
    throw new Error('dist/node.js is missing: build the library first with `npm run build:lib`')
})

const HELLO_OUT = 'chatty host says hello on stdout'
const HELLO_ERR = 'chatty host says hello on stderr'

async function run(mode: string) {
  const result = await runProgram('lifecycle/host-output.mjs', [mode])
  expect(result.code, result.stderr).toBe(0)
  return { ...result, hostPid: result.facts[0]!.hostPid as number }
}

describe('host output', () => {
  it('goes to stderr by default, each line prefixed with the host pid, with nothing on stdout', async () => {
    const { stdout, stderr, hostPid } = await run('default')
    expect(stderr).toContain(`hostpipe: [host ${hostPid}] ${HELLO_OUT}\n`)
    expect(stderr).toContain(`hostpipe: [host ${hostPid}] ${HELLO_ERR}\n`)
    // hostpipe's routine lines stay out of an app's stderr by default.
    expect(stderr).not.toMatch(/registered as client|exited \(/)
    expect(stdout).toBe(`${JSON.stringify({ hostPid })}\n`)
  })

  it("goes to the app's own stdout and stderr with hostOutput 'inherit'", async () => {
    const { stdout, stderr } = await run('inherit')
    expect(stdout).toContain(`${HELLO_OUT}\n`)
    expect(stderr).toContain(`${HELLO_ERR}\n`)
  })

  it("goes nowhere with hostOutput 'ignore'", async () => {
    const { stdout, stderr } = await run('ignore')
    expect(stdout).not.toContain(HELLO_OUT)
    expect(stderr).not.toContain(HELLO_ERR)
  })
})
