import type { DevUserDto } from '@crm/shared';
import {
  Body1,
  Body1Strong,
  Button,
  Caption1,
  makeStyles,
  Spinner,
  Subtitle1,
  tokens,
} from '@fluentui/react-components';
import { type JSX, useEffect, useState } from 'react';
import { auth } from '../api/auth.ts';
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
});

type Users = { kind: 'loading' } | { kind: 'ready'; users: DevUserDto[] } | { kind: 'error'; error: unknown };

/** Dev sign-in: pick a demo user. The token comes from the `auth` module, which Entra/NAA will replace. */
export function SignIn(): JSX.Element {
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
    <div className={s.root}>
      <Subtitle1 as="h1">{t.signInTitle}</Subtitle1>
      <Body1>{t.signInHint}</Body1>
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
    </div>
  );
}
