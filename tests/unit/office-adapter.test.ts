import { OfficeMockObject } from 'office-addin-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { itemKey } from '../../addin/src/office/mail-host.ts';
import {
  createOfficeHost,
  OfficeError,
  onItemChanged,
  readCurrentItem,
  waitForOutlook,
} from '../../addin/src/office/office-host.ts';

// Office.js enumerations as the hosted office.js defines them at run time.
const ENUMS = {
  AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
  EventType: { ItemChanged: 'olkItemSelectedChanged' },
  HostType: { Outlook: 'Outlook' },
  MailboxEnums: { ItemType: { Message: 'message', Appointment: 'appointment' } },
};

type Callback = (result: {
  status: string;
  value?: unknown;
  error?: { code: number; message: string };
}) => void;

const message = {
  itemType: 'message',
  itemId: 'AAMkAD-message-1',
  internetMessageId: '<a1@severstal-trade.example>',
  conversationId: 'conv-1',
  subject: 'Продление кредитной линии',
  from: { displayName: 'Ilya Sorokin', emailAddress: 'i.sorokin@severstal-trade.example' },
  to: [{ displayName: 'RM One', emailAddress: 'rm1@bank.example' }],
  cc: [{ displayName: 'Anna Belova', emailAddress: 'belova@agro-south.example' }],
};

const appointment = {
  itemType: 'appointment',
  itemId: 'AAMkAD-appointment-9',
  conversationId: 'conv-9',
  subject: 'Встреча: условия кредитования',
  organizer: { displayName: 'RM One', emailAddress: 'rm1@bank.example' },
  requiredAttendees: [
    { displayName: 'Ilya Sorokin', emailAddress: 'i.sorokin@severstal-trade.example' },
    { displayName: 'RM One', emailAddress: 'rm1@bank.example' },
  ],
  optionalAttendees: [{ displayName: 'Anna Belova', emailAddress: 'belova@agro-south.example' }],
};

/** An Outlook mock (office-addin-mock, host outlook) whose ItemChanged registration is observable. */
function outlook(item: object | null, opts: { addHandlerFails?: boolean } = {}) {
  const handlers: Array<() => void> = [];
  const data = {
    ...ENUMS,
    onReady: async () => ({ host: 'Outlook', platform: 'OfficeOnline' }),
    context: {
      displayLanguage: 'ru-RU',
      officeTheme: { bodyBackgroundColor: '#1f1f1f' },
      mailbox: {
        userProfile: { emailAddress: 'r.one@corp.bank.example', displayName: 'RM One' },
        ...(item ? { item } : {}),
        addHandlerAsync(eventType: string, handler: () => void, callback: Callback) {
          if (opts.addHandlerFails) {
            callback({
              status: 'failed',
              error: { code: 5000, message: 'The add-in is not allowed to do that.' },
            });
            return;
          }
          if (eventType === ENUMS.EventType.ItemChanged) handlers.push(handler);
          callback({ status: 'succeeded' });
        },
        removeHandlerAsync(_eventType: string, callback: Callback) {
          handlers.length = 0;
          callback({ status: 'succeeded' });
        },
      },
    },
  };
  // The mock reads `host` from the data: with host outlook every property is readable without load/sync.
  const mock = new OfficeMockObject({ ...data, host: 'outlook' });
  if (!item) mock.context.mailbox.item = null;
  vi.stubGlobal('Office', mock);
  return {
    mock,
    fire: () => {
      for (const h of handlers) h();
    },
    handlers,
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Office adapter', () => {
  it('reads a message as from, to and cc with the ids and the user address', async () => {
    outlook(message);
    const ctx = await readCurrentItem();
    expect(ctx).toEqual({
      itemType: 'message',
      itemId: 'AAMkAD-message-1',
      internetMessageId: '<a1@severstal-trade.example>',
      conversationId: 'conv-1',
      subject: 'Продление кредитной линии',
      participants: [
        { role: 'from', displayName: 'Ilya Sorokin', emailAddress: 'i.sorokin@severstal-trade.example' },
        { role: 'to', displayName: 'RM One', emailAddress: 'rm1@bank.example' },
        { role: 'cc', displayName: 'Anna Belova', emailAddress: 'belova@agro-south.example' },
      ],
      userAddresses: ['r.one@corp.bank.example'],
    });
  });

  it('reads an appointment as organizer and every required and optional attendee', async () => {
    outlook(appointment);
    const ctx = await readCurrentItem();
    expect(ctx?.itemType).toBe('appointment');
    expect(ctx?.internetMessageId).toBeNull();
    expect(ctx?.participants).toEqual([
      { role: 'organizer', displayName: 'RM One', emailAddress: 'rm1@bank.example' },
      {
        role: 'requiredAttendee',
        displayName: 'Ilya Sorokin',
        emailAddress: 'i.sorokin@severstal-trade.example',
      },
      { role: 'requiredAttendee', displayName: 'RM One', emailAddress: 'rm1@bank.example' },
      { role: 'optionalAttendee', displayName: 'Anna Belova', emailAddress: 'belova@agro-south.example' },
    ]);
  });

  it('passes raw addresses through untouched: empty sender, spaces, LegacyExchangeDN', async () => {
    const dn =
      '/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=x-ovolkova';
    outlook({
      ...message,
      from: { displayName: '', emailAddress: '' },
      to: [{ displayName: 'IVAN PETROV', emailAddress: '  Ivan.Petrov@Example-Holding.RU ' }],
      cc: [{ displayName: 'Olga Volkova', emailAddress: dn }],
    });
    const ctx = await readCurrentItem();
    expect(ctx?.participants.map((p) => p.emailAddress)).toEqual([
      '',
      '  Ivan.Petrov@Example-Holding.RU ',
      dn,
    ]);
  });

  it('gives null when no item is selected', async () => {
    outlook(null);
    await expect(readCurrentItem()).resolves.toBeNull();
  });

  it('rejects with the Office error when a getAsync call reports Failed', async () => {
    outlook({
      ...message,
      to: {
        getAsync: (cb: Callback) => cb({ status: 'failed', error: { code: 9041, message: 'Network error' } }),
      },
    });
    const err = await readCurrentItem().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OfficeError);
    expect(err).toMatchObject({ code: 9041, message: 'to: Network error' });
  });

  it('rejects the ItemChanged subscription when addHandlerAsync reports Failed', async () => {
    outlook(message, { addHandlerFails: true });
    await expect(onItemChanged(() => {})).rejects.toMatchObject({ name: 'OfficeError', code: 5000 });
  });

  it('hands the new item, or null, to the handler on ItemChanged', async () => {
    const { mock, fire } = outlook(message);
    const seen: Array<string | null> = [];
    const off = await onItemChanged((item) => seen.push(item ? item.subject : null));
    mock.context.mailbox.item = new OfficeMockObject({ ...appointment, host: 'outlook' });
    fire();
    await vi.waitFor(() => expect(seen).toEqual(['Встреча: условия кредитования']));
    mock.context.mailbox.item = null;
    fire();
    await vi.waitFor(() => expect(seen).toEqual(['Встреча: условия кредитования', null]));
    off();
  });

  it('notices an item switch without ItemChanged when the pane regains focus (office-js#1096)', async () => {
    const win = new EventTarget();
    const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
    vi.stubGlobal('window', win);
    vi.stubGlobal('document', doc);
    const { mock } = outlook(message);
    const seen: string[] = [];
    const off = await onItemChanged((item) => seen.push(item?.itemId ?? 'none'));
    win.dispatchEvent(new Event('focus'));
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual([]); // same item: nothing to do

    mock.context.mailbox.item = new OfficeMockObject({
      ...message,
      itemId: 'AAMkAD-message-2',
      host: 'outlook',
    });
    doc.dispatchEvent(new Event('visibilitychange'));
    await vi.waitFor(() => expect(seen).toEqual(['AAMkAD-message-2']));
    off();
  });

  it('keys drafts by item id, falling back to the internetMessageId', async () => {
    outlook(message);
    const ctx = (await readCurrentItem())!;
    expect(itemKey(ctx)).toBe('id:AAMkAD-message-1');
    expect(itemKey({ ...ctx, itemId: null })).toBe('imid:<a1@severstal-trade.example>');
  });

  it('detects Outlook through Office.onReady, and no host when office.js is missing', async () => {
    outlook(message);
    await expect(waitForOutlook(200)).resolves.toBe(true);
    const host = createOfficeHost();
    expect({ kind: host.kind, lang: host.displayLanguage, theme: host.theme }).toEqual({
      kind: 'office',
      lang: 'ru-RU',
      theme: 'dark', // officeTheme.bodyBackgroundColor #1f1f1f
    });
    vi.unstubAllGlobals();
    vi.stubGlobal('Office', undefined);
    await expect(waitForOutlook(200)).resolves.toBe(false);
  });
});
