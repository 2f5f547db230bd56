// The host entry file: the launcher starts its built dist/host.js with utilityProcess.fork.
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
  },
})
