// The host entry file: the launcher starts its built dist/host.js with node, in a process of its own.
import { runHost } from 'hostpipe/host'
import { commands } from './commands.js'

void runHost({
  commands,
  handlers: {
    add: async ({ a, b }) => ({ sum: a + b }),
    shout: ({ text }) => {
      if (text === 'fail') throw new Error('will not shout that')
      return { text: text.toUpperCase() + '!' }
    },
    nap: ({ ms }, { signal }) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => resolve({ slept: ms }), ms)
        signal.addEventListener('abort', () => {
          clearTimeout(timer)
          reject(new Error('nap cut short'))
        })
      }),
  },
})
