// batch/v1 printers: jobs (with the 1.32 STATUS column) and cronjobs.
import type { TableDef } from './table-def.js';
import { ageColumn, col, nameColumn } from './columns.js';
import { age, humanDuration } from './human-duration.js';
import { labelSelectorText, templateContainers, templateImages } from './selector-text.js';

const has = (o: any, type: string) => (o.status?.conditions ?? []).some((c: any) => c.type === type && c.status === 'True');

function jobStatus(o: any): string {
  if (has(o, 'Failed')) return 'Failed';
  if (has(o, 'Complete')) return 'Complete';
  if (has(o, 'Suspended')) return 'Suspended';
  if (has(o, 'FailureTarget')) return 'FailureTarget';
  if (has(o, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

function completions(o: any): string {
  const c = o.spec?.completions;
  const done = o.status?.succeeded ?? 0;
  if (c !== undefined && c !== null) return `${done}/${c}`;
  const p = o.spec?.parallelism ?? 0;
  return p > 1 ? `${done}/1 of ${p}` : `${done}/1`;
}

function duration(o: any, now: Date): string {
  const start = o.status?.startTime;
  if (!start) return '';
  const end = o.status?.completionTime ? Date.parse(o.status.completionTime) : now.getTime();
  return humanDuration(end - Date.parse(start));
}

export const jobTable: TableDef = {
  columns: [nameColumn, col('Status'), col('Completions'), col('Duration'), ageColumn,
    col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
  cells: (o, now) => [o.metadata?.name, jobStatus(o), completions(o), duration(o, now), age(o, now),
    templateContainers(o.spec?.template), templateImages(o.spec?.template), labelSelectorText(o.spec?.selector)],
};

export const cronJobTable: TableDef = {
  columns: [nameColumn, col('Schedule'), col('Timezone'), col('Suspend', 'boolean'), col('Active', 'integer'), col('Last Schedule'), ageColumn,
    col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
  cells: (o, now) => {
    const last = o.status?.lastScheduleTime;
    const tpl = o.spec?.jobTemplate?.spec?.template;
    return [o.metadata?.name, o.spec?.schedule ?? '', o.spec?.timeZone ?? '<none>', o.spec?.suspend === undefined ? '<unset>' : o.spec.suspend ? 'True' : 'False', (o.status?.active ?? []).length,
      last ? humanDuration(now.getTime() - Date.parse(last)) : '<none>', age(o, now), templateContainers(tpl), templateImages(tpl),
      labelSelectorText(o.spec?.jobTemplate?.spec?.selector)];
  },
};
