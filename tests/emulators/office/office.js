// Outlook host emulator for the end-to-end tests: served in place of
// https://appsforoffice.microsoft.com/lib/1/hosted/office.js (Playwright routing). It implements the part of
// Office.js the pane uses, as documented for a read-mode item in a pinned task pane (Mailbox 1.5):
// Office.onReady -> {host: 'Outlook'}, Office.context.mailbox.item (message or appointment, or null),
// userProfile, displayLanguage, officeTheme, addHandlerAsync/removeHandlerAsync(ItemChanged) with
// AsyncResult callbacks, and the AsyncResultStatus / EventType / HostType / MailboxEnums enumerations.
//
// Sign-in: Office.context.requirements.isSetSupported (Mailbox up to `mailboxVersion`, DialogApi <= 1.2, DialogOrigin 1.1,
// NestedAppAuth 1.1 only when `naa` is configured), the nested app authentication bridge MSAL talks to
// (window.nestedAppAuthBridge: JSON envelopes GetInitContext / GetToken / GetTokenPopup, as in
// @azure/msal-browser src/naa), and the dialog API: Office.context.ui.displayDialogAsync opens the page in a
// pop-up window (12007 when one is open, 12004 for another origin, 12005 for http beyond loopback, 12011 when
// the browser refuses the pop-up or `failWith` says so), relays the page's messageParent as
// DialogMessageReceived (with its origin, DialogOrigin 1.1) and reports 12006 when the window is closed.
//
// Item content (logging): item.body.getAsync(coercionType 'html' | 'text'), item.attachments
// ({id, name, size, contentType, isInline, attachmentType}), item.getAttachmentContentAsync(id) ->
// {format: 'base64', content}, and for messages item.getAsFileAsync() -> Base64 MIME, present only when the
// configured Mailbox version (`mailboxVersion`, default '1.13') is at least 1.14, as isSetSupported says.
// The item data gives them: `bodyHtml` (else the preview as a paragraph), `attachments[].contentBase64`,
// `mime`; appointments take `start`/`end`/`location`. More than 3 item calls in flight fail with
// 5001 (Outlook on the web's limit); maxConcurrentItemCalls() reports the peak.
//
// Test control surface (window.__officeEmulator):
//   selectItem(item | null, {silent})  sets the selected item and, unless silent, fires ItemChanged the way
//                                      Outlook does (item updated first, handler called asynchronously).
//                                      `silent` reproduces office-js#1096/#5965: no event for the switch.
//   handlerCount()                     how many ItemChanged handlers are registered.
//   failNext(methodName)               makes the next call of that async method report Failed.
//   failNextDialog(code)               makes the next displayDialogAsync fail with that Office code.
//   naaRequests()                      the bridge requests MSAL sent: {method, scope, clientId}.
//   dialogsOpened()                    the URLs displayDialogAsync opened.
//   maxConcurrentItemCalls()           the most item content calls (body, attachments, file) in flight at once.
//   itemCalls()                        the item content methods called, in order.
//   appointmentFormsOpened()           the displayNewAppointmentForm calls: {subject, start, end, body} (ISO times).
// Configuration before load: window.__officeEmulatorConfig = {item, userProfile, displayLanguage, theme,
// naa, dialog, mailboxVersion}. `item` may be a demo inbox item (shared/src/schemas/demo.ts) or an Office-shaped item.
// `naa`: {brokerUrl, silent: 'token' | 'interaction_required'} — the host brokers tokens from brokerUrl (the
// Entra emulator's /emulator/broker/token); with 'interaction_required' the silent call needs the popup once.
// `dialog`: {failWith: 12004 | 12005 | 12007 | 12009 | 12011} — every displayDialogAsync fails so.
(() => {
  const config = window.__officeEmulatorConfig || {};

  const AsyncResultStatus = { Succeeded: 'succeeded', Failed: 'failed' };
  const EventType = {
    ItemChanged: 'olkItemSelectedChanged',
    DialogMessageReceived: 'dialogMessageReceived',
    DialogEventReceived: 'dialogEventReceived',
  };
  const HostType = {
    Word: 'Word',
    Excel: 'Excel',
    PowerPoint: 'PowerPoint',
    Outlook: 'Outlook',
    OneNote: 'OneNote',
    Project: 'Project',
    Access: 'Access',
  };
  const PlatformType = { PC: 'PC', OfficeOnline: 'OfficeOnline', Mac: 'Mac' };
  const ItemType = { Message: 'message', Appointment: 'appointment' };
  const CoercionType = { Html: 'html', Text: 'text' };
  const AttachmentContentFormat = { Base64: 'base64', Url: 'url', Eml: 'eml', ICalendar: 'iCalendar' };
  const AttachmentType = { File: 'file', Item: 'item', Cloud: 'cloud' };

  // Requirement set versions compare part by part: Mailbox 1.14 is above 1.5.
  const versionAtLeast = (have, want) => {
    const a = String(have).split('.').map(Number);
    const b = String(want).split('.').map(Number);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0);
    }
    return true;
  };
  const mailboxVersion = String(config.mailboxVersion || '1.13');

  // Office theme colours as Outlook reports them (OfficeTheme: body/control background and foreground).
  const THEMES = {
    light: {
      bodyBackgroundColor: '#ffffff',
      bodyForegroundColor: '#262626',
      controlBackgroundColor: '#ffffff',
      controlForegroundColor: '#262626',
      isDarkTheme: false,
      themeId: 'Colorful',
    },
    dark: {
      bodyBackgroundColor: '#292929',
      bodyForegroundColor: '#ffffff',
      controlBackgroundColor: '#1f1f1f',
      controlForegroundColor: '#ffffff',
      isDarkTheme: true,
      themeId: 'Black',
    },
  };

  const failures = new Set();
  const handlers = [];

  const address = (a) =>
    a ? { displayName: a.displayName || '', emailAddress: a.emailAddress || '' } : null;
  const addresses = (xs) => (xs || []).map(address);

  // Item content calls: at most 3 in flight (Outlook on the web), each completing after a short delay.
  let inFlight = 0;
  let peak = 0;
  const itemCalls = [];
  function itemCall(method, rest, work) {
    const { callback, asyncContext } = splitArgs(rest);
    itemCalls.push(method);
    inFlight++;
    peak = Math.max(peak, inFlight);
    const tooMany = inFlight > 3;
    setTimeout(() => {
      inFlight--;
      if (tooMany || failures.delete(method)) {
        const error = {
          code: 5001,
          name: 'InternalError',
          message: `An internal error has occurred (${method}).`,
        };
        callback?.(result(AsyncResultStatus.Failed, undefined, error, asyncContext));
        return;
      }
      const outcome = work();
      if (outcome.error) callback?.(result(AsyncResultStatus.Failed, undefined, outcome.error, asyncContext));
      else callback?.(result(AsyncResultStatus.Succeeded, outcome.value, null, asyncContext));
    }, 15);
  }

  const escapeHtml = (t) =>
    String(t).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
  const htmlToText = (html) =>
    html
      .replace(/<(br|\/p|\/div|hr)[^>]*>/gi, '\n')
      .replace(/<[^>]+>/g, '')
      .replace(/&nbsp;/g, ' ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')
      .trim();

  // body, attachments, getAttachmentContentAsync and (Mailbox 1.14, messages) getAsFileAsync.
  function contentApis(item, appointment) {
    const html = item.bodyHtml ?? `<html><body><p>${escapeHtml(item.bodyPreview || '')}</p></body></html>`;
    const files = item.attachments || [];
    const apis = {
      attachments: files.map((a) => ({
        id: a.id,
        name: a.name,
        size: a.size,
        contentType: a.contentType,
        isInline: Boolean(a.isInline),
        attachmentType: a.attachmentType || AttachmentType.File,
      })),
      body: {
        getAsync(coercionType, ...rest) {
          itemCall(`body.getAsync(${coercionType})`, rest, () => {
            if (coercionType === CoercionType.Html) return { value: html };
            if (coercionType === CoercionType.Text) return { value: htmlToText(html) };
            return { error: { code: 9000, name: 'InvalidCoercion', message: 'Unsupported coercion type.' } };
          });
        },
      },
      getAttachmentContentAsync(attachmentId, ...rest) {
        itemCall('getAttachmentContentAsync', rest, () => {
          const a = files.find((f) => f.id === attachmentId);
          if (!a)
            return {
              error: { code: 9002, name: 'InvalidAttachmentId', message: 'The attachment id is invalid.' },
            };
          return { value: { format: AttachmentContentFormat.Base64, content: a.contentBase64 || '' } };
        });
      },
    };
    if (!appointment && versionAtLeast(mailboxVersion, '1.14')) {
      apis.getAsFileAsync = (...rest) =>
        itemCall('getAsFileAsync', rest, () =>
          item.mime
            ? { value: item.mime }
            : { error: { code: 5001, name: 'InternalError', message: 'The item has no MIME source.' } },
        );
    }
    return apis;
  }

  // A read-mode item: properties, not getAsync objects. Appointments have no internetMessageId.
  function toOfficeItem(item) {
    if (!item) return null;
    const common = {
      itemType: item.itemType === ItemType.Appointment ? ItemType.Appointment : ItemType.Message,
      itemId: item.itemId || item.id || null,
      conversationId: item.conversationId || null,
      subject: item.subject || '',
      normalizedSubject: (item.subject || '').replace(/^(re|fw|fwd):\s*/i, ''),
      dateTimeCreated: new Date(item.dateTimeCreated || Date.now()),
      attachments: [],
    };
    if (common.itemType === ItemType.Appointment) {
      // The same meeting starts at the same time on every load (the item data's, else a day after creation).
      const start = new Date(item.start || common.dateTimeCreated.getTime() + 24 * 3600_000);
      return Object.assign(common, contentApis(item, true), {
        organizer: address(item.organizer),
        requiredAttendees: addresses(item.requiredAttendees),
        optionalAttendees: addresses(item.optionalAttendees),
        start,
        end: new Date(item.end || start.getTime() + 3600_000),
        location: item.location || '',
      });
    }
    return Object.assign(common, contentApis(item, false), {
      internetMessageId: item.internetMessageId || null,
      from: address(item.from),
      sender: address(item.from),
      to: addresses(item.to),
      cc: addresses(item.cc),
    });
  }

  function result(status, value, error, asyncContext) {
    return { status, value, error: error || null, asyncContext };
  }

  // Office's async signature: (..., options?, callback?) where options may be omitted.
  function splitArgs(rest) {
    const callback = typeof rest[rest.length - 1] === 'function' ? rest[rest.length - 1] : null;
    const options = rest.length > 0 && typeof rest[0] === 'object' && rest[0] !== null ? rest[0] : {};
    return { callback, asyncContext: options.asyncContext };
  }

  function complete(method, callback, asyncContext, work) {
    setTimeout(() => {
      if (failures.delete(method)) {
        const error = {
          code: 5001,
          name: 'InternalError',
          message: `An internal error has occurred (${method}).`,
        };
        callback?.(result(AsyncResultStatus.Failed, undefined, error, asyncContext));
        return;
      }
      const outcome = work();
      if (outcome?.error)
        callback?.(result(AsyncResultStatus.Failed, undefined, outcome.error, asyncContext));
      else callback?.(result(AsyncResultStatus.Succeeded, undefined, null, asyncContext));
    }, 0);
  }

  const appointmentForms = [];
  const mailbox = {
    item: toOfficeItem(config.item === undefined ? null : config.item),
    userProfile: Object.assign(
      {
        displayName: 'RM One',
        emailAddress: 'rm1@bank.example',
        timeZone: 'Russian Standard Time',
        accountType: 'enterprise',
      },
      config.userProfile || {},
    ),
    diagnostics: { hostName: 'OutlookWebApp', hostVersion: '16.0', OWAView: 'ThreeColumns' },
    // Opens the new-appointment form (no callback, like Outlook); recorded for appointmentFormsOpened().
    displayNewAppointmentForm(params) {
      const iso = (d) => (d instanceof Date ? d.toISOString() : d == null ? null : String(d));
      appointmentForms.push({
        subject: params?.subject ?? '',
        start: iso(params?.start),
        end: iso(params?.end),
        body: params?.body ?? '',
        requiredAttendees: params?.requiredAttendees ?? [],
      });
    },
    addHandlerAsync(eventType, handler, ...rest) {
      const { callback, asyncContext } = splitArgs(rest);
      complete('addHandlerAsync', callback, asyncContext, () => {
        if (eventType !== EventType.ItemChanged) {
          return {
            error: { code: 9016, name: 'InvalidEventType', message: 'The event type is not supported.' },
          };
        }
        handlers.push(handler);
        return null;
      });
    },
    removeHandlerAsync(eventType, ...rest) {
      const { callback, asyncContext } = splitArgs(rest);
      complete('removeHandlerAsync', callback, asyncContext, () => {
        if (eventType === EventType.ItemChanged) handlers.length = 0;
        return null;
      });
    },
  };

  const context = {
    displayLanguage: config.displayLanguage || 'en-US',
    contentLanguage: config.displayLanguage || 'en-US',
    officeTheme: THEMES[config.theme === 'dark' ? 'dark' : 'light'],
    mailbox,
    requirements: {
      isSetSupported(name, version) {
        const max = { Mailbox: mailboxVersion, DialogApi: '1.2', DialogOrigin: '1.1' };
        if (config.naa) max.NestedAppAuth = '1.1';
        if (!(name in max)) return false;
        return !version || versionAtLeast(max[name], version);
      },
    },
    ui: {
      displayDialogAsync(startAddress, ...rest) {
        const { callback, asyncContext } = splitArgs(rest);
        const options = rest.length > 0 && typeof rest[0] === 'object' && rest[0] !== null ? rest[0] : {};
        setTimeout(() => {
          const fail = (code, message) =>
            callback?.(
              result(AsyncResultStatus.Failed, undefined, { code, name: 'Error', message }, asyncContext),
            );
          const forced = dialogFailures.shift() ?? config.dialog?.failWith;
          if (forced) return fail(forced, `Dialog failure ${forced} (emulated)`);
          if (openDialog) return fail(12007, 'A dialog box is already opened from this add-in.');
          let target;
          try {
            target = new URL(startAddress, location.href);
          } catch {
            return fail(12002, 'The dialog URL is invalid.');
          }
          const loopback = /^(127\.|localhost$|\[::1\]$)/.test(target.hostname);
          if (target.protocol !== 'https:' && !loopback) return fail(12005, 'The URL must use HTTPS.');
          if (target.origin !== location.origin)
            return fail(12004, 'The domain of the URL is not included in the AppDomains element.');
          const pct = (v, total) => Math.max(150, Math.round(((Number(v) || 80) / 100) * total));
          const features = `popup,width=${pct(options.width, screen.availWidth)},height=${pct(options.height, screen.availHeight)}`;
          const win = window.open(target.href, 'office-emulator-dialog', features);
          if (!win) return fail(12011, 'The browser blocked the dialog window.');
          dialogsOpened.push(target.href);
          openDialog = createDialog(win);
          callback?.(result(AsyncResultStatus.Succeeded, openDialog, null, asyncContext));
        }, 0);
      },
      // In a dialog's page: hands the message to the page that opened it (window.opener), as Office does.
      messageParent(message, messageOptions) {
        const host = window.opener?.__officeEmulator;
        if (!host) throw new Error('messageParent is only available in a dialog');
        if (messageOptions?.targetOrigin && messageOptions.targetOrigin !== window.opener.location.origin)
          return;
        host.deliverDialogMessage(String(message), location.origin);
      },
    },
    diagnostics: { host: HostType.Outlook, platform: PlatformType.OfficeOnline, version: '16.0' },
  };

  const readyInfo = { host: HostType.Outlook, platform: PlatformType.OfficeOnline };
  const ready = new Promise((resolve) => setTimeout(() => resolve(readyInfo), 0));

  window.Office = {
    AsyncResultStatus,
    EventType,
    HostType,
    PlatformType,
    MailboxEnums: { ItemType, AttachmentContentFormat, AttachmentType },
    CoercionType,
    context,
    onReady(callback) {
      return ready.then((info) => {
        if (typeof callback === 'function') callback(info);
        return info;
      });
    },
  };
  // Legacy initialisation hook some add-ins still assign.
  ready.then(() => typeof window.Office.initialize === 'function' && window.Office.initialize('inserted'));

  // --- dialog API (host side) ---
  const dialogFailures = [];
  const dialogsOpened = [];
  let openDialog = null;

  function createDialog(win) {
    const listeners = { message: [], event: [] };
    let closedByAddin = false;
    const watch = setInterval(() => {
      if (!win.closed) return;
      clearInterval(watch);
      if (openDialog === dialog) openDialog = null;
      if (!closedByAddin) for (const h of listeners.event) h({ error: 12006, type: 'dialogEventReceived' });
    }, 200);
    const dialog = {
      addEventHandler(eventType, handler) {
        if (eventType === EventType.DialogMessageReceived) listeners.message.push(handler);
        else if (eventType === EventType.DialogEventReceived) listeners.event.push(handler);
      },
      close() {
        closedByAddin = true;
        clearInterval(watch);
        if (openDialog === dialog) openDialog = null;
        win.close();
      },
      messageChild() {},
      deliver(message, origin) {
        setTimeout(() => {
          for (const h of listeners.message) h({ message, origin, type: 'dialogMessageReceived' });
        }, 0);
      },
    };
    return dialog;
  }

  // --- nested app authentication bridge (what Outlook injects when it supports NestedAppAuth) ---
  const naaRequests = [];
  if (config.naa) {
    const bridgeListeners = new Set();
    let interactedOnce = false;
    const answer = (requestId, body) => {
      const envelope = JSON.stringify({ messageType: 'NestedAppAuthResponse', requestId, ...body });
      setTimeout(() => {
        for (const l of bridgeListeners) l(envelope);
      }, 0);
    };
    const failure = (status, code, description) => ({
      success: false,
      error: { status, code, description },
    });
    async function getToken(request, interactive) {
      const params = request.tokenParams || {};
      if (!interactive && config.naa.silent === 'interaction_required' && !interactedOnce)
        return failure('USER_INTERACTION_REQUIRED', 'interaction_required', 'Consent is required');
      const res = await fetch(config.naa.brokerUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: params.clientId, scope: params.scope, authority: params.authority }),
      });
      const body = await res.json();
      if (!res.ok) {
        const status =
          body.error === 'interaction_required' ? 'USER_INTERACTION_REQUIRED' : 'PERSISTENT_ERROR';
        return failure(status, body.error, body.error_description);
      }
      if (interactive) interactedOnce = true;
      return { success: true, token: body.token, account: body.account };
    }
    window.nestedAppAuthBridge = {
      addEventListener(eventName, callback) {
        if (eventName === 'message') bridgeListeners.add(callback);
      },
      removeEventListener(_eventName, callback) {
        bridgeListeners.delete(callback);
      },
      postMessage(raw) {
        const request = JSON.parse(raw);
        naaRequests.push({
          method: request.method,
          scope: request.tokenParams?.scope ?? null,
          clientId: request.tokenParams?.clientId ?? null,
        });
        if (request.method === 'GetInitContext') {
          answer(request.requestId, {
            success: true,
            initContext: {
              sdkName: 'office-emulator',
              sdkVersion: '1.0.0',
              capabilities: { queryAccount: false },
            },
          });
          return;
        }
        getToken(request, request.method === 'GetTokenPopup').then(
          (body) => answer(request.requestId, body),
          (err) => answer(request.requestId, failure('TRANSIENT_ERROR', 'network_error', String(err))),
        );
      },
    };
  }

  window.__officeEmulator = {
    failNextDialog(code) {
      dialogFailures.push(code);
    },
    naaRequests: () => naaRequests.slice(),
    maxConcurrentItemCalls: () => peak,
    itemCalls: () => itemCalls.slice(),
    appointmentFormsOpened: () => appointmentForms.slice(),
    dialogsOpened: () => dialogsOpened.slice(),
    // Called by messageParent in the dialog's window.
    deliverDialogMessage(message, origin) {
      openDialog?.deliver(message, origin);
    },
    selectItem(item, options) {
      mailbox.item = toOfficeItem(item);
      if (options?.silent) return;
      setTimeout(() => {
        for (const h of handlers.slice()) h({ type: EventType.ItemChanged });
      }, 0);
    },
    handlerCount: () => handlers.length,
    failNext(method) {
      failures.add(method);
    },
  };
})();
