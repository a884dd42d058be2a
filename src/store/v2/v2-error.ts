// etcd v2 API errors: numeric code, fixed message, a cause and the store index at the time,
// with the HTTP status etcd maps each code to (unlisted codes are 400 Bad Request).
export const Ecode = {
  KeyNotFound: 100,
  TestFailed: 101,
  NotFile: 102,
  NotDir: 104,
  NodeExist: 105,
  RootROnly: 107,
  DirNotEmpty: 108,
  PrevValueRequired: 201,
  TTLNaN: 202,
  IndexNaN: 203,
  InvalidField: 209,
  InvalidForm: 210,
  RefreshValue: 211,
  RefreshTTLRequired: 212,
  RaftInternal: 300,
  EventIndexCleared: 401,
} as const;

const messages: Record<number, string> = {
  100: 'Key not found',
  101: 'Compare failed',
  102: 'Not a file',
  104: 'Not a directory',
  105: 'Key already exists',
  107: 'Root is read only',
  108: 'Directory not empty',
  201: 'PrevValue is Required in POST form',
  202: 'The given TTL in POST form is not a number',
  203: 'The given index in POST form is not a number',
  209: 'Invalid field',
  210: 'Invalid POST form',
  211: 'Value provided on refresh',
  212: 'A TTL must be provided on refresh',
  300: 'Raft Internal Error',
  401: 'The event in requested index is outdated and cleared',
};

const statuses: Record<number, number> = {
  100: 404,
  101: 412,
  102: 403,
  105: 412,
  108: 403,
  300: 500,
};

export class V2Error extends Error {
  constructor(
    readonly errorCode: number,
    override readonly cause: string,
    public index: number,
  ) {
    super(`${errorCode}: ${messages[errorCode] ?? 'Unknown error'} (${cause}) [${index}]`);
    this.name = 'V2Error';
  }

  get status(): number {
    return statuses[this.errorCode] ?? 400;
  }

  /** The body etcd sends; field order and omission of an empty cause follow etcd's struct. */
  toJSON(): Record<string, unknown> {
    const o: Record<string, unknown> = { errorCode: this.errorCode, message: messages[this.errorCode] ?? '' };
    if (this.cause !== '') o.cause = this.cause;
    o.index = this.index;
    return o;
  }
}

/** A request-parsing error: etcd reports those with index 0. */
export const requestError = (code: number, cause: string) => new V2Error(code, cause, 0);
