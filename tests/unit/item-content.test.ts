import { afterEach, describe, expect, it, vi } from 'vitest';
import { readItemContent, readItemDetails } from '../../addin/src/office/item-content.ts';
import { OfficeError } from '../../addin/src/office/office-host.ts';

// The Office adapter's item content for logging: which route (getAsFileAsync or body + attachments), the
// 3-call limit of Outlook on the web, failures as rejections, and the id a meeting is logged under.

type Result = { status: string; value?: unknown; error?: { code: number; message: string } };
type Callback = (r: Result) => void;

const ok = (value: unknown): Result => ({ status: 'succeeded', value });

/** An Office global with one read-mode item; every async method completes after `delayMs`, counted. */
function outlook(item: Record<string, unknown>, opts: { mailbox?: string; failAttachment?: string } = {}) {
  const calls: string[] = [];
  let inFlight = 0;
  let peak = 0;
  const later = (name: string, cb: Callback, r: () => Result) => {
    calls.push(name);
    inFlight++;
    peak = Math.max(peak, inFlight);
    setTimeout(() => {
      inFlight--;
      cb(r());
    }, 5);
  };
  const attachments = (item.attachments ?? []) as { id: string; content: string }[];
  const full = {
    ...item,
    body: {
      getAsync: (coercion: string, cb: Callback) =>
        later(`body.${coercion}`, cb, () => ok(coercion === 'html' ? '<p>Добрый день</p>' : 'Добрый день')),
    },
    getAttachmentContentAsync: (id: string, cb: Callback) =>
      later(`attachment.${id}`, cb, () =>
        id === opts.failAttachment
          ? { status: 'failed', error: { code: 9002, message: 'The attachment could not be read.' } }
          : ok({ format: 'base64', content: attachments.find((a) => a.id === id)?.content ?? '' }),
      ),
    getAsFileAsync: (cb: Callback) => later('getAsFileAsync', cb, () => ok('TUlNRQ==')),
  };
  vi.stubGlobal('Office', {
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
    CoercionType: { Html: 'html', Text: 'text' },
    MailboxEnums: { ItemType: { Message: 'message', Appointment: 'appointment' } },
    context: {
      requirements: {
        isSetSupported: (name: string, version: string) =>
          name === 'Mailbox' && (version !== '1.14' || opts.mailbox === '1.14'),
      },
      mailbox: { item: full, userProfile: { emailAddress: 'rm1@bank.example' } },
    },
  });
  return { calls, peak: () => peak };
}

const file = (id: string, name: string) => ({
  id,
  name,
  size: 4,
  contentType: 'application/pdf',
  isInline: false,
  attachmentType: 'file',
  content: Buffer.from(name).toString('base64'),
});

const message = {
  itemType: 'message',
  itemId: 'AAMk-1',
  internetMessageId: '<m1@client.example>',
  subject: 'Выписка',
  dateTimeCreated: new Date('2026-12-02T06:15:00Z'),
  from: { displayName: 'Ilya Sorokin', emailAddress: 'i.sorokin@severstal-trade.example' },
  to: [{ displayName: 'RM One', emailAddress: 'rm1@bank.example' }],
  cc: [],
  attachments: [file('a1', 'a.pdf'), file('a2', 'b.pdf'), file('a3', 'c.pdf'), file('a4', 'd.pdf')],
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('item content for logging', () => {
  it('takes the MIME source from getAsFileAsync when Mailbox 1.14 is supported, naming the chosen files', async () => {
    const host = outlook(message, { mailbox: '1.14' });
    const content = await readItemContent('<m1@client.example>', ['a2']);
    expect(content).toEqual({ kind: 'mime', mime: 'TUlNRQ==', attachmentNames: ['b.pdf'] });
    expect(host.calls).toEqual(['getAsFileAsync']);
  });

  it('reads the body and the chosen attachments otherwise, never more than 3 Office calls at once', async () => {
    const host = outlook(message);
    const content = await readItemContent('<m1@client.example>', ['a1', 'a2', 'a3', 'a4']);
    expect(content.kind).toBe('item');
    if (content.kind !== 'item') return;
    expect(content.item).toMatchObject({
      kind: 'message',
      internetMessageId: '<m1@client.example>',
      subject: 'Выписка',
      sentAt: '2026-12-02T06:15:00.000Z',
      from: { name: 'Ilya Sorokin', address: 'i.sorokin@severstal-trade.example' },
      bodyHtml: '<p>Добрый день</p>',
      bodyText: 'Добрый день',
    });
    expect(
      content.item.attachments?.map((a) => [a.name, Buffer.from(a.contentBase64, 'base64').toString()]),
    ).toEqual([
      ['a.pdf', 'a.pdf'],
      ['b.pdf', 'b.pdf'],
      ['c.pdf', 'c.pdf'],
      ['d.pdf', 'd.pdf'],
    ]);
    expect(host.calls).toHaveLength(6);
    expect(host.calls).not.toContain('getAsFileAsync');
    expect(host.peak()).toBe(3);
  });

  it('rejects with an OfficeError when Office fails to give an attachment', async () => {
    outlook(message, { failAttachment: 'a2' });
    const read = readItemContent('<m1@client.example>', ['a1', 'a2']);
    await expect(read).rejects.toBeInstanceOf(OfficeError);
    await expect(read).rejects.toThrow('The attachment could not be read.');
  });

  it('refuses to read when another item was selected since the form opened', async () => {
    outlook(message, { mailbox: '1.14' });
    await expect(readItemContent('<other@client.example>', [])).rejects.toThrow('Another item was selected');
  });

  it('logs a meeting under one id for every attendee’s copy, with its time and place', async () => {
    const meeting = {
      itemType: 'appointment',
      subject: 'Встреча по залогу',
      dateTimeCreated: new Date('2026-12-01T10:00:00Z'),
      organizer: { displayName: 'RM One', emailAddress: 'RM1@bank.example' },
      requiredAttendees: [{ displayName: 'Anna Belova', emailAddress: 'belova@agro-south.example' }],
      optionalAttendees: [],
      start: new Date('2026-12-10T07:00:00Z'),
      end: new Date('2026-12-10T08:00:00Z'),
      location: 'Переговорная 3',
      attachments: [],
    };
    outlook({ ...meeting, itemId: 'AAMk-organizer-copy' }, { mailbox: '1.14' });
    const mine = await readItemDetails();
    outlook({ ...meeting, itemId: 'AAMk-attendee-copy' }, { mailbox: '1.14' });
    const theirs = await readItemDetails();
    expect(mine?.logId).toMatch(/^<ical-uid:outlook-[0-9a-f]{40}>$/);
    expect(theirs?.logId).toBe(mine?.logId);

    const content = await readItemContent(mine!.logId, []);
    expect(content.kind).toBe('item'); // getAsFileAsync is for messages only
    if (content.kind !== 'item') return;
    expect(content.item.kind).toBe('meeting');
    expect(content.item.meeting).toEqual({
      uid: mine!.logId!.slice('<ical-uid:'.length, -1),
      start: '2026-12-10T07:00:00.000Z',
      end: '2026-12-10T08:00:00.000Z',
      location: 'Переговорная 3',
    });
  });
});
