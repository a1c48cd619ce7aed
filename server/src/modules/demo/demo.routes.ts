import { AppError, DemoInbox, type DemoItemDto, normalizeAddress } from '@crm/shared';
import type { ApiApp } from '../../app.ts';
import type { Db } from '../../db/database.ts';
import { originOf } from '../../plugins/auth.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { visibleClient } from '../auth/principal.ts';
import { LEGACY_DN_VOLKOVA } from './demo-data.ts';

type A = { displayName: string; emailAddress: string };
const a = (displayName: string, emailAddress: string): A => ({ displayName, emailAddress });

function item(
  n: number,
  partial: Partial<DemoItemDto> & Pick<DemoItemDto, 'subject' | 'itemType'>,
  now: Date,
): DemoItemDto {
  return {
    id: `demo-${n}`,
    internetMessageId: `<demo-${n}@mail.bank.example>`,
    conversationId: `conv-${n}`,
    dateTimeCreated: new Date(now.getTime() - n * 47 * 60_000).toISOString(),
    from: null,
    to: [],
    cc: [],
    organizer: null,
    requiredAttendees: [],
    optionalAttendees: [],
    bodyPreview: '',
    caseId: null,
    ...partial,
  };
}

/**
 * The demo mailbox: one item per sender situation of the pane (senders.json) plus letters from a few
 * clients the user can see. Shapes follow Office.js `item` so the preview mode and the Office host emulator
 * feed the pane exactly as Outlook would.
 */
export function buildDemoInbox(me: A, extra: A[], now: Date): DemoItemDto[] {
  const items: DemoItemDto[] = [
    item(
      1,
      {
        itemType: 'message',
        subject: 'Продление кредитной линии',
        from: a('Ilya Sorokin', 'i.sorokin@severstal-trade.example'),
        to: [me],
        bodyPreview: 'Добрый день! Прошу рассмотреть продление лимита…',
        caseId: 'plain-external-sender',
      },
      now,
    ),
    item(
      2,
      {
        itemType: 'message',
        subject: 'Выписка за ноябрь',
        from: a('IVAN PETROV', '  Ivan.Petrov@Example-Holding.RU '),
        to: [me],
        bodyPreview: 'Направьте, пожалуйста, выписку…',
        caseId: 'case-and-whitespace',
      },
      now,
    ),
    item(
      3,
      {
        itemType: 'message',
        subject: 'Реквизиты для договора',
        from: a('Приёмная', 'office@xn--e1afmkfd.xn--p1ai'),
        to: [me],
        bodyPreview: 'Высылаем реквизиты ООО «Пример»…',
        caseId: 'idn-unicode-vs-punycode',
      },
      now,
    ),
    item(
      4,
      {
        itemType: 'message',
        subject: 'Клиент просит перезвонить',
        from: a('Olga Volkova', LEGACY_DN_VOLKOVA),
        to: [me],
        bodyPreview: 'Коллега, клиент Белова просит перезвонить…',
        caseId: 'legacy-exchange-dn-colleague',
      },
      now,
    ),
    item(
      5,
      {
        itemType: 'message',
        subject: 'Re: Документы по ипотеке',
        from: a('', ''),
        to: [a('Anna Belova', 'belova@agro-south.example')],
        cc: [me],
        bodyPreview: 'Анна Викторовна, направляю список документов…',
        caseId: 'sent-items-empty-from',
      },
      now,
    ),
    item(
      6,
      {
        itemType: 'message',
        subject: 'Заявка на карту',
        from: a('Maria Kim', 'kim@tatneft-supply.example'),
        to: [a(me.displayName, 'r.one@corp.bank.example')],
        bodyPreview: 'Хочу оформить премиальную карту…',
        caseId: 'own-address-is-upn',
      },
      now,
    ),
    item(
      7,
      {
        itemType: 'message',
        subject: 'Платёжные поручения',
        from: a('Бухгалтерия', 'buh@group-finance.example'),
        to: [me],
        bodyPreview: 'Направляем платёжные поручения по обеим компаниям…',
        caseId: 'shared-corporate-mailbox',
      },
      now,
    ),
    item(
      8,
      {
        itemType: 'message',
        subject: 'Финансовая отчётность АО «Урал-Металл»',
        from: a('Pavel Orlov', 'orlov@ural-metall.example'),
        to: [me],
        bodyPreview: 'Во вложении отчётность за 9 месяцев…',
        caseId: 'contact-person-of-company',
      },
      now,
    ),
    item(
      9,
      {
        itemType: 'appointment',
        subject: 'Встреча: условия кредитования',
        organizer: me,
        requiredAttendees: [a('Ilya Sorokin', 'i.sorokin@severstal-trade.example'), me],
        optionalAttendees: [a('Anna Belova', 'belova@agro-south.example')],
        bodyPreview: 'Обсуждение условий',
        caseId: 'meeting-attendees',
      },
      now,
    ),
    item(
      10,
      {
        itemType: 'message',
        subject: 'Открытие счёта для ИП',
        from: a('Ekaterina Lebedeva', 'lebedeva@new-prospect.example'),
        to: [me],
        bodyPreview: 'Здравствуйте! Хочу открыть расчётный счёт…',
        caseId: 'unknown-sender',
      },
      now,
    ),
    item(
      11,
      {
        itemType: 'message',
        subject: 'Конфиденциально',
        from: a('Secret Client', 'vip@private-office.example'),
        to: [me],
        bodyPreview: 'Прошу связаться со мной лично…',
        caseId: 'not-visible-to-this-rm',
      },
      now,
    ),
  ];
  for (const [i, x] of extra.entries()) {
    items.push(
      item(
        20 + i,
        {
          itemType: 'message',
          subject: `Вопрос по обслуживанию №${i + 1}`,
          from: x,
          to: [me],
          bodyPreview: 'Добрый день! Подскажите, пожалуйста…',
        },
        now,
      ),
    );
  }
  return items;
}

/** GET /dev/inbox: the demo mailbox of the signed-in demo user (dev mode only). */
export async function devInboxRoutes(app: ApiApp, opts: { db: Db }) {
  app.get(
    '/dev/inbox',
    { schema: { tags: ['dev sign-in'], response: { 200: DemoInbox } } },
    async (request) => {
      const p = request.principal;
      if (!p) throw new AppError('UNAUTHENTICATED', 'Sign in first');
      const extra = await opts.db
        .selectFrom('clients as c')
        .innerJoin('contact_points as cp', (j) =>
          j.onRef('cp.client_id', '=', 'c.id').on('cp.kind', '=', 'email').on('cp.is_primary', '=', true),
        )
        .where(visibleClient(p))
        .where('c.status', '=', 'active')
        .select(['c.id', 'c.display_name as displayName', 'cp.value as emailAddress'])
        .orderBy('c.display_name')
        .limit(5)
        .execute();
      // Names and addresses of visible clients: a read of client data like any other.
      if (extra.length > 0)
        await recordAudit(opts.db, p, originOf(request, 'preview'), [
          {
            action: 'client.read',
            result: 'ok',
            clientIds: extra.map((x) => x.id),
            details: { view: 'demo_inbox', fields: ['displayName', 'email'] },
          },
        ]);
      const me = a(p.name, p.email);
      const senders = extra.map((x) => a(x.displayName, x.emailAddress));
      return { mailbox: normalizeAddress(p.email).key, items: buildDemoInbox(me, senders, new Date()) };
    },
  );
}
