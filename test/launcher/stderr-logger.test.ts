import { describe, expect, it } from 'vitest'
import { createHostOutputStderrLogger, createStderrLogger } from '../../src/main/launcher/stderr-logger'

describe('stderr logger', () => {
  it('writes one prefixed line per message at its level or above, and nothing below', () => {
    const written: string[] = []
    const log = createStderrLogger('warn', (text) => written.push(text))
    log.debug('d')
    log.info('i')
    log.warn('w %d', 1)
    log.error('e')
    expect(written).toEqual(['hostpipe: w 1\n', 'hostpipe: e\n'])
  })

  it("keeps what a host's code prints and leaves out hostpipe's routine host lines", () => {
    const written: string[] = []
    const log = createHostOutputStderrLogger((text) => written.push(text))
    log.info('[host 12] hello')
    log.info('[host 12] info: registered as client 1')
    log.info('[host 12] exited (code 0, signal null)')
    log.warn('[host 12] warn: slow')
    expect(written).toEqual(['hostpipe: [host 12] hello\n', 'hostpipe: [host 12] warn: slow\n'])
  })
})
