import { OfficeError, officeAsync } from './office-host.ts';

// The Office side of sign-in: whether the host brokers tokens (nested app authentication), and the Office
// dialog API for hosts that do not (microsoft.md, "Sign-in"). Nothing here sees a token's meaning: the
// dialog's message is passed on as a string.

/**
 * True when the host offers nested app authentication. It cannot be declared in an Outlook manifest, so it is
 * checked at run time (Windows 2409+, Mac 16.89+, mobile 4.2433+, Outlook on the web; not Outlook.com).
 */
export function isNestedAppAuthSupported(): boolean {
  try {
    return Office.context.requirements.isSetSupported('NestedAppAuth', '1.1') === true;
  } catch {
    return false; // an older office.js without `requirements`
  }
}

/** Office's dialog error codes (Dialog API docs): opening (12004/05/07/09/11) or while open (12002/03/06). */
export const DIALOG_ERRORS = {
  pageNotFound: 12002,
  httpInsideHttps: 12003,
  untrustedDomain: 12004,
  httpNotAllowed: 12005,
  closed: 12006,
  alreadyOpen: 12007,
  ignored: 12009,
  popupBlocked: 12011,
} as const;

export type DialogOptions = {
  /** Percent of the screen, as Office takes them. */
  height: number;
  width: number;
  /** Gives up (and closes the dialog) when no message came in this time; rejects with code null. */
  timeoutMs: number;
  /** Only a message from this origin is taken (DialogOrigin 1.1 hosts say it; older ones do not). */
  expectedOrigin: string;
};

/**
 * Opens `url` in an Office dialog and resolves with the first message its page sends with
 * `Office.context.ui.messageParent`, then closes the dialog. Rejects with an {@link OfficeError} whose `code`
 * is Office's: when the dialog cannot open (12004 untrusted domain, 12005 http, 12007 one already open, 12009
 * the user ignored it, 12011 pop-ups blocked), when it closes or fails before a message (12006, 12002, 12003),
 * or with code null after `timeoutMs`.
 */
export async function openDialogForMessage(url: string, opts: DialogOptions): Promise<string> {
  const dialog = await officeAsync<Office.Dialog>('displayDialogAsync', (cb) =>
    Office.context.ui.displayDialogAsync(url, { height: opts.height, width: opts.width }, cb),
  );
  return new Promise<string>((resolve, reject) => {
    let done = false;
    const finish = (outcome: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      outcome();
    };
    const close = () => {
      try {
        dialog.close();
      } catch {
        /* already closed by the user */
      }
    };
    const timer = setTimeout(
      () =>
        finish(() => {
          close();
          reject(new OfficeError({ message: 'The sign-in window did not answer in time' }, 'dialog'));
        }),
      opts.timeoutMs,
    );
    dialog.addEventHandler(Office.EventType.DialogMessageReceived, (arg) => {
      if (!('message' in arg)) return;
      if (arg.origin !== undefined && arg.origin !== opts.expectedOrigin) return; // not our page
      finish(() => {
        close();
        resolve(arg.message);
      });
    });
    dialog.addEventHandler(Office.EventType.DialogEventReceived, (arg) => {
      if (!('error' in arg)) return;
      finish(() =>
        reject(new OfficeError({ code: arg.error, message: `dialog event ${arg.error}` }, 'dialog')),
      );
    });
  });
}

/**
 * For the dialog's own page: resolves true once Office.js is ready inside an Office dialog, false outside
 * Office (a plain tab) or when Office stays silent for `timeoutMs`.
 */
export async function waitForOfficeDialog(timeoutMs = 3000): Promise<boolean> {
  if (typeof Office === 'undefined' || typeof Office.onReady !== 'function') return false;
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs));
  await Promise.race([Office.onReady(), timeout]).catch(() => null);
  return typeof Office.context?.ui?.messageParent === 'function';
}

/** For the dialog's own page: sends `message` to the page that opened the dialog (same origin only). */
export function messageParent(message: string): void {
  // targetOrigin needs DialogOrigin 1.1; older hosts deliver only to the add-in's own domain anyway.
  let withOrigin = false;
  try {
    withOrigin = Office.context.requirements.isSetSupported('DialogOrigin', '1.1');
  } catch {}
  if (withOrigin) Office.context.ui.messageParent(message, { targetOrigin: window.location.origin });
  else Office.context.ui.messageParent(message);
}
