import type { DevUserDto } from '@crm/shared';
import {
  Body1,
  Body1Strong,
  Button,
  Caption1,
  Caption1Strong,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Spinner,
  Subtitle1,
  tokens,
} from '@fluentui/react-components';
import { type JSX, useEffect, useState, useSyncExternalStore } from 'react';
import { type AuthState, auth } from '../api/auth.ts';
import { SignInError } from '../auth/sign-in-error.ts';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { useI18n } from '../ui/i18n.ts';
import { Icon } from '../ui/icons.tsx';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalM,
    maxWidth: '420px',
  },
  list: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    margin: 0,
    padding: 0,
    listStyle: 'none',
  },
  user: {
    width: '100%',
    justifyContent: 'flex-start',
    textAlign: 'start',
    paddingBlock: tokens.spacingVerticalS,
  },
  text: { display: 'flex', flexDirection: 'column', alignItems: 'flex-start' },
  muted: { color: tokens.colorNeutralForeground3 },
  primary: { alignSelf: 'flex-start' },
  heading: { color: tokens.colorNeutralForeground3, marginTop: tokens.spacingVerticalS },
});

type Users = { kind: 'loading' } | { kind: 'ready'; users: DevUserDto[] } | { kind: 'error'; error: unknown };

/** Dev sign-in: pick a demo user (only when the server enables it). */
function DevPicker({ heading }: { heading: boolean }): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  const [users, setUsers] = useState<Users>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [signingIn, setSigningIn] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: attempt is the explicit retry trigger
  useEffect(() => {
    let live = true;
    setUsers({ kind: 'loading' });
    auth.devUsers().then(
      (list) => live && setUsers({ kind: 'ready', users: list }),
      (err) => live && setUsers({ kind: 'error', error: err }),
    );
    return () => {
      live = false;
    };
  }, [attempt]);

  const signIn = async (email: string) => {
    setSigningIn(email);
    setError(null);
    try {
      await auth.signInDev(email);
    } catch (err) {
      setError(err);
      setSigningIn(null);
    }
  };

  return (
    <>
      {heading ? (
        <Caption1Strong as="h2" className={s.heading}>
          {t.demoUsers}
        </Caption1Strong>
      ) : (
        <Body1>{t.signInHint}</Body1>
      )}
      {users.kind === 'loading' && <Spinner size="small" label={t.loadingUsers} />}
      {users.kind === 'error' && <ErrorBar error={users.error} onRetry={() => setAttempt((n) => n + 1)} />}
      {error !== null && <ErrorBar error={error} />}
      {users.kind === 'ready' && (
        <ul className={s.list}>
          {users.users.map((u) => (
            <li key={u.id}>
              <Button
                className={s.user}
                appearance="subtle"
                icon={signingIn === u.email ? <Spinner size="tiny" /> : <Icon name="person" size={20} />}
                disabled={signingIn !== null}
                aria-label={t.signInAs(u.name)}
                onClick={() => void signIn(u.email)}
              >
                <span className={s.text}>
                  <Body1Strong>{u.name}</Body1Strong>
                  <Caption1 className={s.muted}>
                    {[t.userRoles[u.role], u.branch, u.email].filter(Boolean).join(' · ')}
                  </Caption1>
                </span>
              </Button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Why a Microsoft 365 sign-in did not finish, and the way forward (Office dialog codes included). */
function SignInFailure({ error }: { error: SignInError }): JSX.Element {
  const { t } = useI18n();
  const origin = window.location.origin;
  return (
    <MessageBar intent={error.reason === 'cancelled' ? 'warning' : 'error'} layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{t.signInFailedTitle}</MessageBarTitle>
        {t.signInFailed[error.reason](origin)}
        {error.code && ` (${error.code})`}
      </MessageBarBody>
    </MessageBar>
  );
}

type SignedOut = Extract<AuthState, { status: 'signed-out' }>;

/** Microsoft 365 sign-in: one button, the failure with its way forward, a spinner while it runs. */
function EntraSignIn({ state }: { state: SignedOut }): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  const { error, busy } = state;
  const again =
    error instanceof SignInError
      ? ['closed', 'ignored', 'cancelled'].includes(error.reason)
        ? t.signInAgain
        : t.tryAgain
      : null;
  return (
    <>
      <Body1>{t.signInEntraHint}</Body1>
      {error instanceof SignInError && <SignInFailure error={error} />}
      {error !== null && !(error instanceof SignInError) && <ErrorBar error={error} intent="warning" />}
      <Button
        className={s.primary}
        appearance="primary"
        disabled={busy}
        icon={busy ? <Spinner size="tiny" /> : undefined}
        onClick={() => void auth.signInWithMicrosoft()}
      >
        {busy ? t.signingIn : (again ?? t.signInWithMicrosoft)}
      </Button>
    </>
  );
}

/**
 * The sign-in screen, as the server configures it (GET /api/v1/auth/config): Microsoft 365 (Entra ID) and/or
 * the demo-user picker. The `auth` module does the work; this only shows its state.
 */
export function SignIn(): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  const state = useSyncExternalStore(auth.subscribe, auth.getState);
  return (
    <div className={s.root}>
      <Subtitle1 as="h1">{t.signInTitle}</Subtitle1>
      {state.status === 'starting' && <Spinner size="small" label={t.loading} />}
      {state.status === 'unavailable' && (
        <ErrorBar title={t.signInUnavailable} error={state.error} onRetry={() => void auth.start()} />
      )}
      {state.status === 'signed-out' && (
        <>
          {state.entra && <EntraSignIn state={state} />}
          {!state.entra && state.error !== null && <ErrorBar error={state.error} intent="warning" />}
          {state.dev && <DevPicker heading={state.entra !== null} />}
        </>
      )}
    </div>
  );
}
