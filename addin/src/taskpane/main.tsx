import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { auth } from '../api/auth.ts';
import { createOfficeHost, waitForOutlook } from '../office/office-host.ts';
import { App } from './App.tsx';

// Inside Outlook the pane follows the mailbox; in a plain browser tab (or when office.js did not load)
// it runs in preview mode with the demo inbox.
const root = createRoot(document.getElementById('root')!);
const inOutlook = await waitForOutlook();
// Inside Outlook: nested app authentication or the Office dialog; in a tab: dev sign-in or a redirect.
void auth.start({ inOffice: inOutlook });
root.render(
  <StrictMode>
    <App officeHost={inOutlook ? createOfficeHost() : null} />
  </StrictMode>,
);
