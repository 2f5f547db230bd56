import { fstatSync, writeSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/main/host-pipe'
import { openOutputFifos, prepareFifoPairs } from '../../src/main/ipc/output-fifos'
import { waitFor } from '../support/ipc-wait'

describe.skipIf(process.platform === 'win32')('output FIFOs', () => {
  it('delivers what is written to each child end, then its end once every writer has closed', async () => {
    const fifos = openOutputFifos(2, silentLogger)!
    expect(fifos.channels).toHaveLength(2)
    const got = ['', '']
    const ended = [false, false]
    fifos.channels.forEach((channel, i) =>
      channel.read(
        (bytes) => (got[i] += new TextDecoder().decode(bytes)),
        () => (ended[i] = true),
      ),
    )
    writeSync(fifos.channels[0]!.childFd, 'out\n')
    writeSync(fifos.channels[1]!.childFd, 'err\n')
    await waitFor(() => got[0] === 'out\n' && got[1] === 'err\n', 'both writes')
    expect(ended).toEqual([false, false])
    fifos.closeChildEnds()
    fifos.closeChildEnds()
    await waitFor(() => ended[0]! && ended[1]!, 'both ends')
  })

  it('uses pairs made ahead of time, off the event loop, as it would pairs made at spawn time', async () => {
    const prepared = (await prepareFifoPairs(2))!
    expect(prepared.pairs).toHaveLength(2)
    for (const { readFd, writeFd } of prepared.pairs) {
      expect(fstatSync(readFd).isFIFO()).toBe(true)
      expect(fstatSync(writeFd).isFIFO()).toBe(true)
    }
    const fifos = openOutputFifos(2, silentLogger, prepared)!
    expect(fifos.channels.map((c) => c.childFd)).toEqual(prepared.pairs.map((p) => p.writeFd))
    let got = ''
    let ended = false
    fifos.channels[0]!.read(
      (bytes) => (got += new TextDecoder().decode(bytes)),
      () => (ended = true),
    )
    fifos.channels[1]!.read(
      () => undefined,
      () => undefined,
    )
    writeSync(fifos.channels[0]!.childFd, 'early\n')
    await waitFor(() => got === 'early\n', 'the write')
    fifos.closeChildEnds()
    await waitFor(() => ended, 'the end')
  })

  it('closes unused prepared pairs once, and their descriptors are gone', async () => {
    const prepared = (await prepareFifoPairs(1))!
    const [{ readFd, writeFd }] = prepared.pairs as [{ readFd: number; writeFd: number }]
    prepared.close()
    prepared.close()
    expect(() => fstatSync(readFd)).toThrow(/EBADF/)
    expect(() => fstatSync(writeFd)).toThrow(/EBADF/)
  })
})
