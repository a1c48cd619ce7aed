import type {
  ClientCardDto,
  ClientSearchResultDto,
  CreateTaskRequestDto,
  DemoInboxDto,
  MailContextRequestDto,
  MailContextResponseDto,
  MeDto,
  TaskDto,
  UpdateTaskRequestDto,
} from '@crm/shared';
import { apiRequest } from './client.ts';

/** Typed calls of the CRM API (`/api/v1`); each rejects with an `ApiError`. */
export const crmApi = {
  me: () => apiRequest<MeDto>('/me'),
  mailContext: (body: MailContextRequestDto, signal?: AbortSignal) =>
    apiRequest<MailContextResponseDto>('/mail-context', { method: 'POST', body, signal }),
  searchClients: (q: string, signal?: AbortSignal) =>
    apiRequest<ClientSearchResultDto>(`/clients?q=${encodeURIComponent(q)}&limit=10`, { signal }),
  client: (id: string, signal?: AbortSignal) =>
    apiRequest<ClientCardDto>(`/clients/${encodeURIComponent(id)}`, { signal }),
  createTask: (body: CreateTaskRequestDto) => apiRequest<TaskDto>('/tasks', { method: 'POST', body }),
  updateTask: (id: string, body: UpdateTaskRequestDto) =>
    apiRequest<TaskDto>(`/tasks/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
  /** Dev mode only: the signed-in demo user's inbox for preview mode. */
  devInbox: () => apiRequest<DemoInboxDto>('/dev/inbox'),
};
