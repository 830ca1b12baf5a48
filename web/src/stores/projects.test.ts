import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type MockAdapter from 'axios-mock-adapter';
import type { Member, Project } from '../api/types';
import { canWrite, splitArchived, useProjects, writableProjects } from './projects';
import { useSession } from './session';
import { useUi } from './ui';
import { deferred, makeProject, mockApi, problemReply, resetStores, settle, signIn, USER } from '../test/helpers';

function errors(): string[] {
  return useUi.getState().toasts.filter((t) => t.kind === 'error').map((t) => t.message);
}

function names(): string[] {
  return useProjects.getState().projects.map((p) => p.name);
}

function member(overrides: Partial<Member> = {}): Member {
  return { userId: 'u2', name: 'Bo', email: 'bo@example.com', role: 'editor', joinedAt: '2024-01-02T00:00:00.000Z', ...overrides };
}

describe('projects store', () => {
  let mock: MockAdapter;
  let inbox: Project, work: Project, shared: Project;

  beforeEach(async () => {
    resetStores();
    signIn();
    mock = mockApi();
    inbox = makeProject({ id: USER.id, name: 'Inbox', inbox: true });
    work = makeProject({ name: 'Work', color: '#dc2626' });
    shared = makeProject({ name: 'Shared', role: 'viewer' });
    mock.onGet(/\/projects$/).replyOnce(200, { items: [inbox, work], nextCursor: 'c1' });
    mock.onGet(/\/projects$/).replyOnce(200, { items: [shared], nextCursor: null });
    await useProjects.getState().load();
  });

  afterEach(() => mock.restore());

  it('loads every page of projects by cursor, the Inbox first', () => {
    expect(names()).toEqual(['Inbox', 'Work', 'Shared']);
    expect(useProjects.getState().status).toBe('ready');
    expect(mock.history.get?.[1]?.params).toEqual({ cursor: 'c1' });
  });

  it('tells who may write, and keeps archived projects apart', () => {
    expect(canWrite(work)).toBe(true);
    expect(canWrite(shared)).toBe(false);
    expect(canWrite(makeProject({ role: 'editor' }))).toBe(true);
    const archived = makeProject({ name: 'Old', archived: true });
    expect(splitArchived([inbox, archived, work])).toEqual({ active: [inbox, work], archived: [archived] });
    expect(writableProjects([inbox, archived, work, shared]).map((p) => p.name)).toEqual(['Inbox', 'Work']);
    // A task's own archived project stays on offer in its dialog.
    expect(writableProjects([inbox, archived], archived.id).map((p) => p.name)).toEqual(['Inbox', 'Old']);
  });

  it('creates a project and lists it last', async () => {
    const made = makeProject({ name: 'Launch', color: '#0d9488' });
    mock.onPost(/\/projects$/).replyOnce(201, made);
    expect(await useProjects.getState().create({ name: 'Launch', color: '#0d9488' })).toEqual(made);
    expect(JSON.parse(String(mock.history.post?.[0]?.data))).toEqual({ name: 'Launch', color: '#0d9488' });
    expect(names()).toEqual(['Inbox', 'Work', 'Shared', 'Launch']);
  });

  it('renames at once with a merge patch, and rolls back with a message when refused', async () => {
    const answer = deferred();
    mock.onPatch(/\/projects\/[^/]+$/).replyOnce(async () => {
      await answer.promise;
      return [200, { ...work, name: 'Job', version: 2 }];
    });
    const saved = useProjects.getState().update(work.id, { name: 'Job' });
    expect(names()).toContain('Job');
    answer.resolve();
    expect(await saved).toBe(true);
    const headers = mock.history.patch?.[0]?.headers as { get?: (n: string) => unknown } & Record<string, unknown>;
    expect(headers.get?.('Content-Type') ?? headers['Content-Type']).toBe('application/merge-patch+json');
    expect(JSON.parse(String(mock.history.patch?.[0]?.data))).toEqual({ name: 'Job' });
    expect(useProjects.getState().projects.find((p) => p.id === work.id)?.version).toBe(2);

    mock.onPatch(/\/projects\/[^/]+$/).replyOnce(...problemReply('conflict', 'The Inbox cannot be archived'));
    expect(await useProjects.getState().update(inbox.id, { archived: true })).toBe(false);
    expect(useProjects.getState().projects[0]?.archived).toBe(false);
    expect(errors()).toEqual(['Could not change "Inbox": The Inbox cannot be archived']);
  });

  it('deletes at once, and puts the project back in its place when refused', async () => {
    mock.onDelete(/\/projects\/[^/]+$/).replyOnce(...problemReply('forbidden', 'An editor cannot delete the project'));
    const removed = useProjects.getState().remove(work.id);
    expect(names()).toEqual(['Inbox', 'Shared']);
    expect(await removed).toBe(false);
    expect(names()).toEqual(['Inbox', 'Work', 'Shared']);
    mock.onDelete(/\/projects\/[^/]+$/).replyOnce(204);
    expect(await useProjects.getState().remove(work.id)).toBe(true);
    expect(names()).toEqual(['Inbox', 'Shared']);
  });

  it('asks for a project’s members once, however many ask at the same time', async () => {
    mock.onGet(/\/projects\/[^/]+\/members$/).reply(200, { items: [member()] });
    const [a, b] = await Promise.all([useProjects.getState().loadMembers(work.id), useProjects.getState().loadMembers(work.id)]);
    expect(a).toEqual([member()]);
    expect(b).toEqual([member()]);
    await useProjects.getState().loadMembers(work.id);
    expect(mock.history.get?.filter((r) => r.url?.endsWith('/members'))).toHaveLength(1);
    await useProjects.getState().loadMembers(work.id, true);
    expect(mock.history.get?.filter((r) => r.url?.endsWith('/members'))).toHaveLength(2);
  });

  it('changes a role at once, and takes it back when the last owner would go', async () => {
    mock.onGet(/\/members$/).reply(200, { items: [member({ userId: USER.id, role: 'owner' }), member()] });
    await useProjects.getState().loadMembers(work.id);
    mock.onPatch(/\/members\/u2$/).replyOnce(200, member({ role: 'viewer' }));
    expect(await useProjects.getState().changeRole(work.id, 'u2', 'viewer')).toBe(true);
    expect(useProjects.getState().members[work.id]?.map((m) => m.role)).toEqual(['owner', 'viewer']);

    mock.onPatch(new RegExp(`/members/${USER.id}$`)).replyOnce(...problemReply('conflict', 'A project keeps at least one owner'));
    const demoted = useProjects.getState().changeRole(work.id, USER.id, 'editor');
    expect(useProjects.getState().members[work.id]?.[0]?.role).toBe('editor');
    expect(await demoted).toBe(false);
    expect(useProjects.getState().members[work.id]?.[0]?.role).toBe('owner');
    expect(errors()).toEqual(['Could not change the role: A project keeps at least one owner']);
  });

  it('removes a member; leaving drops the project itself', async () => {
    mock.onGet(/\/members$/).reply(200, { items: [member({ userId: USER.id }), member()] });
    await useProjects.getState().loadMembers(shared.id);
    mock.onDelete(/\/members\/u2$/).replyOnce(204);
    expect(await useProjects.getState().removeMember(shared.id, 'u2')).toBe(true);
    expect(useProjects.getState().members[shared.id]?.map((m) => m.userId)).toEqual([USER.id]);
    mock.onDelete(new RegExp(`/members/${USER.id}$`)).replyOnce(204);
    expect(await useProjects.getState().removeMember(shared.id, USER.id)).toBe(true);
    expect(names()).toEqual(['Inbox', 'Work']);
    expect(useProjects.getState().members[shared.id]).toBeUndefined();
  });

  it('adopts a project joined by invitation, and forgets everything when the account changes', async () => {
    const joined = makeProject({ name: 'Joined', role: 'editor' });
    useProjects.getState().adopt(joined);
    expect(names()).toEqual(['Inbox', 'Work', 'Shared', 'Joined']);
    useProjects.getState().adopt({ ...joined, name: 'Joined again' });
    expect(names()).toEqual(['Inbox', 'Work', 'Shared', 'Joined again']);

    // An answer for the old session lands after the switch: it changes nothing.
    const late = deferred();
    mock.onGet(/\/projects$/).replyOnce(async () => {
      await late.promise;
      return [200, { items: [work], nextCursor: null }];
    });
    const loading = useProjects.getState().load();
    useSession.getState().clearSession();
    expect(useProjects.getState().projects).toEqual([]);
    late.resolve();
    await loading;
    await settle();
    expect(useProjects.getState()).toMatchObject({ projects: [], status: 'idle' });
  });
});
