// A pod waiting in the scheduling queue, with its attempt history.
import type { PodInfo } from '../framework/pod-info.js';

export interface QueuedPod {
  info: PodInfo;
  /** When it (re-)entered the queue; orders pods of equal priority. */
  timestamp: number;
  /** When it first entered; the start of its creation-to-binding latency. */
  initialAttemptTimestamp: number;
  attempts: number;
  /** Plugins that rejected it last time; only events they care about move it back. */
  unschedulablePlugins: Set<string>;
  /** Why PreEnqueue keeps it out of the active queue. */
  gatedReason?: string;
}
