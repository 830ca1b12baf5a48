import type { Task, TaskPatch, TaskPriority, TaskStatus } from '../api/types';
import { dateInputToIso, isoToDateInput } from './tasks';

/** What the task dialog edits: the task's fields as form controls hold them. */
export interface FormValues {
  title: string;
  description: string;
  status: TaskStatus;
  priority: TaskPriority;
  dueDate: string;
  /** The project the task is (to be) in. */
  projectId: string;
  /** Who is to do it: a member's id, or '' for nobody. */
  assigneeId: string;
}

export function initialValues(task?: Task, projectId = ''): FormValues {
  return {
    projectId: task?.projectId ?? projectId,
    assigneeId: task?.assigneeId ?? '',
    title: task?.title ?? '',
    description: task?.description ?? '',
    status: task?.status ?? 'pending',
    priority: task?.priority ?? 'medium',
    dueDate: isoToDateInput(task?.dueDate ?? null),
  };
}

/** Only what the person changed, so a PUT never rewrites fields (or a due time) it did not touch. */
export function changedFields(task: Task, values: FormValues): TaskPatch {
  const patch: TaskPatch = {};
  const title = values.title.trim();
  if (title !== task.title) patch.title = title;
  if (values.description !== task.description) patch.description = values.description;
  if (values.status !== task.status) patch.status = values.status;
  if (values.priority !== task.priority) patch.priority = values.priority;
  if (values.dueDate !== isoToDateInput(task.dueDate)) patch.dueDate = values.dueDate ? dateInputToIso(values.dueDate) : null;
  if (values.projectId && values.projectId !== task.projectId) patch.projectId = values.projectId;
  if ((values.assigneeId || null) !== task.assigneeId) patch.assigneeId = values.assigneeId || null;
  return patch;
}
