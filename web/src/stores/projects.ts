import * as api from '../api/projects';
import { errorMessage } from '../api/errors';
import type { Member, Project, ProjectInput, ProjectPatch, ProjectRole } from '../api/types';
import { projectName } from '../lib/projects';
import { createStore } from './createStore';
import { useSession } from './session';
import { useUi } from './ui';

export type ProjectsStatus = 'idle' | 'loading' | 'ready' | 'error';

/** A project as its live events tell it: every member hears the same, so without a role. */
export type ProjectNews = Omit<Project, 'role'>;

/** A membership as its live events tell it. */
export interface MembershipNews extends Member {
  projectId: string;
}

export interface ProjectsState {
  /** The person's projects as the server lists them: the Inbox first, then in the order joined. */
  projects: Project[];
  status: ProjectsStatus;
  error: string | null;
  /** Members by project id, once asked for (task dialogs, cards, the share dialog). */
  members: Record<string, Member[]>;
  /** The project this person lost last through a change made elsewhere: its page, if open, leaves. */
  lost: string | null;

  load: () => Promise<void>;
  create: (input: ProjectInput) => Promise<Project | null>;
  /** Renames, recolours, archives or brings back a project: at once on screen, rolled back if refused. */
  update: (projectId: string, patch: ProjectPatch) => Promise<boolean>;
  remove: (projectId: string) => Promise<boolean>;
  /** Knows the project (an invitation just accepted) without reloading the list. */
  adopt: (project: Project) => void;
  loadMembers: (projectId: string, force?: boolean) => Promise<Member[] | null>;
  changeRole: (projectId: string, userId: string, role: ProjectRole) => Promise<boolean>;
  /** Removes a member; naming oneself leaves the project, which then leaves the list. */
  removeMember: (projectId: string, userId: string) => Promise<boolean>;
  /** A project changed elsewhere: a newer version replaces the one held, keeping this person's role. */
  projectChanged: (project: ProjectNews) => void;
  /** This person can no longer see the project (deleted, or removed from it elsewhere). */
  projectLost: (projectId: string, why: 'deleted' | 'removed') => void;
  /** A member joined, changed role or left elsewhere; joining oneself brings the project in. */
  membershipChanged: (change: 'added' | 'updated' | 'removed', member: MembershipNews) => Promise<void>;
  clearLost: () => void;
  reset: () => void;
}

/** Roles that may create, change and delete tasks in a project. */
export function canWrite(project: Pick<Project, 'role'> | undefined): boolean {
  return project?.role === 'owner' || project?.role === 'editor';
}

export function isOwner(project: Pick<Project, 'role'> | undefined): boolean {
  return project?.role === 'owner';
}

/** Active projects first as listed, archived ones apart: what the sidebar shows. */
export function splitArchived(projects: readonly Project[]): { active: Project[]; archived: Project[] } {
  return { active: projects.filter((p) => !p.archived), archived: projects.filter((p) => p.archived) };
}

/** Projects a new or moved task may go to: written by this person, not archived (or `keep`, its own). */
export function writableProjects(projects: readonly Project[], keep?: string): Project[] {
  return projects.filter((p) => canWrite(p) && (!p.archived || p.id === keep));
}

const initialData = {
  projects: [] as Project[],
  status: 'idle' as ProjectsStatus,
  error: null as string | null,
  members: {} as Record<string, Member[]>,
  lost: null as string | null,
};

/** Bumped by reset(): answers to an earlier session's requests change nothing. */
let epoch = 0;
let loadGeneration = 0;
const memberRequests = new Map<string, Promise<Member[] | null>>();
/** Projects this person is deleting or leaving here: their events are no news to tell them. */
const departures = new Set<string>();

function me(): string | undefined {
  return useSession.getState().user?.id;
}

function toastError(action: string, err: unknown): void {
  useUi.getState().toast('error', `${action}: ${errorMessage(err)}`);
}

function replace(projects: Project[], project: Project): Project[] {
  return projects.map((p) => (p.id === project.id ? project : p));
}

export const useProjects = createStore<ProjectsState>('projects', (set, get) => ({
  ...initialData,

  load: async () => {
    const mine = epoch;
    const generation = ++loadGeneration;
    set((s) => ({ status: s.status === 'ready' ? 'ready' : 'loading', error: null }), false, 'projects/load');
    try {
      const projects = await api.listProjects();
      if (mine !== epoch || generation !== loadGeneration) return;
      set({ projects, status: 'ready' }, false, 'projects/loaded');
    } catch (err) {
      if (mine !== epoch || generation !== loadGeneration) return;
      set({ status: 'error', error: errorMessage(err) }, false, 'projects/loadFailed');
    }
  },

  create: async (input) => {
    const mine = epoch;
    try {
      const project = await api.createProject(input);
      if (mine !== epoch) return null;
      set((s) => ({ projects: [...s.projects.filter((p) => p.id !== project.id), project] }), false, 'projects/created');
      return project;
    } catch (err) {
      if (mine === epoch) toastError(`Could not create "${input.name}"`, err);
      return null;
    }
  },

  update: async (projectId, patch) => {
    const before = get().projects.find((p) => p.id === projectId);
    if (!before) return false;
    const mine = epoch;
    const optimistic: Project = {
      ...before,
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.color !== undefined ? { color: patch.color } : {}),
      ...(patch.description !== undefined ? { description: patch.description ?? '' } : {}),
      ...(patch.archived !== undefined ? { archived: patch.archived } : {}),
    };
    set((s) => ({ projects: replace(s.projects, optimistic) }), false, 'projects/updateOptimistic');
    try {
      const saved = await api.updateProject(projectId, patch);
      if (mine !== epoch) return false;
      set((s) => ({ projects: replace(s.projects, saved) }), false, 'projects/updated');
      return true;
    } catch (err) {
      if (mine !== epoch) return false;
      set((s) => ({ projects: replace(s.projects, before) }), false, 'projects/updateRolledBack');
      toastError(`Could not change "${before.name}"`, err);
      return false;
    }
  },

  remove: async (projectId) => {
    const projects = get().projects;
    const before = projects.find((p) => p.id === projectId);
    if (!before) return false;
    const mine = epoch;
    set((s) => ({ projects: s.projects.filter((p) => p.id !== projectId) }), false, 'projects/removeOptimistic');
    departures.add(projectId);
    try {
      await api.deleteProject(projectId);
      return mine === epoch;
    } catch (err) {
      departures.delete(projectId);
      if (mine !== epoch) return false;
      // Back in its place.
      const at = projects.indexOf(before);
      set(
        (s) => ({ projects: [...s.projects.slice(0, at), before, ...s.projects.slice(at)] }),
        false,
        'projects/removeRolledBack',
      );
      toastError(`Could not delete "${before.name}"`, err);
      return false;
    }
  },

  adopt: (project) => {
    set(
      (s) => ({
        projects: s.projects.some((p) => p.id === project.id) ? replace(s.projects, project) : [...s.projects, project],
      }),
      false,
      'projects/adopt',
    );
  },

  loadMembers: (projectId, force = false) => {
    if (!force && get().members[projectId]) return Promise.resolve(get().members[projectId] ?? null);
    const asked = memberRequests.get(projectId);
    if (asked && !force) return asked;
    const mine = epoch;
    const request = api
      .listMembers(projectId)
      .then((members) => {
        if (mine !== epoch) return null;
        set((s) => ({ members: { ...s.members, [projectId]: members } }), false, 'projects/members');
        return members;
      })
      .catch(() => null)
      .finally(() => {
        if (memberRequests.get(projectId) === request) memberRequests.delete(projectId);
      });
    memberRequests.set(projectId, request);
    return request;
  },

  changeRole: async (projectId, userId, role) => {
    const before = get().members[projectId];
    const mine = epoch;
    if (before) {
      set(
        (s) => ({ members: { ...s.members, [projectId]: before.map((m) => (m.userId === userId ? { ...m, role } : m)) } }),
        false,
        'projects/roleOptimistic',
      );
    }
    try {
      const saved = await api.changeRole(projectId, userId, role);
      if (mine !== epoch) return false;
      set(
        (s) => ({
          members: { ...s.members, [projectId]: (s.members[projectId] ?? []).map((m) => (m.userId === userId ? saved : m)) },
          // My own role decides what this app lets me do there.
          projects:
            userId === useSession.getState().user?.id
              ? s.projects.map((p) => (p.id === projectId ? { ...p, role: saved.role } : p))
              : s.projects,
        }),
        false,
        'projects/roleChanged',
      );
      return true;
    } catch (err) {
      if (mine !== epoch) return false;
      if (before) set((s) => ({ members: { ...s.members, [projectId]: before } }), false, 'projects/roleRolledBack');
      toastError('Could not change the role', err);
      return false;
    }
  },

  removeMember: async (projectId, userId) => {
    const mine = epoch;
    const leaving = userId === me();
    if (leaving) departures.add(projectId);
    try {
      await api.removeMember(projectId, userId);
      if (mine !== epoch) return false;
      set(
        (s) => {
          if (leaving) {
            const members = { ...s.members };
            delete members[projectId];
            return { projects: s.projects.filter((p) => p.id !== projectId), members };
          }
          return {
            members: { ...s.members, [projectId]: (s.members[projectId] ?? []).filter((m) => m.userId !== userId) },
          };
        },
        false,
        leaving ? 'projects/left' : 'projects/memberRemoved',
      );
      return true;
    } catch (err) {
      if (leaving) departures.delete(projectId);
      if (mine === epoch) toastError(leaving ? 'Could not leave the project' : 'Could not remove the member', err);
      return false;
    }
  },

  projectChanged: (news) => {
    const held = get().projects.find((p) => p.id === news.id);
    if (!held || held.version >= news.version) return;
    set((s) => ({ projects: replace(s.projects, { ...news, role: held.role }) }), false, 'projects/changedElsewhere');
  },

  projectLost: (projectId, why) => {
    const held = get().projects.find((p) => p.id === projectId);
    const members = { ...get().members };
    delete members[projectId];
    set(
      (s) => ({ projects: s.projects.filter((p) => p.id !== projectId), members, lost: held ? projectId : s.lost }),
      false,
      'projects/lost',
    );
    if (held && !departures.has(projectId)) {
      const name = projectName(held);
      useUi.getState().toast('info', why === 'deleted' ? `"${name}" was deleted.` : `You are no longer a member of "${name}".`);
    }
    departures.delete(projectId);
  },

  membershipChanged: async (change, { projectId, ...member }) => {
    if (member.userId === me()) {
      if (change === 'removed') {
        get().projectLost(projectId, 'removed');
        return;
      }
      if (change === 'updated') {
        set(
          (s) => ({ projects: s.projects.map((p) => (p.id === projectId ? { ...p, role: member.role } : p)) }),
          false,
          'projects/myRoleChanged',
        );
      } else if (!get().projects.some((p) => p.id === projectId)) {
        // Joined elsewhere (an invitation accepted in another tab): the project comes in.
        const mine = epoch;
        try {
          const project = await api.fetchProject(projectId);
          if (mine === epoch) get().adopt(project);
        } catch {
          // Left again meanwhile, or unreachable: the next load of the list tells.
        }
      }
    }
    const listed = get().members[projectId];
    if (!listed) return;
    const others = listed.filter((m) => m.userId !== member.userId);
    set(
      (s) => ({ members: { ...s.members, [projectId]: change === 'removed' ? others : [...others, member] } }),
      false,
      'projects/membersChangedElsewhere',
    );
  },

  clearLost: () => set({ lost: null }, false, 'projects/lostLeft'),

  reset: () => {
    epoch++;
    loadGeneration++;
    memberRequests.clear();
    departures.clear();
    set({ ...initialData }, false, 'projects/reset');
  },
}));

// Another person's projects must never linger after sign-out or a switch of account.
useSession.subscribe((state, previous) => {
  if (state.user?.id !== previous.user?.id) useProjects.getState().reset();
});
