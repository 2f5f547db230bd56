import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { expect, test, type Locator, type Page } from '@playwright/test'
import { startHeadless, type HeadlessLauncher } from '../test/support/headless-launcher'

const byId = (page: Page, id: string) => page.getByTestId(id)
const commandRow = (page: Page, name: string): Locator =>
  byId(page, 'command-row').filter({
    has: page.getByTestId('command-row-name').getByText(name, { exact: true }),
  })

async function burst(page: Page, count: number): Promise<void> {
  await byId(page, 'burst-count').fill(String(count))
  await byId(page, 'btn-burst').click()
  await expect(byId(page, 'action-status')).toHaveAttribute('data-ok', 'true')
}

test.describe('the demo app’s panel', () => {
  let launcher: HeadlessLauncher
  test.beforeEach(async () => {
    launcher = await startHeadless()
  })
  test.afterEach(async () => {
    await launcher.stop()
  })

  test('shows one row per command with its calls, failures and latency, and names a failed call in the log', async ({
    page,
  }) => {
    await page.goto(launcher.url)
    await expect(byId(page, 'pipe-state')).toHaveText('connected')
    // The demo allows every action, burst included (its host serves the AgentMux commands).
    for (const id of ['btn-kill-host', 'btn-stop-host', 'btn-start-host', 'btn-burst'])
      await expect(byId(page, id)).toBeVisible()
    await expect(byId(page, 'actions-off')).toBeHidden()

    await burst(page, 20)
    const row = commandRow(page, 'spawn_pool_window')
    await expect(byId(page, 'command-row')).toHaveCount(1)
    await expect(row.getByTestId('command-row-calls')).toHaveText('20')
    await expect(row.getByTestId('command-row-running')).toHaveText('0')
    await expect(row.getByTestId('command-row-failed')).toHaveText('0')
    await expect(row.getByTestId('command-row-p99')).toHaveText(/^\d+$/)
    await expect(row.getByTestId('command-row-p50')).toHaveText(/^\d+$/)

    // Held down, the 64-frame buffer takes 64 of 100 and the oldest 36 fail (overflow).
    await byId(page, 'btn-stop-host').click()
    await expect(byId(page, 'pipe-state')).toHaveText('stopped')
    await burst(page, 100)
    await expect(row.getByTestId('command-row-calls')).toHaveText('120')
    await expect(row.getByTestId('command-row-failed')).toHaveText('36')
    await expect(row.getByTestId('command-row-running')).toHaveText('64')
    await expect(byId(page, 'event-log')).toContainText('36 sagas (spawn_pool_window) failed')
  })

  test('says the launcher is gone once it exits, instead of showing the last state as connected', async ({
    page,
  }) => {
    await page.goto(launcher.url)
    await expect(byId(page, 'pipe-state')).toHaveText('connected')
    await expect(byId(page, 'launcher-gone')).toBeHidden()
    await launcher.stop()
    await expect(byId(page, 'launcher-gone')).toBeVisible()
    await expect(byId(page, 'launcher-gone')).toContainText('Launcher gone')
    await expect(byId(page, 'pipe-state')).toHaveText('stopped')
    await expect(byId(page, 'link-status')).toHaveText('launcher gone')
  })
})

/** The embedding fixture: an app's own commands and a panel without options. */
async function startEmbedded(): Promise<{ url: string; origin: string; token: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['e2e/fixtures/embedded-panel.mjs'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const stderr: string[] = []
  child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.push(d))
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no Diagnostics line; stderr:\n${stderr.join('')}`)),
      20_000,
    )
    child.once('exit', (code) => reject(new Error(`exited with ${code}; stderr:\n${stderr.join('')}`)))
    createInterface({ input: child.stdout! }).on('line', (l) => {
      if (!l.startsWith('Diagnostics: ')) return
      clearTimeout(timer)
      resolve(l.slice('Diagnostics: '.length))
    })
  })
  const url = new URL(line)
  return { url: line, origin: url.origin, token: url.searchParams.get('token')!, child }
}

test.describe('a panel embedded in an app', () => {
  let app: Awaited<ReturnType<typeof startEmbedded>>
  test.beforeEach(async () => {
    app = await startEmbedded()
  })
  test.afterEach(() => {
    app.child.kill('SIGKILL')
  })

  test('shows the app’s own commands, no actions, and says when the launcher has stopped', async ({
    page,
  }) => {
    await page.goto(app.url)
    await expect(byId(page, 'pipe-state')).toHaveText('connected')
    const add = commandRow(page, 'add')
    const fail = commandRow(page, 'fail')
    await expect(byId(page, 'command-row')).toHaveCount(2)
    await expect(add.getByTestId('command-row-calls')).toHaveText('5')
    await expect(add.getByTestId('command-row-failed')).toHaveText('0')
    await expect(add.getByTestId('command-row-p99')).toHaveText(/^\d+$/)
    await expect(fail.getByTestId('command-row-calls')).toHaveText('1')
    await expect(fail.getByTestId('command-row-failed')).toHaveText('1')
    await expect(byId(page, 'event-log')).toContainText(/saga \d+ \(fail\) failed/)
    await expect(byId(page, 'event-log')).toContainText('boom')

    // No actions unless the app lists them: no buttons, and the API refuses with 403.
    for (const id of ['btn-kill-host', 'btn-stop-host', 'btn-start-host', 'btn-burst'])
      await expect(byId(page, id)).toBeHidden()
    await expect(byId(page, 'actions-off')).toBeVisible()
    const refused = await fetch(`${app.origin}/api/actions/kill-host`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${app.token}` },
    })
    expect(refused.status).toBe(403)
    expect(((await refused.json()) as { error: string }).error).toContain('actions')

    // The app stops its launcher and leaves the server up: the API answers 503, the panel says so.
    app.child.kill('SIGUSR2')
    await expect(byId(page, 'launcher-gone')).toBeVisible()
    await expect(byId(page, 'pipe-state')).toHaveText('stopped')
  })
})
