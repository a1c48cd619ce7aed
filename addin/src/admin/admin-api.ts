import type {
  AdminUserDto,
  AdminUsersPageDto,
  AdminUsersQueryDto,
  AuditEventsPageDto,
  AuditEventsQueryDto,
  BranchDto,
  CreateAdminUserRequestDto,
  CreateBranchRequestDto,
  CreateRegionRequestDto,
  CreateTeamRequestDto,
  DeactivateUserRequestDto,
  DeactivateUserResultDto,
  MeDto,
  OrganisationDto,
  RegionDto,
  TeamDto,
  UpdateAdminUserRequestDto,
  UpdateBranchRequestDto,
  UpdateRegionRequestDto,
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
  auditEvents: (q: AuditEventsQueryDto) => apiRequest<AuditEventsPageDto>(`/audit-events${qs(q)}`),
  auditCsv: (q: Omit<AuditEventsQueryDto, 'limit' | 'cursor'>) =>
    apiRequest<Blob>(`/admin/audit-events.csv${qs(q)}`, { as: 'blob' }),
};
