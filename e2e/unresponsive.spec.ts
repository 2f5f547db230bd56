import { expect, test, type Page } from '@playwright/test'
import { startHeadless, type HeadlessLauncher } from '../test/support/headless-launcher'

let launcher: HeadlessLauncher

test.afterEach(async () => {
  await launcher.stop()
})

const byId = (page: Page, id: string) => page.getByTestId(id)

test('a frozen host: the badge reads unresponsive, then connected to a new host; late reports stay 0', async ({
  page,
}) => {
  // No standby: with one, the replacement is promoted at once and the badge has no time to show.
  launcher = await startHeadless(['--unresponsive-ms', '800', '--standby', '0'])
  await page.goto(launcher.url)
  await expect(byId(page, 'pipe-state')).toHaveText('connected')
  await expect(byId(page, 'counter-late-reports')).toHaveText('0')
  // The unresponsive window lasts only until the replacement registers: record every state shown.
  await page.evaluate(() => {
    const badge = document.querySelector('[data-testid="pipe-state"]')!
    const seen: string[] = []
    ;(window as unknown as { seenStates: string[] }).seenStates = seen
    new MutationObserver(() => seen.push(badge.textContent ?? '')).observe(badge, {
      childList: true,
      characterData: true,
      subtree: true,
    })
  })
  const frozenPid = Number(await byId(page, 'host-pid').textContent())
  process.kill(frozenPid, 'SIGSTOP')
  try {
    await byId(page, 'burst-count').fill('20')
    await byId(page, 'btn-burst').click()
    await expect(byId(page, 'host-pid')).not.toHaveText(String(frozenPid), { timeout: 10_000 })
    await expect(byId(page, 'pipe-state')).toHaveText('connected')
  } finally {
    try {
      process.kill(frozenPid, 'SIGCONT')
    } catch {
      // Already gone: the launcher killed it.
    }
  }
  const seen = await page.evaluate(() => (window as unknown as { seenStates: string[] }).seenStates)
  expect(seen).toContain('unresponsive')
  await expect(byId(page, 'sagas-in-flight')).toHaveText('0')
  await expect(byId(page, 'counter-late-reports')).toHaveText('0')
  await expect(byId(page, 'counter-late-reports')).toHaveAttribute('data-zero', 'true')
  await expect(byId(page, 'event-log')).toContainText(
    `host pid ${frozenPid} unresponsive for 800 ms; killing it`,
  )
})
