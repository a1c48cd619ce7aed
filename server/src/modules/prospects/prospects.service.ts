import {
  type AddContactPointRequestDto,
  AppError,
  type CandidatesDto,
  type ContactPointAddedDto,
  type CreateProspectRequestDto,
  type DuplicateCandidateDto,
  foldName,
  normalizeAddress,
  normalizePhone,
  type ProspectCreatedDto,
  type UserRefDto,
  validateInn,
  validateInn10,
  validateInn12,
} from '@crm/shared';
import type { Db } from '../../db/database.ts';
import { type RequestOrigin, recordAudit } from '../audit/audit.repository.ts';
import type { Principal } from '../auth/principal.ts';
import {
  cleanNamePart,
  domainHint,
  nameKind,
  type PersonName,
  parseDisplayName,
  withoutSoleProprietor,
} from './person-name.ts';
import {
  clientExists,
  findCompaniesByDomain,
  findMatches,
  findSummaries,
  findVisibleClient,
  insertContactPoint,
  insertProspect,
  lockProspectKeys,
  type NewProspect,
  supervisorOf,
  userBranch,
} from './prospects.repository.ts';

const MAX_CANDIDATES = 10;

function emailKeyOf(raw: string | undefined, field: string): string {
  if (!raw) return '';
  const n = normalizeAddress(raw);
  if (n.kind !== 'smtp') throw new AppError('VALIDATION_FAILED', `${field}: not an email address`, field);
  return n.key;
}

function innOf(raw: string | undefined, field: string, validate = validateInn): string {
  if (!raw?.trim()) return '';
  const r = validate(raw);
  if (!r.ok)
    throw new AppError(
      'VALIDATION_FAILED',
      r.reason === 'checksum'
        ? `${field}: the INN check digit is wrong`
        : r.reason === 'component'
          ? `${field}: not a valid INN (all zeros)`
          : `${field}: not an INN of this kind`,
      field,
    );
  return r.value;
}

type Check = {
  candidates: DuplicateCandidateDto[];
  /** Exact email/INN matches among hidden clients (similar names of hidden clients are never counted). */
  hiddenMatches: number;
  /** Exact email/INN matches, visible or not. */
  exact: number;
  /** Clients with the same INN, visible or not: a create is refused whatever the user confirms. */
  inn: { visible: DuplicateCandidateDto[]; hidden: number; clientIds: string[] };
};

/** The duplicate check: exact email and INN first, then similar names; visible ones shown, the rest counted. */
async function duplicateCheck(
  db: Db,
  p: Principal,
  q: { emailKey: string; inn: string; foldedName: string },
): Promise<Check> {
  const matches = await findMatches(db, q);
  const byClient = new Map<
    string,
    { reasons: Set<DuplicateCandidateDto['reasons'][number]>; sim: number | null }
  >();
  for (const m of matches) {
    const entry = byClient.get(m.clientId) ?? { reasons: new Set(), sim: null };
    entry.reasons.add(m.reason);
    if (m.similarity !== null) entry.sim = Math.max(entry.sim ?? 0, m.similarity);
    byClient.set(m.clientId, entry);
  }
  const domain = q.emailKey.split('@')[1] ?? '';
  const summaries = await findSummaries(db, p, [...byClient.keys()], domain);
  const isExact = (id: string) => {
    const r = byClient.get(id)!.reasons;
    return r.has('email') || r.has('inn');
  };
  const exact = summaries.filter((s) => isExact(s.id)).length;
  const sameInn = summaries.filter((s) => byClient.get(s.id)!.reasons.has('inn'));
  const candidates = summaries
    .filter((s) => s.visible)
    .map(({ visible: _v, sameDomain, ...client }) => {
      const m = byClient.get(client.id)!;
      if (sameDomain) m.reasons.add('domain');
      const reasons = (['email', 'inn', 'name', 'domain'] as const).filter((r) => m.reasons.has(r));
      return { client, reasons, similarity: m.sim === null ? null : Math.round(m.sim * 1000) / 1000 };
    })
    .sort((a, b) => {
      const exactA = a.reasons.includes('email') || a.reasons.includes('inn') ? 1 : 0;
      const exactB = b.reasons.includes('email') || b.reasons.includes('inn') ? 1 : 0;
      if (exactA !== exactB) return exactB - exactA;
      const domA = a.reasons.includes('domain') ? 1 : 0;
      const domB = b.reasons.includes('domain') ? 1 : 0;
      if (domA !== domB) return domB - domA;
      return (b.similarity ?? 0) - (a.similarity ?? 0);
    });
  return {
    candidates: candidates.slice(0, MAX_CANDIDATES),
    hiddenMatches: summaries.filter((s) => !s.visible && isExact(s.id)).length,
    exact,
    inn: {
      visible: candidates.filter((c) => c.reasons.includes('inn')),
      hidden: sameInn.filter((s) => !s.visible).length,
      clientIds: sameInn.map((s) => s.id),
    },
  };
}

async function auditShown(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  c: DuplicateCandidateDto[],
  via: string,
) {
  if (c.length === 0) return;
  await recordAudit(db, p, origin, [
    {
      action: 'client.search',
      result: 'ok',
      clientIds: c.map((x) => x.client.id),
      details: { via, fields: ['displayName', 'status', 'inn', 'manager'] },
    },
  ]);
}

function foldedPersonName(n: PersonName): string {
  return foldName([n.lastName, n.firstName, n.middleName ?? ''].join(' '));
}

/**
 * GET /prospects/candidates: before an unknown sender becomes a prospect, clients that may be the same
 * (exact email, exact INN, similar folded name, same email domain), the display name read as a person's name
 * (or as a company's, `suggestedKind`), and the companies the domain suggests. Shown candidates are audited
 * as a search; hidden clients are counted only for exact email/INN matches.
 * @throws AppError VALIDATION_FAILED (nothing to look for, a malformed email or INN)
 */
export async function findCandidates(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  q: { email?: string; displayName?: string; inn?: string },
): Promise<CandidatesDto> {
  if (!q.email?.trim() && !q.displayName?.trim() && !q.inn?.trim())
    throw new AppError('VALIDATION_FAILED', 'Give an email, a display name or an INN', 'querystring');
  const emailKey = emailKeyOf(q.email, 'querystring.email');
  const inn = innOf(q.inn, 'querystring.inn');
  const [local = '', domain = ''] = emailKey.split('@');
  const displayName = cleanNamePart(q.displayName);
  const kind = displayName ? nameKind(displayName) : null;
  const parsedName =
    displayName && kind !== 'company' ? parseDisplayName(withoutSoleProprietor(displayName), local) : null;
  const foldedName = parsedName ? foldedPersonName(parsedName) : foldName(displayName);
  const check = await duplicateCheck(db, p, { emailKey, inn, foldedName });
  let company: CandidatesDto['company'] = null;
  if (domain) {
    const hint = domainHint(domain);
    company = {
      domain,
      ...hint,
      clients: hint.publicMailService ? [] : await findCompaniesByDomain(db, p, domain, 5),
    };
  }
  const shown = [
    ...check.candidates,
    ...(company?.clients ?? []).map((client) => ({ client, reasons: [], similarity: null })),
  ];
  await auditShown(db, p, origin, shown, 'prospect.candidates');
  return {
    candidates: check.candidates,
    hiddenMatches: check.hiddenMatches,
    exactMatch: check.exact > 0,
    parsedName,
    suggestedKind: kind === 'company' ? 'legal_entity' : parsedName ? 'individual' : null,
    company,
  };
}

export type CreateProspectResult =
  | { kind: 'created'; body: ProspectCreatedDto }
  | { kind: 'duplicates'; candidates: DuplicateCandidateDto[]; hiddenMatches: number }
  | {
      kind: 'inn_exists';
      candidates: DuplicateCandidateDto[];
      hiddenMatches: number;
      ask: UserRefDto | null;
    };

/** The name of an individual: explicit parts, else read from the display name. */
function individualName(input: CreateProspectRequestDto, emailKey: string): PersonName {
  if (input.lastName !== undefined || input.firstName !== undefined) {
    const name = {
      lastName: cleanNamePart(input.lastName),
      firstName: cleanNamePart(input.firstName),
      middleName: cleanNamePart(input.middleName) || null,
    };
    if (!name.lastName && !name.firstName)
      throw new AppError(
        'VALIDATION_FAILED',
        'Give the name: lastName/firstName with visible letters',
        input.lastName !== undefined ? 'body.lastName' : 'body.firstName',
      );
    return name;
  }
  const displayName = cleanNamePart(input.displayName);
  if (displayName && nameKind(displayName) === 'company')
    throw new AppError(
      'VALIDATION_FAILED',
      'body.displayName names a company (a legal form such as ООО or АО): create a legal_entity with its INN',
      'body.displayName',
    );
  const parsed = displayName
    ? parseDisplayName(withoutSoleProprietor(displayName), emailKey.split('@')[0] ?? '')
    : null;
  if (!parsed?.lastName && !parsed?.firstName)
    throw new AppError(
      'VALIDATION_FAILED',
      'Give the name: lastName/firstName or displayName',
      'body.displayName',
    );
  return {
    lastName: cleanNamePart(parsed.lastName),
    firstName: cleanNamePart(parsed.firstName),
    middleName: cleanNamePart(parsed.middleName) || null,
  };
}

/**
 * POST /prospects: creates a `potential` client managed by the caller and served by the caller's branch,
 * with the email as its primary contact. A client with the same INN (visible or not) always stops the create
 * (one INN is one taxpayer): `inn_exists`, with that client when visible, else whom to ask. The same email
 * stops it unless the user confirms it is someone else (a shared mailbox). The check runs again under
 * advisory locks on those keys so two users creating the same person at once cannot both pass it.
 * @throws AppError FORBIDDEN (only relationship managers and supervisors create clients), VALIDATION_FAILED
 */
export async function createProspect(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  input: CreateProspectRequestDto,
): Promise<CreateProspectResult> {
  if (p.role !== 'relationship_manager' && p.role !== 'supervisor')
    throw new AppError('FORBIDDEN', 'Only relationship managers and supervisors create clients');
  const emailKey = emailKeyOf(input.email, 'body.email');
  let prospect: NewProspect;
  if (input.kind === 'individual') {
    const inn = innOf(input.inn, 'body.inn', validateInn12);
    const name = individualName(input, emailKey);
    const displayName = [name.lastName, name.firstName, name.middleName].filter(Boolean).join(' ');
    prospect = { kind: 'individual', displayName, searchName: foldName(displayName), name, inn: inn || null };
  } else {
    const fullName = cleanNamePart(input.fullName ?? input.displayName);
    if (!fullName)
      throw new AppError(
        'VALIDATION_FAILED',
        'A company needs fullName with visible letters',
        input.fullName !== undefined ? 'body.fullName' : 'body.displayName',
      );
    const inn = innOf(input.inn, 'body.inn', validateInn10);
    if (!inn) throw new AppError('VALIDATION_FAILED', 'A company needs its 10-digit INN', 'body.inn');
    const shortName = cleanNamePart(input.shortName) || fullName;
    prospect = {
      kind: 'legal_entity',
      displayName: shortName,
      searchName: foldName(shortName),
      fullName,
      shortName,
      inn,
    };
  }
  prospect.preferredLanguage = input.preferredLanguage ?? null;
  const branchId = await userBranch(db, p.id);
  let innClientIds: string[] = [];
  const result = await db.transaction().execute(async (trx): Promise<CreateProspectResult> => {
    await lockProspectKeys(trx, [emailKey, prospect.inn ?? '']);
    const check = await duplicateCheck(trx, p, {
      emailKey,
      inn: prospect.inn ?? '',
      foldedName: prospect.searchName,
    });
    if (check.inn.clientIds.length > 0) {
      innClientIds = check.inn.clientIds;
      return {
        kind: 'inn_exists',
        candidates: check.inn.visible,
        hiddenMatches: check.inn.hidden,
        ask: check.inn.hidden > 0 ? await supervisorOf(trx, p.id) : null,
      };
    }
    if (check.exact > 0 && !input.confirmNotDuplicate)
      return { kind: 'duplicates', candidates: check.candidates, hiddenMatches: check.hiddenMatches };
    const contacts = input.email
      ? [{ kind: 'email' as const, value: input.email.trim(), normalized: emailKey }]
      : [];
    const id = await insertProspect(trx, prospect, p.id, branchId, contacts);
    await recordAudit(trx, p, origin, [
      {
        action: 'client.create',
        result: 'ok',
        clientIds: [id],
        entity: 'client',
        entityId: id,
        details: {
          status: 'potential',
          kind: prospect.kind,
          via: 'prospect',
          fields: [
            'displayName',
            ...(prospect.inn ? ['inn'] : []),
            ...(contacts.length ? ['contacts'] : []),
            ...(prospect.preferredLanguage ? ['preferredLanguage'] : []),
          ],
          exactMatches: check.exact,
          confirmedNotDuplicate: check.exact > 0,
        },
      },
    ]);
    return {
      kind: 'created',
      body: {
        client: {
          id,
          kind: prospect.kind,
          displayName: prospect.displayName,
          status: 'potential',
          inn: prospect.inn || null,
          manager: { id: p.id, name: p.name },
        },
        contacts: contacts.map((c) => ({ kind: c.kind, value: c.value })),
      },
    };
  });
  if (result.kind !== 'created') await auditShown(db, p, origin, result.candidates, 'prospect.create');
  if (result.kind === 'inn_exists')
    await recordAudit(db, p, origin, [
      {
        action: 'client.create',
        result: 'denied',
        clientIds: innClientIds,
        details: { reason: 'inn_exists', via: 'prospect', hiddenMatches: result.hiddenMatches },
      },
    ]);
  return result;
}

/**
 * Links an unknown sender's address (or a phone) to a visible client. Idempotent: the same value again
 * answers `created: false`. The first contact of its kind becomes primary.
 * @throws AppError NOT_FOUND (client not visible; audited), VALIDATION_FAILED (not an email / phone)
 */
export async function addContactPoint(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  clientId: string,
  input: AddContactPointRequestDto,
): Promise<ContactPointAddedDto> {
  const value = input.value.trim();
  const normalized = input.kind === 'email' ? emailKeyOf(value, 'body.value') : normalizePhone(value);
  if (!normalized) throw new AppError('VALIDATION_FAILED', 'body.value: not a phone number', 'body.value');
  if (!(await findVisibleClient(db, p, clientId))) {
    if (await clientExists(db, clientId))
      await recordAudit(db, p, origin, [
        { action: 'client.contact_point.add', result: 'denied', clientIds: [clientId] },
      ]);
    throw new AppError('NOT_FOUND', 'No such client, or it is not visible to you', 'params.id');
  }
  return db.transaction().execute(async (trx) => {
    const created = await insertContactPoint(trx, { clientId, kind: input.kind, value, normalized });
    await recordAudit(trx, p, origin, [
      {
        action: 'client.contact_point.add',
        result: 'ok',
        clientIds: [clientId],
        entity: 'client',
        entityId: clientId,
        details: { kind: input.kind, created },
      },
    ]);
    return { clientId, kind: input.kind, value, created };
  });
}
