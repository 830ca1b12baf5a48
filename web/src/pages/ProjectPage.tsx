import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ShareIcon } from '../components/Icons';
import { ShareDialog } from '../components/ShareDialog';
import { TasksView } from '../components/TasksView';
import { projectName, ROLE_LABELS } from '../lib/projects';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { canWrite, useProjects } from '../stores/projects';

/** One project's tasks, with its counts and filters; sharing for projects other than the Inbox. */
export default function ProjectPage() {
  const { projectId = '' } = useParams();
  const project = useProjects((s) => s.projects.find((p) => p.id === projectId));
  const status = useProjects((s) => s.status);
  const lost = useProjects((s) => s.lost === projectId) && !project;
  const clearLost = useProjects((s) => s.clearLost);
  const navigate = useNavigate();
  const [sharing, setSharing] = useState(false);
  const name = project ? projectName(project) : '';
  useDocumentTitle(name || 'Project');

  // Deleted, or this person removed from it, elsewhere: its page has nothing left to show.
  useEffect(() => {
    if (!lost) return;
    clearLost();
    void navigate('/dashboard', { replace: true });
  }, [lost, clearLost, navigate]);

  if (!project && status === 'ready') {
    return (
      <div className="page">
        <div className="state-panel" data-testid="project-missing">
          <h1 className="page__title">Project not found</h1>
          <p>It may have been deleted, or you are no longer a member.</p>
          <Link className="button button--primary" to="/dashboard">
            Go to your tasks
          </Link>
        </div>
      </div>
    );
  }

  const writable = project ? canWrite(project) : false;
  const title = project ? (
    <span className="project-title">
      <span className="project-dot project-dot--lg" style={{ background: project.color }} aria-hidden="true" />
      {name}
    </span>
  ) : (
    'Project'
  );
  const subtitle = project
    ? project.role === 'viewer'
      ? 'You can view this project; only its owners and editors change its tasks.'
      : project.description || (project.inbox ? 'Your own tasks, never shared.' : `You are ${ROLE_LABELS[project.role].toLowerCase()} here.`)
    : null;

  return (
    <>
      <TasksView
        key={projectId}
        title={title}
        subtitle={
          <>
            {project?.archived ? <span className="badge badge--archived">Archived</span> : null} {subtitle}
          </>
        }
        scope={{ projectId, assigneeId: '' }}
        canCreate={writable && !project?.archived}
        testId="project-view"
        actions={
          project && !project.inbox ? (
            <button type="button" className="button button--secondary" onClick={() => setSharing(true)} data-testid="share-project">
              <ShareIcon /> Share
            </button>
          ) : null
        }
      />
      {sharing && project ? (
        <ShareDialog project={project} onClose={() => setSharing(false)} onLeft={() => void navigate('/dashboard')} />
      ) : null}
    </>
  );
}
