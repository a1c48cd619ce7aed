import type { MeDto } from '@crm/shared';
import {
  Body1,
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  FluentProvider,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Spinner,
  Switch,
  Tab,
  TabList,
  Text,
  Title3,
  tokens,
} from '@fluentui/react-components';
import { type JSX, lazy, Suspense, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { ApiError } from '../api/api-error.ts';
import { auth } from '../api/auth.ts';
import { SignIn } from '../taskpane/SignIn.tsx';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { dictionaries, type I18n, I18nContext, type Lang, langOf } from '../ui/i18n.ts';
import { storeChoice, storedChoice } from '../ui/preferences.ts';
import { darkTheme, lightTheme } from '../ui/theme.ts';
import { adminApi } from './admin-api.ts';
import { type AdminDict, AdminI18nContext, adminDictionaries } from './admin-i18n.ts';
import { UnsavedContext, type UnsavedRegistry } from './form.tsx';

const UsersSection = lazy(() => import('./UsersSection.tsx'));
const OrganisationSection = lazy(() => import('./OrganisationSection.tsx'));
const AuditSection = lazy(() => import('./AuditSection.tsx'));
const M365Section = lazy(() => import('./M365Section.tsx'));
const CreditSettingsSection = lazy(() => import('./CreditSettingsSection.tsx'));
const WorkSettingsSection = lazy(() => import('./WorkSettingsSection.tsx'));

const SECTIONS = ['users', 'organisation', 'work', 'credit', 'm365', 'audit'] as const;
type Section = (typeof SECTIONS)[number];

const useStyles = makeStyles({
  root: {
    minHeight: '100vh',
    display: 'flex',
    flexDirection: 'column',
    backgroundColor: tokens.colorNeutralBackground2,
  },
  header: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalM,
    paddingInline: tokens.spacingHorizontalL,
    paddingBlock: tokens.spacingVerticalS,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  brand: { color: tokens.colorBrandForeground1, whiteSpace: 'nowrap' },
  user: { flexGrow: 1, minWidth: 0, color: tokens.colorNeutralForeground3 },
  body: { display: 'flex', flexGrow: 1, minHeight: 0, flexWrap: 'wrap' },
  nav: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    width: '220px',
    padding: tokens.spacingHorizontalM,
    borderRight: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  // Section names of different lengths line up on the left, not centred.
  tabs: { alignItems: 'stretch' },
  tab: { justifyContent: 'flex-start' },
  main: { flexGrow: 1, flexBasis: '600px', minWidth: 0, padding: tokens.spacingHorizontalL },
  centre: { maxWidth: '560px', padding: tokens.spacingHorizontalXL },
});

function usePrefersDark(): boolean {
  const query = '(prefers-color-scheme: dark)';
  return useSyncExternalStore(
    (cb) => {
      const m = window.matchMedia(query);
      m.addEventListener('change', cb);
      return () => m.removeEventListener('change', cb);
    },
    () => window.matchMedia(query).matches,
  );
}

type Who = { kind: 'loading' } | { kind: 'ready'; me: MeDto } | { kind: 'error'; error: unknown };

function useMe(token: string | null): [Who, () => void] {
  const [who, setWho] = useState<Who>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: attempt is the explicit retry trigger
  useEffect(() => {
    if (!token) return;
    let live = true;
    setWho({ kind: 'loading' });
    adminApi.me().then(
      (me) => live && setWho({ kind: 'ready', me }),
      (error) => live && setWho({ kind: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [token, attempt]);
  return [who, () => setAttempt((n) => n + 1)];
}

const hasAdminRights = (me: MeDto) => me.role === 'admin' || me.grants.includes('admin');

/** Section from the address (`#users`, `#organisation`, `#audit`), so a reload stays where it was. */
const sectionFromHash = (): Section => {
  const h = window.location.hash.slice(1);
  return (SECTIONS as readonly string[]).includes(h) ? (h as Section) : 'users';
};

function Forbidden({ me, t }: { me: MeDto; t: AdminDict }): JSX.Element {
  const s = useStyles();
  return (
    <main className={s.centre}>
      <MessageBar intent="error" layout="multiline" role="alert">
        <MessageBarBody>
          <MessageBarTitle>{t.forbiddenTitle}</MessageBarTitle>
          {t.forbiddenBody(me.name)}
        </MessageBarBody>
      </MessageBar>
    </main>
  );
}

/**
 * The admin page (admin.html): one FluentProvider with the brand theme, ru/en, sign-in through the pane's
 * `auth` module, then the sections for users with admin rights and a clear 403 page for everyone else.
 */
const LANG_KEY = 'crm.admin.lang';
const THEME_KEY = 'crm.admin.theme';

export function AdminApp(): JSX.Element {
  const s = useStyles();
  // The page's language and theme switches are remembered in this browser.
  const [lang, setLangState] = useState<Lang>(
    () => storedChoice(LANG_KEY, ['ru', 'en'] as const) ?? langOf(navigator.language),
  );
  const setLang = (l: Lang) => {
    setLangState(l);
    storeChoice(LANG_KEY, l);
  };
  const prefersDark = usePrefersDark();
  const [dark, setDarkState] = useState<boolean | null>(() => {
    const stored = storedChoice(THEME_KEY, ['light', 'dark'] as const);
    return stored === null ? null : stored === 'dark';
  });
  const setDark = (d: boolean) => {
    setDarkState(d);
    storeChoice(THEME_KEY, d ? 'dark' : 'light');
  };
  const isDark = dark ?? prefersDark;
  const i18n = useMemo<I18n>(() => ({ lang, t: dictionaries[lang] }), [lang]);
  const t = adminDictionaries[lang];
  const token = useSyncExternalStore(auth.subscribe, auth.getToken);
  const [who, retryMe] = useMe(token);
  const [section, setSection] = useState<Section>(sectionFromHash);
  const [pending, setPending] = useState<Section | 'signOut' | null>(null);

  const dirty = useRef(new Map<string, boolean>());
  const registry = useMemo<UnsavedRegistry>(
    () => ({
      set: (id, d) => {
        if (d) dirty.current.set(id, true);
        else dirty.current.delete(id);
      },
      any: () => dirty.current.size > 0,
    }),
    [],
  );
  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (!registry.any()) return;
      e.preventDefault();
      e.returnValue = ''; // Chromium shows its own "Leave site?" text
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [registry]);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t.title;
  }, [lang, t]);

  const go = (next: Section | 'signOut') => {
    dirty.current.clear();
    setPending(null);
    if (next === 'signOut') return auth.signOut();
    setSection(next);
    history.replaceState(null, '', `#${next}`);
  };
  const ask = (next: Section | 'signOut') => (registry.any() ? setPending(next) : go(next));

  const me = who.kind === 'ready' && token ? who.me : null;
  const forbidden =
    (me && !hasAdminRights(me)) ||
    (who.kind === 'error' && who.error instanceof ApiError && who.error.status === 403);

  return (
    <FluentProvider theme={isDark ? darkTheme : lightTheme}>
      <I18nContext.Provider value={i18n}>
        <AdminI18nContext.Provider value={t}>
          <UnsavedContext.Provider value={registry}>
            <div className={s.root}>
              <header className={s.header}>
                <Text as="h1" weight="semibold" size={400} className={s.brand}>
                  {t.title}
                </Text>
                <Caption1 className={s.user}>{me ? `${me.name} · ${me.email}` : ''}</Caption1>
                <Button size="small" appearance="subtle" onClick={() => setLang(lang === 'ru' ? 'en' : 'ru')}>
                  {t.switchLanguage}
                </Button>
                <Switch label={t.darkTheme} checked={isDark} onChange={(_, d) => setDark(d.checked)} />
                {token && (
                  <Button size="small" onClick={() => ask('signOut')}>
                    {t.signOut}
                  </Button>
                )}
              </header>
              {!token ? (
                <main className={s.centre}>
                  <SignIn />
                </main>
              ) : forbidden && me ? (
                <Forbidden me={me} t={t} />
              ) : forbidden ? (
                <main className={s.centre}>
                  <MessageBar intent="error" layout="multiline" role="alert">
                    <MessageBarBody>
                      <MessageBarTitle>{t.forbiddenTitle}</MessageBarTitle>
                      {who.kind === 'error' && who.error instanceof Error ? who.error.message : ''}
                    </MessageBarBody>
                  </MessageBar>
                </main>
              ) : who.kind === 'error' ? (
                <main className={s.centre}>
                  <ErrorBar error={who.error} onRetry={retryMe} />
                </main>
              ) : !me ? (
                <main className={s.centre}>
                  <Spinner label="…" />
                </main>
              ) : (
                <div className={s.body}>
                  <nav className={s.nav} aria-label={t.nav}>
                    <TabList
                      vertical
                      className={s.tabs}
                      selectedValue={section}
                      onTabSelect={(_, d) => ask(d.value as Section)}
                    >
                      {SECTIONS.map((x) => (
                        <Tab key={x} value={x} className={s.tab}>
                          {t.sections[x]}
                        </Tab>
                      ))}
                    </TabList>
                  </nav>
                  <main className={s.main} aria-label={t.sections[section]}>
                    <Title3 as="h2">{t.sections[section]}</Title3>
                    <Suspense fallback={<Spinner size="small" />}>
                      {section === 'users' && <UsersSection me={me} />}
                      {section === 'organisation' && <OrganisationSection />}
                      {section === 'audit' && <AuditSection />}
                      {section === 'm365' && <M365Section />}
                      {section === 'credit' && <CreditSettingsSection />}
                      {section === 'work' && <WorkSettingsSection />}
                    </Suspense>
                  </main>
                </div>
              )}
              <Dialog open={pending !== null} onOpenChange={(_, d) => !d.open && setPending(null)}>
                <DialogSurface>
                  <DialogBody>
                    <DialogTitle>{t.unsavedTitle}</DialogTitle>
                    <DialogContent>
                      <Body1>{t.unsavedBody}</Body1>
                    </DialogContent>
                    <DialogActions>
                      <Button appearance="primary" onClick={() => setPending(null)}>
                        {t.keepEditing}
                      </Button>
                      <Button onClick={() => pending && go(pending)}>{t.discard}</Button>
                    </DialogActions>
                  </DialogBody>
                </DialogSurface>
              </Dialog>
            </div>
          </UnsavedContext.Provider>
        </AdminI18nContext.Provider>
      </I18nContext.Provider>
    </FluentProvider>
  );
}
