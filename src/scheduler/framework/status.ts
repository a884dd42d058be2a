// A plugin's verdict (upstream framework.Status): a code, the user-facing reasons, and the
// plugin that gave it, so failure messages and the explain endpoint can name it.

export enum Code {
  Success = 0,
  Error = 1,
  /** The node does not fit now; preemption may help. */
  Unschedulable = 2,
  /** The node does not fit and preemption cannot change that. */
  UnschedulableAndUnresolvable = 3,
  Wait = 4,
  /** The plugin has nothing to do for this pod (PreFilter/PreScore). */
  Skip = 5,
}

export const codeName = (c: Code): string => Code[c];

export class Status {
  plugin = '';
  constructor(readonly code: Code = Code.Success, readonly reasons: string[] = []) {}

  isSuccess(): boolean { return this.code === Code.Success; }
  isSkip(): boolean { return this.code === Code.Skip; }
  isRejected(): boolean { return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable; }
  message(): string { return this.reasons.join(', '); }
  withPlugin(name: string): Status { this.plugin = name; return this; }
}

/** Shared success status; never mutate. */
export const SUCCESS: Status = new Status();
export const unschedulable = (...reasons: string[]): Status => new Status(Code.Unschedulable, reasons);
export const unresolvable = (...reasons: string[]): Status => new Status(Code.UnschedulableAndUnresolvable, reasons);
export const asError = (err: unknown): Status => new Status(Code.Error, [err instanceof Error ? err.message : String(err)]);
export const SKIP: Status = new Status(Code.Skip);
