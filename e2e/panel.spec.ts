import { expect, test, type Page } from '@playwright/test'
import { startHeadless, type HeadlessLauncher } from '../test/support/headless-launcher'

let launcher: HeadlessLauncher

test.beforeEach(async () => {
  launcher = await startHeadless()
})

test.afterEach(async () => {
  await launcher.stop()
})

const byId = (page: Page, id: string) => page.getByTestId(id)
const number = async (page: Page, id: string) => Number(await byId(page, id).textContent())

test('shows a connected pipe with a 64-frame buffer', async ({ page }) => {
  await page.goto(launcher.url)
  await expect(byId(page, 'pipe-state')).toHaveText('connected')
  await expect(byId(page, 'buffer-capacity')).toHaveText('64')
  await expect(byId(page, 'buffer-depth')).toHaveText('0')
  await expect(byId(page, 'session-id')).toHaveText(/^\d+$/)
  await expect(byId(page, 'host-pid')).toHaveText(/^\d+$/)
  await expect(byId(page, 'expiry-countdown')).toHaveText('')
  await expect(byId(page, 'counter-dropped-overflow')).toHaveText('0')
  expect(launcher.stdout).toHaveLength(1)
  // One slot, so one host row: the host of the header.
  await expect(byId(page, 'host-row')).toHaveCount(1)
  const row = byId(page, 'host-row')
  await expect(row.getByTestId('host-row-pid')).toHaveText((await byId(page, 'host-pid').textContent()) ?? '')
  await expect(row.getByTestId('host-row-state')).toHaveText('connected')
  await expect(row.getByTestId('host-row-inflight')).toHaveText(/^\d+$/)
})

test('shows one host row per slot of the feed, adding and removing rows as the pool changes', async ({
  page,
}) => {
  // The launcher runs one host; the feed's `hosts` is rewritten on its way to the page.
  type Hosts = Array<{ slot: number; pid: number | null; state: string; inFlight: number; restarts: number }>
  let hosts: Hosts = [
    { slot: 0, pid: 4100, state: 'connected', inFlight: 2, restarts: 0 },
    { slot: 1, pid: 4101, state: 'busy', inFlight: 1, restarts: 0 },
    { slot: 2, pid: null, state: 'disconnected', inFlight: 0, restarts: 4 },
  ]
  const auth = { Authorization: `Bearer ${launcher.token}` }
  const realSnapshot = async () =>
    (await (await fetch(`${launcher.origin}/api/snapshot`, { headers: auth })).json()) as Record<
      string,
      unknown
    >
  await page.route('**/api/snapshot', async (route) =>
    route.fulfill({ json: { ...(await realSnapshot()), hosts } }),
  )
  // One snapshot per stream: the panel then reconnects, and picks up the next `hosts`.
  await page.route('**/api/events?**', async (route) =>
    route.fulfill({
      headers: { 'Content-Type': 'text/event-stream' },
      body: `event: snapshot\ndata: ${JSON.stringify({ ...(await realSnapshot()), hosts })}\n\n`,
    }),
  )
  await page.goto(launcher.url)
  const rows = byId(page, 'host-row')
  await expect(rows).toHaveCount(3)
  await expect(rows.getByTestId('host-row-pid')).toHaveText(['4100', '4101', ''])
  await expect(rows.getByTestId('host-row-state')).toHaveText(['connected', 'busy', 'disconnected'])
  await expect(rows.getByTestId('host-row-inflight')).toHaveText(['2', '1', '0'])

  hosts = [
    { slot: 0, pid: 4100, state: 'connected', inFlight: 0, restarts: 0 },
    { slot: 2, pid: 4200, state: 'connected', inFlight: 7, restarts: 5 },
  ]
  await expect(rows).toHaveCount(2)
  await expect(rows.getByTestId('host-row-pid')).toHaveText(['4100', '4200'])
  await expect(rows.getByTestId('host-row-inflight')).toHaveText(['0', '7'])

  hosts = [...hosts, { slot: 1, pid: 4300, state: 'busy', inFlight: 1, restarts: 1 }]
  await expect(rows).toHaveCount(3)
  await expect(rows.getByTestId('host-row-pid')).toHaveText(['4100', '4300', '4200'])
  await expect(rows.getByTestId('host-row-state')).toHaveText(['connected', 'busy', 'connected'])
  // The panel keeps reconnecting; a handler still running when the launcher stops must not fail the test.
  await page.unrouteAll({ behavior: 'ignoreErrors' })
})

test('kill-host with --standby 0: the panel goes disconnected, then connected to a new host and session', async ({
  page,
}) => {
  // Without a spare the gap is visible: the path a launcher takes when no standby is ready.
  await launcher.stop()
  launcher = await startHeadless(['--standby', '0'])
  await page.goto(launcher.url)
  await expect(byId(page, 'pipe-state')).toHaveText('connected')
  const pid = await byId(page, 'host-pid').textContent()
  const session = await number(page, 'session-id')
  const states: string[] = []
  await page.exposeFunction('recordState', (s: string) => states.push(s))
  await page.evaluate(() => {
    const el = document.querySelector('[data-testid="pipe-state"]')!
    new MutationObserver(() =>
      (window as unknown as { recordState(s: string): void }).recordState(el.textContent ?? ''),
    ).observe(el, {
      childList: true,
      characterData: true,
      subtree: true,
    })
  })
  await byId(page, 'btn-kill-host').click()
  await expect(byId(page, 'host-pid')).not.toHaveText(pid ?? '')
  await expect(byId(page, 'pipe-state')).toHaveText('connected')
  await expect(byId(page, 'host-pid')).toHaveText(/^\d+$/)
  expect(await number(page, 'session-id')).toBeGreaterThan(session)
  expect(states).toContain('disconnected')
  await expect(byId(page, 'event-log')).toContainText(/host/i)
})

test('kill-host with a standby ready: promoted at once (the failover counted), and a new standby follows', async ({
  page,
}) => {
  await page.goto(launcher.url)
  await expect(byId(page, 'pipe-state')).toHaveText('connected')
  await expect(byId(page, 'standby-count')).toHaveText('1')
  await expect(byId(page, 'counter-failovers')).toHaveText('0')
  const session = await number(page, 'session-id')
  const snapshot = (await (
    await fetch(`${launcher.origin}/api/snapshot`, { headers: { Authorization: `Bearer ${launcher.token}` } })
  ).json()) as { standbyPids: number[] }
  const standbyPid = String(snapshot.standbyPids[0])
  await byId(page, 'btn-kill-host').click()
  await expect(byId(page, 'host-pid')).toHaveText(standbyPid)
  await expect(byId(page, 'host-row').getByTestId('host-row-pid')).toHaveText(standbyPid)
  await expect(byId(page, 'counter-failovers')).toHaveText('1')
  await expect(byId(page, 'restarts')).toHaveText('1')
  await expect(byId(page, 'pipe-state')).toHaveText('connected')
  expect(await number(page, 'session-id')).toBe(session + 1)
  await expect(byId(page, 'standby-count')).toHaveText('1')
  await expect(byId(page, 'event-log')).toContainText(`standby pid ${standbyPid} promoted to active host`)
})

test('stop-host + burst 100 fills the buffer to 64, overflows with saga_failed, and start-host drains it', async ({
  page,
}) => {
  await page.goto(launcher.url)
  await expect(byId(page, 'pipe-state')).toHaveText('connected')
  await byId(page, 'btn-stop-host').click()
  await expect(byId(page, 'pipe-state')).toHaveText('stopped')
  await expect(byId(page, 'host-pid')).toHaveText('')
  await byId(page, 'burst-count').fill('100')
  await byId(page, 'btn-burst').click()
  await expect(byId(page, 'buffer-depth')).toHaveText('64')
  expect(await number(page, 'counter-dropped-overflow')).toBeGreaterThan(0)
  await expect(byId(page, 'event-log-item').filter({ hasText: 'saga_failed' }).first()).toBeVisible()
  await expect(byId(page, 'event-log')).toContainText('host pipe backpressure overflow')

  const first = await number(page, 'expiry-countdown')
  expect(first).toBeGreaterThan(0)
  expect(first).toBeLessThanOrEqual(30)
  await expect.poll(() => number(page, 'expiry-countdown'), { timeout: 5_000 }).toBeLessThan(first)
  await page.screenshot({ path: test.info().outputPath('panel-mid-incident.png') })

  await byId(page, 'btn-start-host').click()
  await expect(byId(page, 'pipe-state')).toHaveText('connected')
  await expect(byId(page, 'buffer-depth')).toHaveText('0')
  await expect(byId(page, 'expiry-countdown')).toHaveText('')
})

test('the depth chart moves while the buffer fills', async ({ page }) => {
  await page.goto(launcher.url)
  await expect(byId(page, 'pipe-state')).toHaveText('connected')
  const chart = byId(page, 'depth-chart')
  await expect(chart).toBeVisible()
  const before = await chart.screenshot()
  await byId(page, 'btn-stop-host').click()
  await byId(page, 'burst-count').fill('50')
  await byId(page, 'btn-burst').click()
  await expect(byId(page, 'buffer-depth')).toHaveText('50')
  await expect.poll(async () => Buffer.compare(before, await chart.screenshot()) !== 0).toBe(true)
})

test('a wrong token shows the Unauthorized message instead of the panel', async ({ page }) => {
  await page.goto(`${launcher.origin}/?token=wrong-token`)
  await expect(page.getByText("Unauthorized: this link's token is wrong or missing")).toBeVisible()
  await expect(byId(page, 'pipe-state')).toHaveCount(0)
})

test('a missing token shows the Unauthorized message too', async ({ page }) => {
  await page.goto(`${launcher.origin}/`)
  await expect(page.getByText("Unauthorized: this link's token is wrong or missing")).toBeVisible()
})
