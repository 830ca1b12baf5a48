/**
 * The app's names for the wire types of TaskMaster API v2. Every type here comes from the
 * generated `v2/schema.ts` (made from the API's own OpenAPI document by `npm run api:generate`),
 * so a change of the document that the app does not follow fails the type check.
 */
import type { components, operations } from './v2/schema';

type Schemas = components['schemas'];
type JsonBody<O extends keyof operations> = operations[O] extends {
  requestBody: { content: { 'application/json': infer B } };
}
  ? B
  : never;

export type User = Schemas['User'];
export type Profile = Schemas['Profile'];
export type SignedIn = Schemas['SignedIn'];
export type SessionInfo = Schemas['Session'];
export type Problem = Schemas['Problem'];
export type FieldError = Schemas['FieldError'];

/** Whether sign-in asks for an authenticator app's code, since when, and the recovery codes left. */
export type TwoStepStatus = Schemas['TotpStatus'];
/** A new authenticator secret (base32, and as an otpauth:// URI), to confirm before `expiresAt`. */
export type TotpEnrolment = Schemas['TotpEnrolment'];
/** An entry of the account's security log; `kind` says what happened, `detail` the particulars. */
export type SecurityEvent = Schemas['SecurityEvent'];
export type SecurityEventPage = Schemas['SecurityEventPage'];
/** A second factor: a code from the authenticator app, or one of the recovery codes. */
export type SecondFactor = { code: string } | { recoveryCode: string };
/** One of the account's passkeys, by the name its owner gave it. */
export type Passkey = Schemas['Passkey'];
/** A passkey ceremony begun: its single-use token, and the options for navigator.credentials (JSON form). */
export type PasskeyCeremony = Schemas['PasskeyCeremony'];
/** A browser's answer to an assertion ceremony: it signs in, or confirms who is there. */
export type PasskeyAnswer = JsonBody<'loginWithPasskey'>;
/** What confirms who is at the keyboard: the password, a second factor, or a passkey. */
export type Proof = { password: string } | SecondFactor | { passkey: PasskeyAnswer };

export type Task = Schemas['Task'];
export type TaskStatus = Schemas['Status'];
export type TaskPriority = Schemas['Priority'];
/** A new task (POST): what it leaves out takes the server's default. */
export type TaskInput = Schemas['TaskCreate'];
/** A JSON merge patch of a task (PATCH): members given change, `null` removes. */
export type TaskPatch = Schemas['TaskPatch'];
export type TaskSummary = Schemas['Summary'];
/** A page of the delta query (`GET /tasks/changes`): tasks as they are now, and tasks that left a project. */
export type ChangePage = Schemas['ChangePage'];
export type TaskChange = ChangePage['items'][number];
/** A task that left a project: deleted there, or moved to another. */
export type TaskDeletion = Schemas['Deleted'];

export type Project = Schemas['Project'];
export type ProjectRole = Schemas['Role'];
/** A new project (POST): name, and optionally colour and description. */
export type ProjectInput = JsonBody<'createProject'>;
/** A JSON merge patch of a project (PATCH): name, colour, description, archived. */
export type ProjectPatch = operations['updateProject']['requestBody']['content']['application/merge-patch+json'];
export type Member = Schemas['MemberOut'];
/** An invitation as the project's owners see it; `link` and `token` only when just made. */
export type Invitation = Schemas['InvitationOut'];
/** What an invitation link invites to, as anyone holding the link sees it. */
export type InvitationView = Schemas['InvitationView'];

/** Each member of the string union `T` once: a list that misses one does not compile. */
function everyMember<T extends string>() {
  return <const A extends readonly T[]>(values: A & ([Exclude<T, A[number]>] extends [never] ? unknown : never)) =>
    values;
}

export const TASK_STATUSES = everyMember<TaskStatus>()(['pending', 'in-progress', 'completed']);
export const TASK_PRIORITIES = everyMember<TaskPriority>()(['low', 'medium', 'high']);
export const PROJECT_ROLES = everyMember<ProjectRole>()(['owner', 'editor', 'viewer']);

/** The keys `sort` takes (the document's pattern spells them out). */
export const SORT_FIELDS = ['createdAt', 'dueDate', 'priority', 'title', 'updatedAt'] as const;
export type SortField = (typeof SORT_FIELDS)[number];
export type SortKey = SortField | `-${SortField}`;
/** One key, or two in order: `-priority,dueDate`. */
export type TaskSort = SortKey | `${SortKey},${SortKey}`;

/** Whose tasks a list shows: `me` (assigned to the person signed in), a member's id, or anyone (''). */
export type AssigneeFilter = string;

export interface TaskQuery {
  search: string;
  status: TaskStatus | '';
  priority: TaskPriority | '';
  sort: TaskSort;
  /** One project's tasks, or every project's (''). */
  projectId: string;
  assigneeId: AssigneeFilter;
}
