import type { Project, ProjectRole } from '../api/types';

/** The colours a project may take from the picker, named for those who do not see them. */
export const PROJECT_COLORS: readonly { value: string; label: string }[] = [
  { value: '#4f46e5', label: 'Indigo' },
  { value: '#2563eb', label: 'Blue' },
  { value: '#0d9488', label: 'Teal' },
  { value: '#16a34a', label: 'Green' },
  { value: '#d97706', label: 'Amber' },
  { value: '#dc2626', label: 'Red' },
  { value: '#db2777', label: 'Pink' },
  { value: '#64748b', label: 'Slate' },
];

export const ROLE_LABELS: Record<ProjectRole, string> = {
  owner: 'Owner',
  editor: 'Editor',
  viewer: 'Viewer',
};

/** What each role may do, for the pickers that grant one. */
export const ROLE_OPTIONS: { value: ProjectRole; label: string }[] = [
  { value: 'editor', label: 'Editor: can add and change tasks' },
  { value: 'viewer', label: 'Viewer: can only look' },
  { value: 'owner', label: 'Owner: can also share and delete' },
];

/** How a project is named on screen: the Inbox is always "Inbox". */
export function projectName(project: Pick<Project, 'name' | 'inbox'>): string {
  return project.inbox ? 'Inbox' : project.name;
}

/** The picker's colours, with the project's own first when it is none of them (set elsewhere). */
export function colorChoices(current: string): { value: string; label: string }[] {
  const known = PROJECT_COLORS.some((c) => c.value.toLowerCase() === current.toLowerCase());
  return known ? [...PROJECT_COLORS] : [{ value: current, label: 'Current colour' }, ...PROJECT_COLORS];
}
