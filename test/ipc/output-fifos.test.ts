import { writeSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/main/host-pipe'
import { openOutputFifos } from '../../src/main/ipc/output-fifos'
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
})
