// The host entry: a job with progress, a stream handler (an async generator), and an event.
import { runHost } from 'hostpipe/host'
import { commands, events } from './definitions.js'

const tick = () => new Promise((resolve) => setTimeout(resolve, 5))

const host = await runHost({
  commands,
  events,
  handlers: {
    index: async ({ files }, ctx) => {
      for (let done = 1; done <= files; done++) {
        await tick()
        ctx.progress({ done, total: files })
      }
      ctx.emit('cache.warm', { entries: files })
      return { indexed: files }
    },
    lines: async function* ({ count }, ctx) {
      try {
        for (let i = 1; i <= count; i++) {
          yield `line ${i}`
          if (i % 10 === 0 || i === count) ctx.progress({ sent: i })
        }
        return { total: count }
      } finally {
        if (ctx.signal.aborted) console.error('lines: cancelled by the caller')
      }
    },
  },
})
host.emit('cache.warm', { entries: 0 })
