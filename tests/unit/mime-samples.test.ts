import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareBody, referencedContentIds } from '../../server/src/modules/interactions/email-body.ts';
import { normalizeMessageId, parseMime } from '../../server/src/modules/interactions/mime.ts';
import { repoRoot } from '../support/app.ts';

// Real samples (tests/fixtures/eml, from Thunderbird's test suite; expected values in its README) and
// messages of the kinds Outlook hands us that the samples lack, built here: an inline image by Content-ID,
// a PDF attachment, an S/MIME multipart/signed message, an Outlook reply with quoted history.

const sample = (name: string) => readFileSync(path.join(repoRoot, 'tests/fixtures/eml', name));

// A tiny PNG (1x1) and a PDF-like file, Base64 in the messages below.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const b64 = (b: Buffer) => b.toString('base64').replace(/.{76}/g, '$&\r\n').replace(/\r\n$/, '');
const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

describe('real .eml samples', () => {
  it('decodes a KOI8-R encoded-word subject and a KOI8-R Base64 body', async () => {
    const m = await parseMime(sample('koi8r-subject.eml'));
    expect(m.subject).toBe('Алфавит');
    expect(m.text?.trim()).toBe('Вопрос');
    expect(m.internetMessageId).toBe('<04.eml@mime.sample>');
    expect(m.from).toEqual({ name: 'Bug Reporter', address: 'new@thunderbird.bug' });
  });

  it('decodes the same in windows-1251', async () => {
    const m = await parseMime(sample('cp1251-subject.eml'));
    expect(m.subject).toBe('Алфавит');
    expect(m.text?.trim()).toBe('Вопрос');
    expect(m.sentAt).toBe('2001-05-27T20:23:35.000Z');
  });

  it('keeps an encoded display name with a comma as one recipient', async () => {
    const m = await parseMime(sample('comma-in-display-name.eml'));
    expect(m.from).toEqual({ name: 'Hörst, Kenny', address: 'k.hoerst@invalid' });
    expect(m.to).toEqual([
      { name: 'Hörst, Kenny', address: 'k.hoerst@invalid' },
      { name: 'Bug Reporter', address: 'new@thunderbird.bug' },
    ]);
    expect(m.subject).toBe('Message for Bug 1919244');
  });

  it('reads a multipart/alternative part without Content-Type as text/plain', async () => {
    const m = await parseMime(sample('alternative-no-content-type.eml'));
    expect(m.text?.trim()).toBe('I am TEXT!');
    expect(m.html).toContain('<b>am</b>');
    expect(m.to).toHaveLength(2);
    const body = prepareBody({ html: m.html, text: m.text, subject: m.subject });
    expect(body).toEqual({ html: 'I <b>am</b> HTML!', text: 'I am TEXT!', quotedHistoryStripped: false });
  });

  it('reads a meeting request with a Windows time-zone id as one event in UTC', async () => {
    const m = await parseMime(sample('meeting-invite-windows-tzid.eml'));
    expect(m.meeting).toMatchObject({
      uid: '36138BFC6A7B03EFC2258776003DB5C5',
      // 09:00-10:00 FLE Standard Time on 26 Oct 2021 is UTC+3 (summer time until 31 Oct).
      start: '2021-10-26T06:00:00.000Z',
      end: '2021-10-26T07:00:00.000Z',
      timeZone: 'FLE',
      ianaTimeZone: 'Europe/Kiev',
      method: 'REQUEST',
    });
    expect(m.subject).toBe('Invite');
    // The invitation part is the meeting; the .ics the sender attached is a file like any other.
    expect(m.attachments.map((a) => a.filename)).toEqual(['c141520.ics']);
    expect(m.text).toContain('You have been invited to a meeting (TEXT)');
  });
});

function signedMessage(): Buffer {
  return Buffer.from(
    crlf(`Message-ID: <signed-1@bank-client.example>
Date: Tue, 01 Dec 2026 10:00:00 +0300
From: =?UTF-8?B?0JvQtdCx0LXQtNC10LLQsCDQldC60LDRgtC10YDQuNC90LA=?= <e.lebedeva@severstal-trade.example>
To: rm1@bank.example
Subject: =?UTF-8?B?0J/QvtC00L/QuNGB0LDQvdC90YvQuSDQtNC+0LPQvtCy0L7RgA==?=
MIME-Version: 1.0
Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="sig"

This is a cryptographically signed message in MIME format.

--sig
Content-Type: multipart/mixed; boundary="mix"

--mix
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

Договор подписан, направляю скан.

--mix
Content-Type: application/pdf; name="=?UTF-8?B?0LTQvtCz0L7QstC+0YAucGRm?="
Content-Disposition: attachment; filename="=?UTF-8?B?0LTQvtCz0L7QstC+0YAucGRm?="
Content-Transfer-Encoding: base64

${b64(PDF)}
--mix--

--sig
Content-Type: application/pkcs7-signature; name="smime.p7s"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="smime.p7s"

MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwEAAKCAMIIB
--sig--
`),
    'utf8',
  );
}

function htmlWithInlineImage(): Buffer {
  return Buffer.from(
    crlf(`Message-ID: <inline-1@bank-client.example>
Date: Wed, 02 Dec 2026 09:15:00 +0000
From: "Lebedeva, Ekaterina" <E.Lebedeva@Severstal-Trade.example>
To: RM One <rm1@bank.example>
Cc: Accounting <buh@severstal-trade.example>
Subject: Logo and statement
In-Reply-To: <prev-1@bank.example>
References: <root-1@bank.example> <prev-1@bank.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/related; boundary="rel"

--rel
Content-Type: text/html; charset=UTF-8

<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>
<p onclick="steal()">See our logo: <img src="cid:logo@severstal"></p>
<p><img src="https://tracker.example/pixel.gif"> <a href="javascript:alert(1)">x</a> <a href="https://severstal-trade.example">site</a></p>
</body></html>
--rel
Content-Type: image/png
Content-ID: <logo@severstal>
Content-Disposition: inline; filename="logo.png"
Content-Transfer-Encoding: base64

${b64(PNG)}
--rel--
--outer
Content-Type: application/pdf
Content-Disposition: attachment; filename="statement.pdf"
Content-Transfer-Encoding: base64

${b64(PDF)}
--outer--
`),
    'utf8',
  );
}

describe('messages built here', () => {
  it('keeps the content of an S/MIME signed message and notes the signature, without storing it', async () => {
    const m = await parseMime(signedMessage());
    expect(m.signature).toBe('smime-signed');
    expect(m.subject).toBe('Подписанный договор');
    expect(m.from).toEqual({ name: 'Лебедева Екатерина', address: 'e.lebedeva@severstal-trade.example' });
    expect(m.text?.trim()).toBe('Договор подписан, направляю скан.');
    expect(m.attachments).toHaveLength(1);
    expect(m.attachments[0]).toMatchObject({ filename: 'договор.pdf', contentType: 'application/pdf' });
    expect(m.attachments[0]!.content.equals(PDF)).toBe(true);
  });

  it('notes an opaque S/MIME message it cannot read', async () => {
    const m = await parseMime(
      Buffer.from(
        crlf(`Message-ID: <enc-1@x.example>
From: a@x.example
To: rm1@bank.example
Subject: secret
Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"
Content-Transfer-Encoding: base64

MIAGCSqGSIb3DQEHA6CAMIACAQAxggE=
`),
      ),
    );
    expect(m.signature).toBe('smime-encrypted');
    expect(m.attachments).toEqual([]);
  });

  it('finds an inline image by Content-ID, a PDF attachment, participants and thread headers', async () => {
    const m = await parseMime(htmlWithInlineImage());
    expect(m.from).toEqual({ name: 'Lebedeva, Ekaterina', address: 'e.lebedeva@severstal-trade.example' });
    expect(m.cc).toEqual([{ name: 'Accounting', address: 'buh@severstal-trade.example' }]);
    expect(m.inReplyTo).toBe('<prev-1@bank.example>');
    expect(m.references).toEqual(['<root-1@bank.example>', '<prev-1@bank.example>']);
    const logo = m.attachments.find((a) => a.contentId === 'logo@severstal');
    expect(logo).toMatchObject({ inline: true, contentType: 'image/png', filename: 'logo.png' });
    expect(logo!.content.equals(PNG)).toBe(true);
    const pdf = m.attachments.find((a) => a.filename === 'statement.pdf');
    expect(pdf).toMatchObject({ inline: false, contentType: 'application/pdf' });
    expect(pdf!.content.equals(PDF)).toBe(true);
  });

  it('sanitises its HTML: no script, style, handler, remote image or javascript link; cid image kept', async () => {
    const m = await parseMime(htmlWithInlineImage());
    const body = prepareBody({ html: m.html, text: m.text, subject: m.subject });
    expect(body.html).not.toMatch(/script|style|onclick|tracker\.example|javascript:/i);
    expect(body.html).toContain('<img src="cid:logo@severstal" />');
    expect(body.html).toContain(
      '<a href="https://severstal-trade.example" rel="noopener noreferrer" target="_blank">',
    );
    expect([...referencedContentIds(body.html!)]).toEqual(['logo@severstal']);
    // No text part: the text comes from the HTML.
    expect(body.text).toBe('See our logo:\n\nx site');
  });

  it('normalises Message-IDs to one form', () => {
    expect(normalizeMessageId(' <a@b> ')).toBe('<a@b>');
    expect(normalizeMessageId('a@b')).toBe('<a@b>');
    expect(normalizeMessageId('')).toBeNull();
  });
});
