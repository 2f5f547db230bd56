import { expect, test, type Page } from '@playwright/test'
import { startHeadless, type HeadlessLauncher } from '../test/support/headless-launcher'

// Browsers open at most 6 HTTP/1.1 connections per origin. With one event stream per tab, the 7th
// tab of the panel never loaded and a kill-host click waited for a tab to close. The tabs of one
// token now share one stream (src/renderer/shared-event-source.ts).

const TABS = 10
/** An action click must be answered within this (the panel itself gives up after 3 s). */
const PROMPT_MS = 2000

let launcher: HeadlessLauncher

test.beforeEach(async () => {
  launcher = await startHeadless()
})

test.afterEach(async () => {
  await launcher.stop()
})

const byId = (page: Page, id: string) => page.getByTestId(id)
const number = async (page: Page, id: string) => Number(await byId(page, id).textContent())

async function burst(page: Page, count: number): Promise<void> {
  await byId(page, 'burst-count').fill(String(count))
  await byId(page, 'btn-burst').click()
  await expect(byId(page, 'action-status')).toHaveAttribute('data-ok', 'true', { timeout: PROMPT_MS })
}

/** Every page shows at least `sent` commands sent: its data is live, not a first snapshot. */
async function expectAllLive(pages: Page[], sent: number): Promise<void> {
  for (const [i, page] of pages.entries())
    await expect
      .poll(() => number(page, 'counter-sent'), { message: `tab ${i + 1} counter-sent`, timeout: 10_000 })
      .toBeGreaterThanOrEqual(sent)
}

test(`${TABS} tabs of one browser all stay live, an action from the last is answered at once, a wrong token shows Unauthorized`, async ({
  context,
}) => {
  test.setTimeout(120_000)
  const pages: Page[] = []
  for (let i = 0; i < TABS; i++) {
    const page = await context.newPage()
    await page.goto(launcher.url)
    await expect(byId(page, 'pipe-state'), `tab ${i + 1}`).toHaveText('connected')
    pages.push(page)
  }

  // A burst started in the first tab shows in every tab's counters.
  const sent = await number(pages[0]!, 'counter-sent')
  await burst(pages[0]!, 5)
  await expectAllLive(pages, sent + 5)

  // kill-host from the 10th tab is answered promptly, and every tab sees the new host.
  const last = pages[TABS - 1]!
  const pid = (await byId(last, 'host-pid').textContent()) ?? ''
  const clickedAt = Date.now()
  await byId(last, 'btn-kill-host').click()
  await expect(byId(last, 'action-status')).toHaveAttribute('data-ok', 'true', { timeout: PROMPT_MS })
  const answeredMs = Date.now() - clickedAt
  test
    .info()
    .annotations.push({ type: 'kill-host from tab 10 answered (ms)', description: String(answeredMs) })
  expect(answeredMs).toBeLessThan(PROMPT_MS)
  for (const page of pages) {
    await expect(byId(page, 'host-pid')).not.toHaveText(pid)
    await expect(byId(page, 'pipe-state')).toHaveText('connected')
  }

  // A tab with a wrong token is refused on its own request while the others hold the stream.
  const wrong = await context.newPage()
  await wrong.goto(`${launcher.origin}/?token=wrong-token`)
  await expect(wrong.getByText("Unauthorized: this link's token is wrong or missing")).toBeVisible()
  await expect(byId(wrong, 'pipe-state')).toHaveCount(0)

  // Closing tabs (whichever holds the stream among them) hands the stream over: the rest stay live.
  for (const page of pages.splice(0, 3)) await page.close()
  const sentNow = await number(pages[0]!, 'counter-sent')
  await burst(pages[pages.length - 1]!, 5)
  await expectAllLive(pages, sentNow + 5)
  await expect(byId(wrong, 'pipe-state')).toHaveCount(0)
})

test('an action that cannot be answered within 3 s fails visibly in the event log and never runs late', async ({
  page,
}) => {
  await page.goto(launcher.url)
  await expect(byId(page, 'pipe-state')).toHaveText('connected')
  const pid = (await byId(page, 'host-pid').textContent()) ?? ''
  // Hold the request back as a starved connection pool would, then let it go late.
  let releasedLate = false
  await page.route('**/api/actions/kill-host', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 4000))
    releasedLate = true
    await route.continue().catch(() => undefined)
  })
  await byId(page, 'btn-kill-host').click()
  await expect(byId(page, 'action-status')).toHaveAttribute('data-ok', 'false', { timeout: 5000 })
  await expect(byId(page, 'action-status')).toContainText('no answer within 3000 ms')
  await expect(byId(page, 'event-log')).toContainText('Kill host failed: no answer within 3000 ms')
  await expect.poll(() => releasedLate, { timeout: 10_000 }).toBe(true)
  // Whatever reached the launcher after the deadline was refused: the same host still serves.
  await page.waitForTimeout(500)
  await expect(byId(page, 'host-pid')).toHaveText(pid)
  await expect(byId(page, 'pipe-state')).toHaveText('connected')
})
