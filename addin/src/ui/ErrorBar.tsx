import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
} from '@fluentui/react-components';
import type { JSX } from 'react';
import { ApiError } from '../api/api-error.ts';
import { OfficeError } from '../office/office-host.ts';
import { type Dict, useI18n } from './i18n.ts';

/** The words for any failure: known API codes in the user's language, else the server's message. */
export function describeError(error: unknown, t: Dict): { text: string; requestId: string | null } {
  if (error instanceof ApiError) {
    // Our own words for known codes; the server's message (English, technical) only for codes we lack.
    const known = error.code in t.errors ? t.errors[error.code as keyof Dict['errors']] : null;
    return { text: known ?? error.message, requestId: error.requestId };
  }
  if (error instanceof OfficeError)
    return { text: `${t.errors.officeFailed} (${error.message})`, requestId: null };
  return { text: error instanceof Error ? error.message : String(error), requestId: null };
}

/** The one way the pane shows a failure: a Fluent MessageBar, optionally with a retry button. */
export function ErrorBar({
  error,
  title,
  onRetry,
  intent = 'error',
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
  intent?: 'error' | 'warning';
}): JSX.Element {
  const { t } = useI18n();
  const { text, requestId } = describeError(error, t);
  return (
    <MessageBar intent={intent} layout="multiline">
      <MessageBarBody>
        {title && <MessageBarTitle>{title}</MessageBarTitle>}
        {text}
        {requestId && ` ${t.requestId(requestId)}.`}
      </MessageBarBody>
      {onRetry && (
        <MessageBarActions>
          <Button size="small" onClick={onRetry}>
            {t.retry}
          </Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}
