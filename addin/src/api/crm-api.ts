import type {
  AddContactPointRequestDto,
  AddInteractionLinkRequestDto,
  AdvanceStageRequestDto,
  CandidatesDto,
  ClientCardDto,
  ClientInteractionsDto,
  ClientSearchResultDto,
  ContactPointAddedDto,
  ConversationStatusDto,
  CreateCreditApplicationRequestDto,
  CreateProspectRequestDto,
  CreateTaskRequestDto,
  CreditApplicationDetailDto,
  CreditNoticeDto,
  CreditNoticesDto,
  CreditNoticesUnreadDto,
  DecisionRequestDto,
  DemoInboxDto,
  InteractionDetailDto,
  InteractionStatusDto,
  LogInteractionRequestDto,
  LogInteractionResponseDto,
  MailContextRequestDto,
  MailContextResponseDto,
  MarkNoticesReadResultDto,
  MeDto,
  MePatchDto,
  MeSettingsDto,
  NudgeRequestDto,
  ProspectCreatedDto,
  ReturnStageRequestDto,
  TaskCatalogDto,
  TaskDto,
  TaskLinkDto,
  TeamViewDto,
  UpdateTaskRequestDto,
} from '@crm/shared';
import { apiRequest } from './client.ts';

const enc = encodeURIComponent;

/** Typed calls of the CRM API (`/api/v1`); each rejects with an `ApiError`. */
export const crmApi = {
  me: () => apiRequest<MeDto>('/me'),
  /** GET /me/settings: language of the user's email notifications and whether their calendar feed exists. */
  meSettings: (signal?: AbortSignal) => apiRequest<MeSettingsDto>('/me/settings', { signal }),
  /** PATCH /me: the language of the user's email notifications. */
  updateMe: (body: MePatchDto) => apiRequest<MeSettingsDto>('/me', { method: 'PATCH', body }),
  /** POST /me/calendar-feed: a new private feed URL; any previous one stops working. */
  createCalendarFeed: () => apiRequest<{ url: string }>('/me/calendar-feed', { method: 'POST' }),
  /** DELETE /me/calendar-feed: revokes the user's feed (idempotent). */
  revokeCalendarFeed: () => apiRequest<void>('/me/calendar-feed', { method: 'DELETE' }),
  /** GET /team: a supervisor's team, open tasks per member (an RM: themself). */
  team: (signal?: AbortSignal) => apiRequest<TeamViewDto>('/team', { signal }),
  mailContext: (body: MailContextRequestDto, signal?: AbortSignal) =>
    apiRequest<MailContextResponseDto>('/mail-context', { method: 'POST', body, signal }),
  searchClients: (q: string, signal?: AbortSignal) =>
    apiRequest<ClientSearchResultDto>(`/clients?q=${encodeURIComponent(q)}&limit=10`, { signal }),
  client: (id: string, signal?: AbortSignal) =>
    apiRequest<ClientCardDto>(`/clients/${encodeURIComponent(id)}`, { signal }),
  /** GET /task-types: the configured task types (active ones with defaults) and priorities. */
  taskCatalog: (signal?: AbortSignal) => apiRequest<TaskCatalogDto>('/task-types', { signal }),
  createTask: (body: CreateTaskRequestDto, idempotencyKey?: string) =>
    apiRequest<TaskDto>('/tasks', { method: 'POST', body, idempotencyKey }),
  /** GET /tasks/:id: one of the user's tasks opened from its link, with its client and credit stage. */
  task: (id: string, signal?: AbortSignal) => apiRequest<TaskLinkDto>(`/tasks/${enc(id)}`, { signal }),
  updateTask: (id: string, body: UpdateTaskRequestDto) =>
    apiRequest<TaskDto>(`/tasks/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
  logInteraction: (body: LogInteractionRequestDto) =>
    apiRequest<LogInteractionResponseDto>('/interactions', { method: 'POST', body }),
  addInteractionLink: (id: string, body: AddInteractionLinkRequestDto) =>
    apiRequest<LogInteractionResponseDto>(`/interactions/${enc(id)}/links`, { method: 'POST', body }),
  interactionStatus: (internetMessageId: string, signal?: AbortSignal) =>
    apiRequest<InteractionStatusDto>(`/interactions/status?internetMessageId=${enc(internetMessageId)}`, {
      signal,
    }),
  conversation: (conversationId: string, signal?: AbortSignal) =>
    apiRequest<ConversationStatusDto>(`/interactions/conversation?conversationId=${enc(conversationId)}`, {
      signal,
    }),
  interaction: (id: string, signal?: AbortSignal) =>
    apiRequest<InteractionDetailDto>(`/interactions/${enc(id)}`, { signal }),
  /** The file's bytes (the route needs the bearer token, so a plain link cannot fetch it). */
  interactionAttachment: (id: string, sha256: string) =>
    apiRequest<Blob>(`/interactions/${enc(id)}/attachments/${enc(sha256)}`, { as: 'blob' }),
  unlinkInteraction: (id: string, clientId: string) =>
    apiRequest<void>(`/interactions/${enc(id)}/links/${enc(clientId)}`, { method: 'DELETE' }),
  clientInteractions: (clientId: string, limit: number, cursor: string | null, signal?: AbortSignal) =>
    apiRequest<ClientInteractionsDto>(
      `/clients/${enc(clientId)}/interactions?limit=${limit}${cursor ? `&cursor=${enc(cursor)}` : ''}`,
      { signal },
    ),
  prospectCandidates: (q: { email?: string; displayName?: string }, signal?: AbortSignal) =>
    apiRequest<CandidatesDto>(
      `/prospects/candidates?${new URLSearchParams(Object.entries(q).filter(([, v]) => v) as [string, string][])}`,
      { signal },
    ),
  createProspect: (body: CreateProspectRequestDto) =>
    apiRequest<ProspectCreatedDto>('/prospects', { method: 'POST', body }),
  addContactPoint: (clientId: string, body: AddContactPointRequestDto) =>
    apiRequest<ContactPointAddedDto>(`/clients/${enc(clientId)}/contact-points`, { method: 'POST', body }),
  createCreditApplication: (body: CreateCreditApplicationRequestDto) =>
    apiRequest<CreditApplicationDetailDto>('/credit-applications', { method: 'POST', body }),
  /** GET /credit-applications/:id: stages, decision and what the user may do now (`actions`). Audited. */
  creditApplication: (id: string, signal?: AbortSignal) =>
    apiRequest<CreditApplicationDetailDto>(`/credit-applications/${enc(id)}`, { signal }),
  advanceCreditApplication: (id: string, body: AdvanceStageRequestDto) =>
    apiRequest<CreditApplicationDetailDto>(`/credit-applications/${enc(id)}/advance`, {
      method: 'POST',
      body,
    }),
  returnCreditApplication: (id: string, body: ReturnStageRequestDto) =>
    apiRequest<CreditApplicationDetailDto>(`/credit-applications/${enc(id)}/return`, {
      method: 'POST',
      body,
    }),
  decideCreditApplication: (id: string, body: DecisionRequestDto) =>
    apiRequest<CreditApplicationDetailDto>(`/credit-applications/${enc(id)}/decision`, {
      method: 'POST',
      body,
    }),
  nudgeCreditApplication: (id: string, body: NudgeRequestDto) =>
    apiRequest<CreditNoticeDto>(`/credit-applications/${enc(id)}/nudges`, { method: 'POST', body }),
  /** GET /credit-applications/notices: the user's notices (newest first) and how many are unread. */
  creditNotices: (signal?: AbortSignal) =>
    apiRequest<CreditNoticesDto>('/credit-applications/notices?limit=100', { signal }),
  /** GET /credit-applications/notices/unread-count: the badge's number, cheap (no client data). */
  creditNoticesUnread: (signal?: AbortSignal) =>
    apiRequest<CreditNoticesUnreadDto>('/credit-applications/notices/unread-count', { signal }),
  /** POST /credit-applications/notices/read: marks the user's notices read (by id, or all). */
  markCreditNoticesRead: (ids: string[] | 'all') =>
    apiRequest<MarkNoticesReadResultDto>('/credit-applications/notices/read', {
      method: 'POST',
      body: { ids },
    }),
  /** Dev mode only: the signed-in demo user's inbox for preview mode. */
  devInbox: () => apiRequest<DemoInboxDto>('/dev/inbox'),
};
