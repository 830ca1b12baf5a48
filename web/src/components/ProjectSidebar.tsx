import { useEffect, useId, useState } from 'react';
import { NavLink } from 'react-router';
import type { Project } from '../api/types';
import { projectName } from '../lib/projects';
import { isOwner, splitArchived, useProjects } from '../stores/projects';
import { CheckIcon, InboxIcon, PlusIcon, SettingsIcon, UserIcon } from './Icons';
import { NewProjectDialog, ProjectSettingsDialog } from './ProjectDialogs';

type Open = { kind: 'new' } | { kind: 'settings'; projectId: string } | null;

function ProjectItem({ project, onSettings }: { project: Project; onSettings: () => void }) {
  const name = projectName(project);
  return (
    <li className="sidebar__item" data-testid="sidebar-project" data-project-id={project.id}>
      <NavLink to={`/projects/${project.id}`} className="sidebar__link">
        {project.inbox ? (
          <InboxIcon className="sidebar__icon" />
        ) : (
          <span className="project-dot" style={{ background: project.color }} aria-hidden="true" />
        )}
        <span className="sidebar__label">{name}</span>
        {project.role === 'owner' ? null : <span className="sidebar__role">{project.role}</span>}
      </NavLink>
      {isOwner(project) && !project.inbox ? (
        <button
          type="button"
          className="icon-button sidebar__more"
          aria-label={`Settings of "${name}"`}
          title="Project settings"
          onClick={onSettings}
          data-testid="project-settings-button"
        >
          <SettingsIcon />
        </button>
      ) : null}
    </li>
  );
}

interface ProjectSidebarProps {
  /** On narrow screens the sidebar is a drawer: open or not (the shell closes it). */
  open: boolean;
}

/**
 * The views and the projects: All tasks, Assigned to me, the Inbox and every project, archived
 * ones under a collapsed "Archived"; new projects and each project's settings open from here.
 */
export function ProjectSidebar({ open }: ProjectSidebarProps) {
  const projects = useProjects((s) => s.projects);
  const status = useProjects((s) => s.status);
  const error = useProjects((s) => s.error);
  const load = useProjects((s) => s.load);
  const [dialog, setDialog] = useState<Open>(null);
  const [showArchived, setShowArchived] = useState(false);
  const ids = { projects: useId(), archived: useId() };
  const { active, archived } = splitArchived(projects);
  const editing = dialog?.kind === 'settings' ? projects.find((p) => p.id === dialog.projectId) : undefined;

  useEffect(() => {
    if (status === 'idle') void load();
  }, [status, load]);

  return (
    <>
    <aside
      id="sidebar"
      className={`sidebar${open ? ' sidebar--open' : ''}`}
      aria-label="Projects"
      data-testid="sidebar"
    >
      <nav className="sidebar__nav" aria-label="Views">
        <ul className="sidebar__list">
          <li className="sidebar__item">
            <NavLink to="/dashboard" className="sidebar__link" end>
              <CheckIcon className="sidebar__icon" />
              <span className="sidebar__label">All tasks</span>
            </NavLink>
          </li>
          <li className="sidebar__item">
            <NavLink to="/assigned" className="sidebar__link" data-testid="nav-assigned">
              <UserIcon className="sidebar__icon" />
              <span className="sidebar__label">Assigned to me</span>
            </NavLink>
          </li>
        </ul>
      </nav>

      <div className="sidebar__section">
        <div className="sidebar__heading">
          <span id={ids.projects} className="sidebar__title">
            Projects
          </span>
          <button
            type="button"
            className="icon-button"
            aria-label="New project"
            title="New project"
            onClick={() => setDialog({ kind: 'new' })}
            data-testid="new-project"
          >
            <PlusIcon />
          </button>
        </div>
        {status === 'error' ? (
          <p className="sidebar__error" role="alert">
            {error}{' '}
            <button type="button" className="link-button" onClick={() => void load()}>
              Retry
            </button>
          </p>
        ) : null}
        <ul className="sidebar__list" aria-labelledby={ids.projects} data-testid="project-list">
          {active.map((project) => (
            <ProjectItem key={project.id} project={project} onSettings={() => setDialog({ kind: 'settings', projectId: project.id })} />
          ))}
        </ul>
      </div>

      {archived.length > 0 ? (
        <div className="sidebar__section">
          <button
            type="button"
            className="sidebar__disclosure"
            aria-expanded={showArchived}
            aria-controls={ids.archived}
            onClick={() => setShowArchived((v) => !v)}
            data-testid="archived-toggle"
          >
            <span aria-hidden="true" className="sidebar__chevron">
              ▸
            </span>
            Archived ({archived.length})
          </button>
          <ul id={ids.archived} className="sidebar__list" hidden={!showArchived} data-testid="archived-list">
            {archived.map((project) => (
              <ProjectItem key={project.id} project={project} onSettings={() => setDialog({ kind: 'settings', projectId: project.id })} />
            ))}
          </ul>
        </div>
      ) : null}
    </aside>
    {/* Outside the drawer, which a narrow screen may hide while a dialog is open. */}
    {dialog?.kind === 'new' ? <NewProjectDialog onClose={() => setDialog(null)} /> : null}
    {editing ? <ProjectSettingsDialog key={editing.id} project={editing} onClose={() => setDialog(null)} /> : null}
    </>
  );
}
