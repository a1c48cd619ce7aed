/**
 * Outlook add-in XML manifest (add-in only manifest, schema 1.1 + VersionOverrides).
 *
 * Structure follows Microsoft's "Outlook add-in manifests" documentation
 * (https://learn.microsoft.com/office/dev/add-ins/outlook/manifests):
 *   - root `<OfficeApp xsi:type="MailApp">` in the `appforoffice/1.1` namespace, `bt:` = officeappbasictypes/1.0;
 *   - legacy (pre-add-in-command) settings: FormSettings / Permissions / activation Rule;
 *   - `VersionOverrides` 1.0 wrapping `VersionOverrides` 1.1 (mailappversionoverrides/1.1), which is where
 *     add-in commands live and the only schema that knows `<SupportsPinning>`.
 *
 * The task pane can be pinned, as described in "Implement a pinnable task pane in Outlook"
 * (https://learn.microsoft.com/office/dev/add-ins/outlook/pinnable-taskpane): the ShowTaskpane action carries
 * `<SupportsPinning>true</SupportsPinning>`, which requires Mailbox 1.5 and VersionOverrides v1.1.
 *
 * The product is one server serving everything, so every URL in the manifest (task pane page, icons,
 * support URL, AppDomain) lives on a single https origin: `<host>/taskpane.html`, `<host>/assets/icon-NN.png`.
 *
 * Generate a file with `npm run manifest -- --host https://crm.bank.example [--out manifest.xml]`.
 */

/** Fixed add-in Id. Never change it: Exchange / Microsoft 365 admin center identify the add-in by it. */
export const MANIFEST_ID = '7f2b54d1-a66f-4066-ae58-ae435915aee5';
export const DEFAULT_MANIFEST_VERSION = '1.0.0.0';
/** Mailbox requirement set needed for pinnable task panes (and for the VersionOverrides 1.1 schema). */
export const MAILBOX_MIN_VERSION = '1.5';
export const TASKPANE_PATH = '/taskpane.html';
/** Icon files served from `addin/public/assets` (see server/scripts/icons.ts). */
export const ICON_SIZES = [16, 32, 64, 80, 128] as const;
export type IconSize = (typeof ICON_SIZES)[number];

export function iconPath(size: IconSize): string {
  return `/assets/icon-${size}.png`;
}

export interface RenderManifestOptions {
  /** https origin the add-in is served from, e.g. `https://crm.bank.example` or `https://localhost:3000`. */
  host: string;
  /** Add-in GUID; defaults to {@link MANIFEST_ID}. */
  id?: string;
  /** Four-part version `n.n.n.n`; defaults to {@link DEFAULT_MANIFEST_VERSION}. */
  version?: string;
  /**
   * Overrides the display name (and ribbon group label) for every locale, e.g. "Банк CRM (тест)" for a
   * staging deployment. When omitted the name is "Банк CRM" with an en-US override "Bank CRM".
   */
  displayName?: string;
}

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VERSION_RE = /^\d{1,5}\.\d{1,5}\.\d{1,5}\.\d{1,5}$/;
/** Manifest ShortString limit (DisplayName, labels). */
const SHORT_STRING_MAX = 125;

/** Localized strings: DefaultLocale is ru-RU, with an en-US override for each user-visible string. */
const TEXT = {
  displayName: { ru: 'Банк CRM', en: 'Bank CRM' },
  description: {
    ru: 'Карточка клиента банка прямо в Outlook: клиент, сделки и задачи по открытому письму или встрече.',
    en: 'Bank CRM client card inside Outlook: client, deals and tasks for the open message or meeting.',
  },
  buttonLabel: { ru: 'Клиент', en: 'Client' },
  buttonTooltip: {
    ru: 'Открыть карточку клиента CRM для этого письма или встречи.',
    en: 'Open the CRM client card for this message or meeting.',
  },
} as const;

/** Escapes the five XML special characters; safe for both attribute values and element text. */
export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * Validates that `host` is a bare https origin (scheme + host [+ port], optional trailing slash) and returns
 * its canonical form without a trailing slash, e.g. `https://crm.bank.example`.
 */
export function normalizeHost(host: string): string {
  const example = 'e.g. https://crm.bank.example or https://localhost:3000';
  if (typeof host !== 'string' || host.trim() === '') {
    throw new Error(`Manifest host is required: an https origin, ${example}`);
  }
  const raw = host.trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(
      `Manifest host ${JSON.stringify(host)} is not a valid URL; expected an https origin, ${example}`,
    );
  }
  if (url.protocol !== 'https:') {
    throw new Error(
      `Manifest host ${JSON.stringify(host)} must use https (Outlook only loads add-ins over https), ${example}`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new Error(`Manifest host ${JSON.stringify(host)} must not contain credentials`);
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || /[?#]/.test(raw)) {
    throw new Error(
      `Manifest host ${JSON.stringify(host)} must be an origin without path, query or fragment, ${example}`,
    );
  }
  return url.origin;
}

function checkId(id: string): string {
  if (!GUID_RE.test(id)) throw new Error(`Manifest id ${JSON.stringify(id)} must be a GUID`);
  return id.toLowerCase();
}

function checkVersion(version: string): string {
  if (!VERSION_RE.test(version)) {
    throw new Error(`Manifest version ${JSON.stringify(version)} must have four numeric parts, e.g. 1.0.0.0`);
  }
  return version;
}

function checkDisplayName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > SHORT_STRING_MAX) {
    throw new Error(`Manifest displayName must be 1..${SHORT_STRING_MAX} characters`);
  }
  return trimmed;
}

/** Resource ids (every `resid` used below is defined exactly once in `<Resources>`). */
const RES = {
  icon16: 'Icon.16x16',
  icon32: 'Icon.32x32',
  icon80: 'Icon.80x80',
  taskpaneUrl: 'Taskpane.Url',
  groupLabel: 'Group.Label',
  buttonLabel: 'TaskpaneButton.Label',
  buttonTooltip: 'TaskpaneButton.Tooltip',
} as const;

type Localized = { ru: string; en?: string };

function localizedAttr(tag: string, text: Localized, indent: string): string {
  const dv = `DefaultValue="${escapeXml(text.ru)}"`;
  if (text.en === undefined) return `${indent}<${tag} ${dv}/>`;
  return [
    `${indent}<${tag} ${dv}>`,
    `${indent}  <Override Locale="en-US" Value="${escapeXml(text.en)}"/>`,
    `${indent}</${tag}>`,
  ].join('\n');
}

function btString(id: string, text: Localized, indent: string): string {
  const head = `${indent}<bt:String id="${escapeXml(id)}" DefaultValue="${escapeXml(text.ru)}"`;
  if (text.en === undefined) return `${head}/>`;
  return [
    `${head}>`,
    `${indent}  <bt:Override Locale="en-US" Value="${escapeXml(text.en)}"/>`,
    `${indent}</bt:String>`,
  ].join('\n');
}

/** One command surface: a group on the default tab with a single pinnable ShowTaskpane button. */
function extensionPoint(surface: string, prefix: string, indent: string): string {
  const i = (n: number) => `${indent}${'  '.repeat(n)}`;
  return [
    `${i(0)}<ExtensionPoint xsi:type="${surface}">`,
    `${i(1)}<OfficeTab id="TabDefault">`,
    `${i(2)}<Group id="${prefix}.Group">`,
    `${i(3)}<Label resid="${RES.groupLabel}"/>`,
    `${i(3)}<Control xsi:type="Button" id="${prefix}.OpenTaskpane">`,
    `${i(4)}<Label resid="${RES.buttonLabel}"/>`,
    `${i(4)}<Supertip>`,
    `${i(5)}<Title resid="${RES.buttonLabel}"/>`,
    `${i(5)}<Description resid="${RES.buttonTooltip}"/>`,
    `${i(4)}</Supertip>`,
    `${i(4)}<Icon>`,
    `${i(5)}<bt:Image size="16" resid="${RES.icon16}"/>`,
    `${i(5)}<bt:Image size="32" resid="${RES.icon32}"/>`,
    `${i(5)}<bt:Image size="80" resid="${RES.icon80}"/>`,
    `${i(4)}</Icon>`,
    `${i(4)}<Action xsi:type="ShowTaskpane">`,
    `${i(5)}<SourceLocation resid="${RES.taskpaneUrl}"/>`,
    `${i(5)}<SupportsPinning>true</SupportsPinning>`,
    `${i(4)}</Action>`,
    `${i(3)}</Control>`,
    `${i(2)}</Group>`,
    `${i(1)}</OfficeTab>`,
    `${i(0)}</ExtensionPoint>`,
  ].join('\n');
}

/** Renders the Outlook XML manifest for an add-in served from `opts.host`. Throws on invalid input. */
export function renderManifest(opts: RenderManifestOptions): string {
  const origin = normalizeHost(opts.host);
  const id = checkId(opts.id ?? MANIFEST_ID);
  const version = checkVersion(opts.version ?? DEFAULT_MANIFEST_VERSION);
  const name: Localized =
    opts.displayName === undefined ? TEXT.displayName : { ru: checkDisplayName(opts.displayName) };

  const url = (path: string) => escapeXml(origin + path);
  const taskpaneUrl = url(TASKPANE_PATH);
  const vo = '        '; // indentation inside <VersionOverrides 1.1><Hosts><Host><DesktopFormFactor>

  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by server/scripts/manifest.ts ("npm run manifest"); do not edit by hand. -->
<OfficeApp
  xmlns="http://schemas.microsoft.com/office/appforoffice/1.1"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:bt="http://schemas.microsoft.com/office/officeappbasictypes/1.0"
  xmlns:mailappor="http://schemas.microsoft.com/office/mailappversionoverrides/1.0"
  xsi:type="MailApp">
  <Id>${escapeXml(id)}</Id>
  <Version>${escapeXml(version)}</Version>
  <ProviderName>${escapeXml(TEXT.displayName.en)}</ProviderName>
  <DefaultLocale>ru-RU</DefaultLocale>
${localizedAttr('DisplayName', name, '  ')}
${localizedAttr('Description', TEXT.description, '  ')}
  <IconUrl DefaultValue="${url(iconPath(64))}"/>
  <HighResolutionIconUrl DefaultValue="${url(iconPath(128))}"/>
  <SupportUrl DefaultValue="${url('/')}"/>
  <AppDomains>
    <AppDomain>${escapeXml(origin)}</AppDomain>
  </AppDomains>
  <Hosts>
    <Host Name="Mailbox"/>
  </Hosts>
  <Requirements>
    <Sets>
      <Set Name="Mailbox" MinVersion="${MAILBOX_MIN_VERSION}"/>
    </Sets>
  </Requirements>
  <!-- Used only by clients without add-in command support; commands below take precedence. -->
  <FormSettings>
    <Form xsi:type="ItemRead">
      <DesktopSettings>
        <SourceLocation DefaultValue="${taskpaneUrl}"/>
        <RequestedHeight>250</RequestedHeight>
      </DesktopSettings>
    </Form>
  </FormSettings>
  <Permissions>ReadItem</Permissions>
  <!-- Activate on a message being read and on an appointment opened by an attendee (read form). -->
  <Rule xsi:type="RuleCollection" Mode="Or">
    <Rule xsi:type="ItemIs" ItemType="Message" FormType="Read"/>
    <Rule xsi:type="ItemIs" ItemType="Appointment" FormType="Read"/>
  </Rule>
  <VersionOverrides xmlns="http://schemas.microsoft.com/office/mailappversionoverrides" xsi:type="VersionOverridesV1_0">
    <VersionOverrides xmlns="http://schemas.microsoft.com/office/mailappversionoverrides/1.1" xsi:type="VersionOverridesV1_1">
      <Requirements>
        <bt:Sets DefaultMinVersion="${MAILBOX_MIN_VERSION}">
          <bt:Set Name="Mailbox" MinVersion="${MAILBOX_MIN_VERSION}"/>
        </bt:Sets>
      </Requirements>
      <Hosts>
        <Host xsi:type="MailHost">
          <DesktopFormFactor>
${extensionPoint('MessageReadCommandSurface', 'MessageRead', `${vo}    `)}
${extensionPoint('AppointmentAttendeeCommandSurface', 'AppointmentAttendee', `${vo}    `)}
          </DesktopFormFactor>
        </Host>
      </Hosts>
      <Resources>
        <bt:Images>
          <bt:Image id="${RES.icon16}" DefaultValue="${url(iconPath(16))}"/>
          <bt:Image id="${RES.icon32}" DefaultValue="${url(iconPath(32))}"/>
          <bt:Image id="${RES.icon80}" DefaultValue="${url(iconPath(80))}"/>
        </bt:Images>
        <bt:Urls>
          <bt:Url id="${RES.taskpaneUrl}" DefaultValue="${taskpaneUrl}"/>
        </bt:Urls>
        <bt:ShortStrings>
${btString(RES.groupLabel, name, `${vo}  `)}
${btString(RES.buttonLabel, TEXT.buttonLabel, `${vo}  `)}
        </bt:ShortStrings>
        <bt:LongStrings>
${btString(RES.buttonTooltip, TEXT.buttonTooltip, `${vo}  `)}
        </bt:LongStrings>
      </Resources>
    </VersionOverrides>
  </VersionOverrides>
</OfficeApp>
`;
}
