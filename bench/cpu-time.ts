import { readFileSync } from 'node:fs'

/** This process's CPU time (user + system) in ms. */
export function ownCpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** Clock ticks per second of /proc's utime/stime: USER_HZ, 100 on every Linux that matters. */
const USER_HZ = 100

/**
 * Another process's CPU time (user + system) in ms, from /proc (Linux; NaN elsewhere). Resolution
 * is one tick (10 ms), so it is only quoted over whole rounds.
 */
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces; the fields after its closing paren are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ
  } catch {
    return Number.NaN
  }
}
