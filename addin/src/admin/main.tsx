import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { auth } from '../api/auth.ts';
import { AdminApp } from './AdminApp.tsx';

// The admin page runs in a plain browser tab: dev sign-in (demo) or an Entra ID redirect, through the pane's
// own auth module (MSAL brings the redirect's answer back to this page).
void auth.start({ inOffice: false });
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AdminApp />
  </StrictMode>,
);
