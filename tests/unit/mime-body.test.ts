import { describe, expect, it } from 'vitest';
import { parseCalendarEvent, resolveTimeZone } from '../../server/src/modules/interactions/calendar.ts';
import {
  prepareBody,
  sanitizeEmailHtml,
  stripQuotedHtml,
  stripQuotedText,
} from '../../server/src/modules/interactions/email-body.ts';

// Only the new part of a reply is logged: the quoted history of each common client is cut, in text and HTML.

describe('quoted history in plain text', () => {
  it.each([
    [
      'Outlook, English',
      'Thanks, agreed.\n\nBest regards,\nEkaterina\n\nFrom: RM One <rm1@bank.example>\nSent: Monday, November 30, 2026 10:00 AM\nTo: Ekaterina\nSubject: Limit\n\nPlease confirm.',
      'Thanks, agreed.\n\nBest regards,\nEkaterina',
    ],
    [
      'Outlook, Russian',
      'Согласна.\n\nОт: RM One <rm1@bank.example>\nОтправлено: 30 ноября 2026 г. 10:00\nКому: Екатерина\nТема: Лимит\n\nПрошу подтвердить.',
      'Согласна.',
    ],
    [
      'Outlook underscore rule',
      'OK\n\n________________________________\nFrom: RM One\nSent: Monday\n\nOld text',
      'OK',
    ],
    ['-----Original Message-----', 'Done.\n-----Original Message-----\nFrom: x\nold', 'Done.'],
    ['-----Исходное сообщение-----', 'Готово.\n\n-----Исходное сообщение-----\nОт: x\nстарое', 'Готово.'],
    [
      'Gmail, English, attribution wrapped onto two lines',
      'Sounds good.\n\nOn Mon, Nov 30, 2026 at 10:00 AM RM One <rm1@bank.example>\nwrote:\n> Please confirm.\n> Thanks',
      'Sounds good.',
    ],
    [
      'Gmail, Russian',
      'Да, подходит.\n\nпн, 30 нояб. 2026 г. в 10:00, RM One <rm1@bank.example>:\n> Подходит ли время?',
      'Да, подходит.',
    ],
    [
      'Mail.ru / Yandex "написал(а):"',
      'Принято.\n\n30.11.2026, 10:00, RM One написал(а):\n> Подходит ли время?',
      'Принято.',
    ],
  ])('cuts the history of %s', (_name, input, expected) => {
    const r = stripQuotedText(input);
    expect(r.text).toBe(expected);
    expect(r.stripped).toBe(true);
  });

  it('keeps inline answers between quoted lines and drops the quoted lines', () => {
    const r = stripQuotedText('> Rate?\n12%\n> Term?\n36 months\n');
    expect(r).toEqual({ text: '12%\n36 months', stripped: true });
  });

  it('leaves a message without history as it is', () => {
    expect(stripQuotedText('Hello,\nplease call me.\n')).toEqual({
      text: 'Hello,\nplease call me.',
      stripped: false,
    });
  });

  it('keeps the history of a forward: it is the content being logged', () => {
    const body = prepareBody({
      subject: 'FW: Выписка',
      text: 'Для истории.\n\nFrom: Client <c@x.example>\nSent: Monday\n\nВыписка во вложении.',
    });
    expect(body.text).toContain('Выписка во вложении.');
    expect(body.quotedHistoryStripped).toBe(false);
  });
});

describe('quoted history in HTML', () => {
  it('cuts at Outlook on the web’s #appendonsend and drops the separator before it', () => {
    const r = stripQuotedHtml(
      '<html><body><div>Agreed.</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> RM</div><div>old text</div></body></html>',
    );
    expect(r.stripped).toBe(true);
    expect(sanitizeEmailHtml(r.html)).toBe('<div>Agreed.</div>');
  });

  it('cuts at #divRplyFwdMsg, also as OWA’s x_ copy inside a quoted reply', () => {
    const r = stripQuotedHtml('<div>New</div><hr><div id="x_divRplyFwdMsg">From: A</div><div>old</div>');
    expect(sanitizeEmailHtml(r.html)).toBe('<div>New</div>');
  });

  it('cuts at new Outlook’s #mail-editor-reference-message-container', () => {
    const r = stripQuotedHtml(
      '<div>Да.</div><div id="mail-editor-reference-message-container"><div><b>От:</b> RM</div><p>old</p></div>',
    );
    expect(sanitizeEmailHtml(r.html)).toBe('<div>Да.</div>');
  });

  it('cuts at Gmail’s .gmail_quote', () => {
    const r = stripQuotedHtml(
      '<div dir="ltr">Sounds good.</div><br><div class="gmail_quote"><div class="gmail_attr">On Mon ... wrote:<br></div><blockquote class="gmail_quote">old</blockquote></div>',
    );
    expect(sanitizeEmailHtml(r.html)).toBe('<div dir="ltr">Sounds good.</div>');
  });

  it('cuts at Outlook desktop’s "From: ... Sent:" block (Word HTML), in Russian too', () => {
    const html =
      '<div class="WordSection1"><p class="MsoNormal">Согласна.</p><p class="MsoNormal">&nbsp;</p>' +
      '<div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">' +
      '<p class="MsoNormal"><b>От:</b> RM One<br><b>Отправлено:</b> 30 ноября 2026 г. 10:00<br><b>Тема:</b> Лимит</p></div></div>' +
      '<p class="MsoNormal">Прошу подтвердить.</p></div>';
    const r = stripQuotedHtml(html);
    expect(r.stripped).toBe(true);
    expect(sanitizeEmailHtml(r.html)).toBe('<div><p>Согласна.</p></div>');
  });

  it('removes Apple Mail / Thunderbird blockquote[type=cite] where it is, keeping answers around it', () => {
    const r = stripQuotedHtml(
      '<div class="moz-cite-prefix">On 30.11.2026 RM wrote:</div><blockquote type="cite">Rate?</blockquote><div>12%</div>',
    );
    expect(sanitizeEmailHtml(r.html)).toBe('<div>12%</div>');
  });

  it('derives the text of an HTML-only reply from the kept HTML', () => {
    const body = prepareBody({
      subject: 'RE: Лимит',
      html: '<p>Согласна.</p><div id="appendonsend"></div><p>old</p>',
    });
    expect(body).toEqual({ html: '<p>Согласна.</p>', text: 'Согласна.', quotedHistoryStripped: true });
  });
});

describe('sanitising', () => {
  it('drops event handlers, scripts, styles, iframes, forms and remote images; keeps safe formatting', () => {
    const html = sanitizeEmailHtml(
      '<p style="color:#c00;position:fixed" onmouseover="x()">Hi <b>there</b></p><iframe src="https://e.example"></iframe>' +
        '<form action="https://e.example"><input name="p"></form><img src="http://e.example/a.png"><img src="data:image/png;base64,AAAA">' +
        '<a href="mailto:a@b.example">mail</a><svg><script>x()</script></svg>',
    );
    expect(html).toBe(
      '<p style="color:#c00">Hi <b>there</b></p><img src="data:image/png;base64,AAAA" /><a href="mailto:a@b.example" rel="noopener noreferrer" target="_blank">mail</a>',
    );
  });
});

describe('meeting times', () => {
  it('maps Windows time-zone ids through CLDR and accepts IANA names', () => {
    expect(resolveTimeZone('Russian Standard Time')).toBe('Europe/Moscow');
    expect(resolveTimeZone('FLE')).toBe('Europe/Kiev');
    expect(resolveTimeZone('Europe/Samara')).toBe('Europe/Samara');
    expect(resolveTimeZone('Custom Zone 1')).toBeNull();
  });

  it('reads Outlook’s request in Russian Standard Time, UTC and all-day events', () => {
    const ics = (dt: string) =>
      `BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:abc\r\nSUMMARY:Встреча\\, кредит\r\nLOCATION:Офис\r\n${dt}\r\nBEGIN:VALARM\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;
    expect(
      parseCalendarEvent(
        ics(
          'DTSTART;TZID=Russian Standard Time:20261201T100000\r\nDTEND;TZID=Russian Standard Time:20261201T110000',
        ),
      ),
    ).toMatchObject({
      uid: 'abc',
      start: '2026-12-01T07:00:00.000Z',
      end: '2026-12-01T08:00:00.000Z',
      summary: 'Встреча, кредит',
      location: 'Офис',
      ianaTimeZone: 'Europe/Moscow',
    });
    expect(parseCalendarEvent(ics('DTSTART:20261201T100000Z\r\nDTEND:20261201T103000Z'))).toMatchObject({
      start: '2026-12-01T10:00:00.000Z',
      end: '2026-12-01T10:30:00.000Z',
      timeZone: null,
    });
    expect(parseCalendarEvent(ics('DTSTART;VALUE=DATE:20261201\r\nDTEND;VALUE=DATE:20261202'))).toMatchObject(
      {
        start: '2026-12-01T00:00:00.000Z',
        allDay: true,
      },
    );
  });

  it('gets the offset right on both sides of a daylight-saving change', () => {
    const at = (local: string) =>
      parseCalendarEvent(`BEGIN:VEVENT\nDTSTART;TZID="W. Europe Standard Time":${local}\nEND:VEVENT`)?.start;
    expect(at('20261025T013000')).toBe('2026-10-24T23:30:00.000Z'); // CEST, UTC+2
    expect(at('20261025T040000')).toBe('2026-10-25T03:00:00.000Z'); // CET, UTC+1
  });

  it('leaves the instant unknown for a time zone it cannot resolve, keeping the id', () => {
    const e = parseCalendarEvent('BEGIN:VEVENT\nDTSTART;TZID=Custom Zone 1:20261201T100000\nEND:VEVENT');
    expect(e).toMatchObject({ start: null, timeZone: 'Custom Zone 1', ianaTimeZone: null });
  });
});
