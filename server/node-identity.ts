/**
 * Who a server process is, for the records it leaves that outlive it: the outbox's claims and the
 * embedded database's lock. A node is a machine or container that runs one server at a time
 * (`NODE_ID`, by default the host name); a claimant is one process of it, `<node id>:<pid>:<random>`.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** This node's id: NODE_ID, or the host name. */
export const defaultNodeId = (): string => hostname();

/** Claimant ids made by this process: alive as long as it is (tests run several dispatchers in one). */
const ours = new Set<string>();

/** A new claimant id for this process on a node. */
export function claimantId(nodeId: string): string {
  const id = `${nodeId}:${process.pid}:${randomBytes(6).toString('hex')}`;
  ours.add(id);
  return id;
}

/** The node id and pid of a claimant id, or null when it is not one. */
export function parseClaimant(claimant: string): { nodeId: string; pid: number } | null {
  const match = /^(.+):(\d+):[^:]+$/.exec(claimant);
  return match ? { nodeId: match[1]!, pid: Number(match[2]) } : null;
}

/** Whether a process of this machine runs under `pid`. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a claimant is a process of this node that has died: of the same node id, not made by this
 * process, and either under this process's own pid (a container restarted: its server has the same
 * pid each time, so that one is gone) or under a pid nothing runs as. A claimant alive under another
 * pid may be a second server on this host: its claims are left to their lease.
 */
export function isDeadPredecessor(claimant: string, nodeId: string): boolean {
  if (ours.has(claimant)) return false;
  const parsed = parseClaimant(claimant);
  if (!parsed || parsed.nodeId !== nodeId) return false;
  return parsed.pid === process.pid || !isProcessAlive(parsed.pid);
}
