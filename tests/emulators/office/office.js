// Outlook host emulator for the end-to-end tests: served in place of
// https://appsforoffice.microsoft.com/lib/1/hosted/office.js (Playwright routing). It implements the part of
// Office.js the pane uses, as documented for a read-mode item in a pinned task pane (Mailbox 1.5):
// Office.onReady -> {host: 'Outlook'}, Office.context.mailbox.item (message or appointment, or null),
// userProfile, displayLanguage, officeTheme, addHandlerAsync/removeHandlerAsync(ItemChanged) with
// AsyncResult callbacks, and the AsyncResultStatus / EventType / HostType / MailboxEnums enumerations.
//
// Test control surface (window.__officeEmulator):
//   selectItem(item | null, {silent})  sets the selected item and, unless silent, fires ItemChanged the way
//                                      Outlook does (item updated first, handler called asynchronously).
//                                      `silent` reproduces office-js#1096/#5965: no event for the switch.
//   handlerCount()                     how many ItemChanged handlers are registered.
//   failNext(methodName)               makes the next call of that async method report Failed.
// Configuration before load: window.__officeEmulatorConfig = {item, userProfile, displayLanguage, theme}.
// `item` may be a demo inbox item (shared/src/schemas/demo.ts) or an Office-shaped item.
(() => {
  const config = window.__officeEmulatorConfig || {};

  const AsyncResultStatus = { Succeeded: 'succeeded', Failed: 'failed' };
  const EventType = { ItemChanged: 'olkItemSelectedChanged' };
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
      const start = new Date(Date.now() + 24 * 3600_000);
      return Object.assign(common, {
        organizer: address(item.organizer),
        requiredAttendees: addresses(item.requiredAttendees),
        optionalAttendees: addresses(item.optionalAttendees),
        start,
        end: new Date(start.getTime() + 3600_000),
        location: '',
      });
    }
    return Object.assign(common, {
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
        if (name !== 'Mailbox') return false;
        return !version || Number(version) <= 1.5;
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
    MailboxEnums: { ItemType },
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

  window.__officeEmulator = {
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
