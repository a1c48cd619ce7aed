import { createContext, useContext } from 'react';

export type OpenClientTarget = { clientId: string; displayName: string };

/** Opens another client's card inside the pane (related client, search result); provided by the pane. */
export const OpenClientContext = createContext<(target: OpenClientTarget) => void>(() => {});

export const useOpenClient = () => useContext(OpenClientContext);
