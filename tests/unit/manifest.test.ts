import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { ICON_SIZES, MANIFEST_ID, renderManifest } from '../../server/src/manifest/manifest.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COMMITTED_PATH = `${ROOT}manifest.xml`;
const COMMITTED_HOST = 'https://localhost:3000';
const PROD_HOST = 'https://crm.bank.example';
const XMLLINT = '/usr/bin/xmllint';

type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

function parse(xml: string): XmlNode {
  return parser.parse(xml) as XmlNode;
}

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function child(node: unknown, name: string): XmlNode {
  const v = (node as XmlNode)[name];
  expect(v, `missing <${name}>`).toBeDefined();
  return v as XmlNode;
}

/** Visits every element (object) in the parsed tree with its tag name. */
function walk(node: unknown, visit: (tag: string, el: XmlNode) => void, tag = '#root'): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, visit, tag);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  visit(tag, node as XmlNode);
  for (const [k, v] of Object.entries(node)) if (!k.startsWith('@_')) walk(v, visit, k);
}

/** Every attribute value and text value in the document, with where it came from. */
function allValues(doc: XmlNode): { where: string; value: string }[] {
  const out: { where: string; value: string }[] = [];
  walk(doc, (tag, el) => {
    for (const [k, v] of Object.entries(el)) {
      if (k.startsWith('@_')) {
        if (k === '@_xmlns' || k.startsWith('@_xmlns:')) continue; // namespace names, not URLs to fetch
        out.push({ where: `<${tag} ${k.slice(2)}>`, value: String(v) });
      } else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
        out.push({ where: `<${k}>`, value: String(v) });
      } else if (Array.isArray(v)) {
        for (const item of v)
          if (typeof item !== 'object') out.push({ where: `<${k}>`, value: String(item) });
      }
    }
    if (typeof el['#text'] === 'string') out.push({ where: `<${tag}> text`, value: el['#text'] });
  });
  return out;
}

const cases = [
  { name: 'committed manifest.xml', host: COMMITTED_HOST, xml: () => readFileSync(COMMITTED_PATH, 'utf8') },
  { name: `rendered for ${PROD_HOST}`, host: PROD_HOST, xml: () => renderManifest({ host: PROD_HOST }) },
];

describe.each(cases)('Outlook manifest: $name', ({ host, xml }) => {
  const text = xml();
  const doc = parse(text);
  const app = child(doc, 'OfficeApp');
  const vo10 = child(app, 'VersionOverrides');
  const vo11 = child(vo10, 'VersionOverrides');
  const resources = child(vo11, 'Resources');

  it('is well-formed XML', () => {
    expect(XMLValidator.validate(text)).toBe(true);
    // XML forbids "--" inside comments; fast-xml-parser does not check it.
    for (const m of text.matchAll(/<!--([\s\S]*?)-->/g)) expect(m[1]).not.toContain('--');
  });

  it('is a MailApp in the appforoffice 1.1 schema with VersionOverrides 1.0 wrapping 1.1', () => {
    expect(app['@_xsi:type']).toBe('MailApp');
    expect(app['@_xmlns']).toBe('http://schemas.microsoft.com/office/appforoffice/1.1');
    expect(app['@_xmlns:bt']).toBe('http://schemas.microsoft.com/office/officeappbasictypes/1.0');
    expect(vo10['@_xsi:type']).toBe('VersionOverridesV1_0');
    expect(vo11['@_xsi:type']).toBe('VersionOverridesV1_1');
    expect(vo11['@_xmlns']).toBe('http://schemas.microsoft.com/office/mailappversionoverrides/1.1');
    expect(child(app, 'Permissions')).toBe('ReadItem');
  });

  it('has a GUID Id (the fixed product id) and a four-part Version', () => {
    expect(app.Id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    expect(app.Id).toBe(MANIFEST_ID);
    expect(app.Version).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('requires Mailbox >= 1.5 at the top level and in VersionOverrides', () => {
    const versionGte = (v: unknown, min: string) => {
      const [a, b] = String(v).split('.').map(Number);
      const [x, y] = min.split('.').map(Number);
      return a! > x! || (a === x && (b ?? 0) >= y!);
    };
    const top = asArray(child(child(app, 'Requirements'), 'Sets').Set as XmlNode[]);
    const topMailbox = top.find((s) => String(s['@_Name']).toLowerCase() === 'mailbox');
    expect(topMailbox, 'top-level Mailbox requirement').toBeDefined();
    expect(versionGte(topMailbox!['@_MinVersion'], '1.5')).toBe(true);

    const sets = child(child(vo11, 'Requirements'), 'bt:Sets');
    const voMailbox = asArray(sets['bt:Set'] as XmlNode[]).find((s) => s['@_Name'] === 'Mailbox');
    expect(voMailbox, 'VersionOverrides Mailbox requirement').toBeDefined();
    expect(versionGte(voMailbox!['@_MinVersion'] ?? sets['@_DefaultMinVersion'], '1.5')).toBe(true);
  });

  it('activates on read messages and attendee appointments', () => {
    const rule = child(app, 'Rule');
    expect(rule['@_xsi:type']).toBe('RuleCollection');
    expect(rule['@_Mode']).toBe('Or');
    const rules = asArray(rule.Rule as XmlNode[]).map(
      (r) => `${r['@_xsi:type']}:${r['@_ItemType']}:${r['@_FormType']}`,
    );
    expect(rules).toEqual(expect.arrayContaining(['ItemIs:Message:Read', 'ItemIs:Appointment:Read']));
  });

  it('has pinnable task pane buttons on MessageRead and AppointmentAttendee surfaces', () => {
    const desktop = child(child(child(vo11, 'Hosts'), 'Host'), 'DesktopFormFactor');
    const points = asArray(desktop.ExtensionPoint as XmlNode[]);
    expect(points.map((p) => p['@_xsi:type']).sort()).toEqual([
      'AppointmentAttendeeCommandSurface',
      'MessageReadCommandSurface',
    ]);
    for (const point of points) {
      const groups = asArray(child(point, 'OfficeTab').Group as XmlNode[]);
      expect(groups.length).toBeGreaterThan(0);
      const controls = groups.flatMap((g) => asArray(g.Control as XmlNode[]));
      const buttons = controls.filter((c) => c['@_xsi:type'] === 'Button');
      expect(buttons.length).toBeGreaterThan(0);
      for (const button of buttons) {
        const action = child(button, 'Action');
        expect(action['@_xsi:type']).toBe('ShowTaskpane');
        expect(child(action, 'SourceLocation')['@_resid']).toBe('Taskpane.Url');
        expect(action.SupportsPinning).toBe('true');
        const sizes = asArray(child(button, 'Icon')['bt:Image'] as XmlNode[]).map((i) => i['@_size']);
        expect(sizes).toEqual(['16', '32', '80']);
      }
    }
    // control and group ids must be unique across the manifest
    const ids: string[] = [];
    walk(desktop, (tag, el) => {
      if ((tag === 'Group' || tag === 'Control') && typeof el['@_id'] === 'string') ids.push(el['@_id']);
    });
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('defines every referenced resid exactly once, in the right resource collection', () => {
    const defined = new Map<string, string[]>(); // id -> collections it is defined in
    const collections = {
      'bt:Images': 'bt:Image',
      'bt:Urls': 'bt:Url',
      'bt:ShortStrings': 'bt:String',
      'bt:LongStrings': 'bt:String',
    } as const;
    for (const [collection, item] of Object.entries(collections)) {
      for (const el of asArray(child(resources, collection)[item] as XmlNode[])) {
        const id = String(el['@_id']);
        defined.set(id, [...(defined.get(id) ?? []), collection]);
      }
    }
    const expectedCollection: Record<string, string> = {
      'bt:Image': 'bt:Images',
      SourceLocation: 'bt:Urls',
      FunctionFile: 'bt:Urls',
      Label: 'bt:ShortStrings',
      Title: 'bt:ShortStrings',
      Description: 'bt:LongStrings',
    };
    const refs: { tag: string; resid: string }[] = [];
    walk(doc, (tag, el) => {
      if (el['@_resid'] !== undefined) refs.push({ tag, resid: String(el['@_resid']) });
    });
    expect(refs.length).toBeGreaterThan(0);
    for (const { tag, resid } of refs) {
      expect(
        defined.get(resid) ?? [],
        `resid "${resid}" on <${tag}> must be defined exactly once`,
      ).toHaveLength(1);
      if (expectedCollection[tag]) expect(defined.get(resid)).toEqual([expectedCollection[tag]]);
    }
    for (const [id, where] of defined)
      expect(where, `resource id "${id}" defined more than once`).toHaveLength(1);
  });

  it('uses only https URLs on the configured host', () => {
    const urls = allValues(doc).filter(({ value }) => /^http/i.test(value));
    expect(urls.length).toBeGreaterThan(5);
    for (const { where, value } of urls) {
      const url = new URL(value);
      expect(url.protocol, `${where} ${value}`).toBe('https:');
      expect(url.origin, `${where} ${value}`).toBe(host);
    }
    const appDomains = asArray(child(app, 'AppDomains').AppDomain as string[]);
    expect(appDomains).toContain(host);
    const urlResources = asArray(child(resources, 'bt:Urls')['bt:Url'] as XmlNode[]);
    expect(urlResources.find((u) => u['@_id'] === 'Taskpane.Url')?.['@_DefaultValue']).toBe(
      `${host}/taskpane.html`,
    );
  });

  it('references icon files that exist in addin/public/assets', () => {
    const iconPaths = allValues(doc)
      .filter(({ value }) => /\/assets\/icon-\d+\.png$/.test(value))
      .map(({ value }) => new URL(value).pathname);
    expect(iconPaths.length).toBeGreaterThanOrEqual(5);
    for (const p of iconPaths) {
      const file = `${ROOT}addin/public${p}`;
      expect(existsSync(file), file).toBe(true);
      const png = readFileSync(file);
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      const size = Number(/icon-(\d+)\.png$/.exec(p)![1]);
      expect(ICON_SIZES).toContain(size);
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
    }
  });

  it('has Russian defaults with en-US overrides', () => {
    expect(app.DefaultLocale).toBe('ru-RU');
    const name = child(app, 'DisplayName');
    expect(name['@_DefaultValue']).toBe('Банк CRM');
    expect(child(name, 'Override')['@_Locale']).toBe('en-US');
    expect(child(name, 'Override')['@_Value']).toBe('Bank CRM');
    const label = asArray(child(resources, 'bt:ShortStrings')['bt:String'] as XmlNode[]).find(
      (s) => s['@_id'] === 'TaskpaneButton.Label',
    );
    expect(label?.['@_DefaultValue']).toBe('Клиент');
    expect(child(label, 'bt:Override')['@_Value']).toBe('Client');
  });

  it.skipIf(!existsSync(XMLLINT))('is accepted by xmllint --noout', () => {
    expect(() =>
      execFileSync(XMLLINT, ['--noout', '-'], { input: text, stdio: ['pipe', 'pipe', 'pipe'] }),
    ).not.toThrow();
  });
});

describe('renderManifest', () => {
  it('keeps the committed manifest.xml in sync with the generator (npm run manifest -- --host https://localhost:3000)', () => {
    expect(readFileSync(COMMITTED_PATH, 'utf8')).toBe(renderManifest({ host: COMMITTED_HOST }));
  });

  it.each([
    'http://x',
    'https://x/path',
    'https://x?q=1',
    'https://x#frag',
    'https://user:pw@x',
    'ftp://x',
    'crm.bank.example',
    '',
  ])('rejects host %j', (host) => {
    expect(() => renderManifest({ host })).toThrow(Error);
  });

  it('gives a clear message for bad hosts', () => {
    expect(() => renderManifest({ host: 'http://x' })).toThrow(/https/);
    expect(() => renderManifest({ host: 'https://x/path' })).toThrow(/path/);
  });

  it('normalizes a trailing slash and accepts a port', () => {
    expect(renderManifest({ host: 'https://crm.bank.example/' })).toBe(renderManifest({ host: PROD_HOST }));
    expect(renderManifest({ host: 'https://localhost:3000' })).toContain(
      'https://localhost:3000/taskpane.html',
    );
  });

  it('validates id and version', () => {
    expect(() => renderManifest({ host: PROD_HOST, id: 'not-a-guid' })).toThrow(/GUID/);
    expect(() => renderManifest({ host: PROD_HOST, version: '1.0' })).toThrow(/version/);
    const doc = parse(renderManifest({ host: PROD_HOST, version: '2.3.4.5' }));
    expect(child(doc, 'OfficeApp').Version).toBe('2.3.4.5');
  });

  it('escapes XML special characters in interpolated values', () => {
    const displayName = `A&B <"CRM"> 'x'`;
    const text = renderManifest({ host: PROD_HOST, displayName });
    expect(XMLValidator.validate(text)).toBe(true);
    expect(text).toContain('A&amp;B &lt;&quot;CRM&quot;&gt; &apos;x&apos;');
    const app = child(parse(text), 'OfficeApp');
    // and the parser (processEntities) decodes them back to the original value
    expect(child(app, 'DisplayName')['@_DefaultValue']).toBe(displayName);
  });
});
