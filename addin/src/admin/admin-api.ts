import type {
  AdminUserDto,
  AdminUsersPageDto,
  AdminUsersQueryDto,
  ApprovalRouteDto,
  ApprovalRoutesDto,
  AuditEventsPageDto,
  AuditEventsQueryDto,
  BranchDto,
  BranchWorkingHoursDto,
  CreateAdminUserRequestDto,
  CreateApprovalRouteRequestDto,
  CreateBranchRequestDto,
  CreateEntraRoleMappingDto,
  CreateHolidayRequestDto,
  CreateRegionRequestDto,
  CreateTaskTypeRequestDto,
  CreateTeamRequestDto,
  DeactivateUserRequestDto,
  DeactivateUserResultDto,
  EntraRoleMappingDto,
  EntraRoleMappingListDto,
  HolidayDto,
  HolidaysDto,
  HolidaysQueryDto,
  M365HealthDto,
  M365SettingsDto,
  M365TestResultDto,
  MeDto,
  NewApprovalRouteVersionRequestDto,
  NotificationTemplateDto,
  NotificationTemplatesDto,
  OrganisationDto,
  PatchWorkingHoursRequestDto,
  PreviewTemplateRequestDto,
  PreviewTemplateResultDto,
  RegionDto,
  SaveApprovalRouteResultDto,
  TaskPrioritySettingDto,
  TaskPrioritySettingsDto,
  TaskTypeSettingDto,
  TaskTypeSettingsDto,
  TeamDto,
  TemplateParamsDto,
  UpdateAdminUserRequestDto,
  UpdateBranchRequestDto,
  UpdateM365SettingsDto,
  UpdateNotificationTemplateRequestDto,
  UpdateRegionRequestDto,
  UpdateTaskPriorityRequestDto,
  UpdateTaskTypeRequestDto,
  UpdateTeamRequestDto,
} from '@crm/shared';
import { apiRequest } from '../api/client.ts';

/** Query string of the defined values only. */
function qs(q: Record<string, string | number | boolean | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The admin page's calls (`/api/v1/admin/*` and the audit query); each rejects with an `ApiError`. */
export const adminApi = {
  me: () => apiRequest<MeDto>('/me'),
  users: (q: AdminUsersQueryDto) => apiRequest<AdminUsersPageDto>(`/admin/users${qs(q)}`),
  user: (id: string) => apiRequest<AdminUserDto>(`/admin/users/${id}`),
  createUser: (body: CreateAdminUserRequestDto) =>
    apiRequest<AdminUserDto>('/admin/users', { method: 'POST', body }),
  updateUser: (id: string, body: UpdateAdminUserRequestDto) =>
    apiRequest<AdminUserDto>(`/admin/users/${id}`, { method: 'PATCH', body }),
  deactivateUser: (id: string, body: DeactivateUserRequestDto) =>
    apiRequest<DeactivateUserResultDto>(`/admin/users/${id}/deactivate`, { method: 'POST', body }),
  organisation: () => apiRequest<OrganisationDto>('/admin/organisation'),
  createRegion: (body: CreateRegionRequestDto) =>
    apiRequest<RegionDto>('/admin/regions', { method: 'POST', body }),
  updateRegion: (id: string, body: UpdateRegionRequestDto) =>
    apiRequest<RegionDto>(`/admin/regions/${id}`, { method: 'PATCH', body }),
  createBranch: (body: CreateBranchRequestDto) =>
    apiRequest<BranchDto>('/admin/branches', { method: 'POST', body }),
  updateBranch: (id: string, body: UpdateBranchRequestDto) =>
    apiRequest<BranchDto>(`/admin/branches/${id}`, { method: 'PATCH', body }),
  createTeam: (body: CreateTeamRequestDto) => apiRequest<TeamDto>('/admin/teams', { method: 'POST', body }),
  updateTeam: (id: string, body: UpdateTeamRequestDto) =>
    apiRequest<TeamDto>(`/admin/teams/${id}`, { method: 'PATCH', body }),
  // Work settings (WorkSettingsSection.tsx)
  taskTypes: () => apiRequest<TaskTypeSettingsDto>('/admin/task-types'),
  createTaskType: (body: CreateTaskTypeRequestDto) =>
    apiRequest<TaskTypeSettingDto>('/admin/task-types', { method: 'POST', body }),
  updateTaskType: (code: string, body: UpdateTaskTypeRequestDto) =>
    apiRequest<TaskTypeSettingDto>(`/admin/task-types/${code}`, { method: 'PATCH', body }),
  taskPriorities: () => apiRequest<TaskPrioritySettingsDto>('/admin/task-priorities'),
  updateTaskPriority: (code: string, body: UpdateTaskPriorityRequestDto) =>
    apiRequest<TaskPrioritySettingDto>(`/admin/task-priorities/${code}`, { method: 'PATCH', body }),
  workingHours: (branchId: string) =>
    apiRequest<BranchWorkingHoursDto>(`/admin/branches/${branchId}/working-hours`),
  saveWorkingHours: (branchId: string, body: PatchWorkingHoursRequestDto) =>
    apiRequest<BranchWorkingHoursDto>(`/admin/branches/${branchId}/working-hours`, { method: 'PATCH', body }),
  // Credit settings (CreditSettingsSection.tsx)
  creditRoutes: () => apiRequest<ApprovalRoutesDto>('/admin/credit/routes'),
  createCreditRoute: (body: CreateApprovalRouteRequestDto) =>
    apiRequest<SaveApprovalRouteResultDto>('/admin/credit/routes', { method: 'POST', body }),
  saveCreditRouteVersion: (id: string, body: NewApprovalRouteVersionRequestDto) =>
    apiRequest<SaveApprovalRouteResultDto>(`/admin/credit/routes/${id}/versions`, { method: 'POST', body }),
  deactivateCreditRoute: (id: string, version: number) =>
    apiRequest<ApprovalRouteDto>(`/admin/credit/routes/${id}/deactivate`, {
      method: 'POST',
      body: { version },
    }),
  holidays: (q: HolidaysQueryDto) => apiRequest<HolidaysDto>(`/admin/credit/holidays${qs(q)}`),
  createHoliday: (body: CreateHolidayRequestDto) =>
    apiRequest<HolidayDto>('/admin/credit/holidays', { method: 'POST', body }),
  deleteHoliday: (id: string) => apiRequest<HolidayDto>(`/admin/credit/holidays/${id}`, { method: 'DELETE' }),
  templates: () => apiRequest<NotificationTemplatesDto>('/admin/credit/templates'),
  updateTemplate: (k: TemplateParamsDto, body: UpdateNotificationTemplateRequestDto) =>
    apiRequest<NotificationTemplateDto>(`/admin/credit/templates/${k.event}/${k.channel}/${k.lang}`, {
      method: 'PATCH',
      body,
    }),
  previewTemplate: (body: PreviewTemplateRequestDto) =>
    apiRequest<PreviewTemplateResultDto>('/admin/credit/templates/preview', { method: 'POST', body }),
  // Microsoft 365 connection (M365Section.tsx)
  m365: () => apiRequest<M365SettingsDto>('/admin/m365'),
  saveM365: (body: UpdateM365SettingsDto) =>
    apiRequest<M365SettingsDto>('/admin/m365', { method: 'PUT', body }),
  testM365: (mailbox: string) =>
    apiRequest<M365TestResultDto>('/admin/m365/test', { method: 'POST', body: { mailbox } }),
  m365Health: () => apiRequest<M365HealthDto>('/admin/m365/health'),
  roleMappings: () => apiRequest<EntraRoleMappingListDto>('/admin/entra-role-mappings'),
  createRoleMapping: (body: CreateEntraRoleMappingDto) =>
    apiRequest<EntraRoleMappingDto>('/admin/entra-role-mappings', { method: 'POST', body }),
  deleteRoleMapping: (id: string) =>
    apiRequest<void>(`/admin/entra-role-mappings/${id}`, { method: 'DELETE' }),
  // end of Microsoft 365
  auditEvents: (q: AuditEventsQueryDto) => apiRequest<AuditEventsPageDto>(`/audit-events${qs(q)}`),
  auditCsv: (q: Omit<AuditEventsQueryDto, 'limit' | 'cursor'>) =>
    apiRequest<Blob>(`/admin/audit-events.csv${qs(q)}`, { as: 'blob' }),
};
