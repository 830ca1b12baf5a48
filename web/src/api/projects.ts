import { api } from './client';
import type { Invitation, InvitationView, Member, Project, ProjectInput, ProjectPatch, ProjectRole } from './types';

/** Every project of the person signed in, the Inbox first, archived ones too (following cursors). */
export async function listProjects(signal?: AbortSignal): Promise<Project[]> {
  const projects: Project[] = [];
  let cursor: string | null = null;
  do {
    const { data }: { data: { items: Project[]; nextCursor: string | null } } = await api.get('/projects', {
      query: cursor ? { cursor } : {},
      signal,
    });
    projects.push(...data.items);
    cursor = data.nextCursor ?? null;
  } while (cursor);
  return projects;
}

/** One project, with this person's role in it. */
export async function fetchProject(projectId: string, signal?: AbortSignal): Promise<Project> {
  const { data } = await api.get('/projects/{projectId}', { path: { projectId }, signal });
  return data;
}

export async function createProject(input: ProjectInput): Promise<Project> {
  const { data } = await api.post('/projects', { body: input });
  return data;
}

/**
 * Renames, recolours, archives or brings back a project with a merge patch. The document names no
 * If-Match for projects (the server takes none unless it requires one), so none is sent.
 */
export async function updateProject(projectId: string, patch: ProjectPatch): Promise<Project> {
  const { data } = await api.patch('/projects/{projectId}', {
    path: { projectId },
    body: patch,
    contentType: 'application/merge-patch+json',
  });
  return data;
}

export async function deleteProject(projectId: string): Promise<void> {
  await api.delete('/projects/{projectId}', { path: { projectId } });
}

export async function listMembers(projectId: string, signal?: AbortSignal): Promise<Member[]> {
  const { data } = await api.get('/projects/{projectId}/members', { path: { projectId }, signal });
  return data.items;
}

export async function changeRole(projectId: string, userId: string, role: ProjectRole): Promise<Member> {
  const { data } = await api.patch('/projects/{projectId}/members/{userId}', {
    path: { projectId, userId },
    body: { role },
  });
  return data;
}

/** Removes a member (owners), or, naming oneself, leaves the project. */
export async function removeMember(projectId: string, userId: string): Promise<void> {
  await api.delete('/projects/{projectId}/members/{userId}', { path: { projectId, userId } });
}

export async function listInvitations(projectId: string, signal?: AbortSignal): Promise<Invitation[]> {
  const { data } = await api.get('/projects/{projectId}/invitations', { path: { projectId }, signal });
  return data.items;
}

/** Invites an address with a role; the answer carries the link to pass on (shown this once). */
export async function invite(projectId: string, email: string, role: ProjectRole): Promise<Invitation> {
  const { data } = await api.post('/projects/{projectId}/invitations', { path: { projectId }, body: { email, role } });
  return data;
}

/** A new link for the invitation; the old one stops working. */
export async function resendInvitation(projectId: string, invitationId: string): Promise<Invitation> {
  const { data } = await api.post('/projects/{projectId}/invitations/{invitationId}/resend', {
    path: { projectId, invitationId },
  });
  return data;
}

export async function revokeInvitation(projectId: string, invitationId: string): Promise<void> {
  await api.delete('/projects/{projectId}/invitations/{invitationId}', { path: { projectId, invitationId } });
}

/** What a link invites to; needs no sign-in. */
export async function lookUpInvitation(token: string, signal?: AbortSignal): Promise<InvitationView> {
  const { data } = await api.get('/invitations/{token}', { path: { token }, signal });
  return data;
}

/** Joins the project, signed in with the invited address; answers the project. */
export async function acceptInvitation(token: string): Promise<Project> {
  const { data } = await api.post('/invitations/{token}/accept', { path: { token } });
  return data;
}

export async function declineInvitation(token: string): Promise<void> {
  await api.post('/invitations/{token}/decline', { path: { token } });
}
