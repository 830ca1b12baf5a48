import { TasksView } from '../components/TasksView';
import { useDocumentTitle } from '../lib/useDocumentTitle';

const MINE = { projectId: '', assigneeId: 'me' };

/** The tasks assigned to the person signed in, in every project. */
export default function AssignedPage() {
  useDocumentTitle('Assigned to me');
  return <TasksView title="Assigned to me" subtitle="Tasks assigned to you, in every project." scope={MINE} testId="assigned-view" />;
}
