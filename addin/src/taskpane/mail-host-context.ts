import { createContext, useContext } from 'react';
import type { MailHost, NewAppointment } from '../office/mail-host.ts';

/** The pane's host, for controls deep in the tree (e.g. "Add to my calendar"); null outside a pane. */
export const MailHostContext = createContext<MailHost | null>(null);

/** Opens Outlook's new-appointment form, or null when the host has none (preview mode). */
export function useAddToCalendar(): ((a: NewAppointment) => void) | null {
  const host = useContext(MailHostContext);
  return host?.displayNewAppointment ?? null;
}
