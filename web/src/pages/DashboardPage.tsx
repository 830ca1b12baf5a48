import { TasksView } from '../components/TasksView';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useSession } from '../stores/session';

const ALL = { projectId: '', assigneeId: '' };

/** Every task of every project this person is in: the counts, filters and list across them. */
export default function DashboardPage() {
  useDocumentTitle('Dashboard');
  const name = useSession((s) => s.user?.name);
  return (
    <TasksView
      title="Your tasks"
      subtitle={name ? `Good to see you, ${name}. All tasks across your projects.` : 'All tasks across your projects.'}
      scope={ALL}
    />
  );
}
