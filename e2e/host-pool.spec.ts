// The headless launcher with a real pool (`--hosts 2`): the panel shows one row per slot, and
// kill-host of slot 1 replaces that slot's host only and counts in that slot's row.
import { expect, test, type Page } from '@playwright/test'
import { startHeadless, type HeadlessLauncher } from '../test/support/headless-launcher'

let launcher: HeadlessLauncher

test.beforeEach(async () => {
  launcher = await startHeadless(['--hosts', '2'])
})

test.afterEach(async () => {
  await launcher.stop()
})

const rowsOf = (page: Page) => page.getByTestId('host-row')

async function pidsOf(page: Page): Promise<string[]> {
  return rowsOf(page).getByTestId('host-row-pid').allTextContents()
}

test('shows two connected host rows with distinct pids, and kill-host of slot 1 replaces only its host', async ({
  page,
}) => {
  await page.goto(launcher.url)
  const rows = rowsOf(page)
  await expect(rows).toHaveCount(2)
  await expect(rows.getByTestId('host-row-state')).toHaveText(['connected', 'connected'])
  await expect(rows.getByTestId('host-row-pid')).toHaveText([/^\d+$/, /^\d+$/])
  const [slot0, slot1] = await pidsOf(page)
  expect(slot0).not.toBe(slot1)
  // The header's host is slot 0's.
  await expect(page.getByTestId('host-pid')).toHaveText(slot0!)

  const answer = await fetch(`${launcher.origin}/api/actions/kill-host`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${launcher.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ slot: 1 }),
  })
  expect(answer.status).toBe(202)

  await expect(rows.getByTestId('host-row-pid').nth(1)).not.toHaveText(slot1!)
  await expect(rows.getByTestId('host-row-pid')).toHaveText([slot0!, /^\d+$/])
  await expect(rows.getByTestId('host-row-state')).toHaveText(['connected', 'connected'])
  const [after0, after1] = await pidsOf(page)
  expect(after0).toBe(slot0)
  expect([slot0, slot1]).not.toContain(after1)
  // Each row counts its own slot's replacements; the top-level count is the pool's.
  const snapshot = (await (
    await fetch(`${launcher.origin}/api/snapshot`, { headers: { Authorization: `Bearer ${launcher.token}` } })
  ).json()) as { restarts: number; hosts: Array<{ slot: number; restarts: number }> }
  expect(snapshot.hosts.map((h) => [h.slot, h.restarts])).toEqual([
    [0, 0],
    [1, 1],
  ])
  expect(snapshot.restarts).toBe(1)
})
