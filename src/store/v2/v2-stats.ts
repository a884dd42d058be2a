// Operation counters served at /v2/stats/store, with etcd's field names and order.
export class V2Stats {
  getsSuccess = 0;
  getsFail = 0;
  setsSuccess = 0;
  setsFail = 0;
  deleteSuccess = 0;
  deleteFail = 0;
  updateSuccess = 0;
  updateFail = 0;
  createSuccess = 0;
  createFail = 0;
  compareAndSwapSuccess = 0;
  compareAndSwapFail = 0;
  compareAndDeleteSuccess = 0;
  compareAndDeleteFail = 0;
  expireCount = 0;

  /** Count one outcome of an operation named like etcd's counters ("gets", "sets", "delete", …). */
  count(op: 'gets' | 'sets' | 'delete' | 'update' | 'create' | 'compareAndSwap' | 'compareAndDelete', ok: boolean): void {
    const k = `${op}${ok ? 'Success' : 'Fail'}` as keyof this;
    (this[k] as unknown as number)++;
  }

  toJSON(watchers: number): Record<string, number> {
    return { ...(this as unknown as Record<string, number>), watchers };
  }
}
