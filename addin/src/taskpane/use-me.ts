import type { MeDto } from '@crm/shared';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { auth } from '../api/auth.ts';
import { crmApi } from '../api/crm-api.ts';

// The signed-in user (GET /me), asked once per token and shared by every block that needs it: who may remove
// a logged item, whose stage an application is at.
let me: { token: string; promise: Promise<MeDto> } | null = null;

/** The signed-in user, or null while it loads (or when it could not be read: the pane's own calls say why). */
export function useMe(): MeDto | null {
  const token = useSyncExternalStore(auth.subscribe, auth.getToken);
  const [value, setValue] = useState<MeDto | null>(null);
  useEffect(() => {
    if (!token) return;
    if (me?.token !== token) me = { token, promise: crmApi.me() };
    const mine = me;
    let live = true;
    mine.promise.then(
      (m) => live && setValue(m),
      () => {
        if (me === mine) me = null; // asked again next time
      },
    );
    return () => {
      live = false;
    };
  }, [token]);
  return value;
}
