import type { MeDto } from '@crm/shared';
import {
  Button,
  Caption1,
  Field,
  FluentProvider,
  MessageBar,
  MessageBarBody,
  makeStyles,
  Spinner,
  Switch,
  Text,
  tokens,
} from '@fluentui/react-components';
import { type JSX, lazy, Suspense, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { auth } from '../api/auth.ts';
import { crmApi } from '../api/crm-api.ts';
import type { MailHost, ThemeKind } from '../office/mail-host.ts';
import { dictionaries, type I18n, I18nContext, type Lang, langOf } from '../ui/i18n.ts';
import { storeChoice, storedChoice } from '../ui/preferences.ts';
import { darkTheme, lightTheme } from '../ui/theme.ts';
import { Pane } from './Pane.tsx';
import { SignIn } from './SignIn.tsx';
import { clearSession } from './session-store.ts';

// Only outside Office: loaded on demand so the pane inside Outlook does not carry it.
const PreviewWorkspace = lazy(() => import('./PreviewWorkspace.tsx'));
// Only for a task link (`/?task=<id>`, from a calendar event or the iCalendar feed): loaded on demand too.
const TaskView = lazy(() => import('./TaskView.tsx').then((m) => ({ default: m.TaskView })));

/** The task a `?task=<id>` link asks for ('' for an empty one), or null for the usual pane. */
const taskLinkOf = (search: string): string | null => new URLSearchParams(search).get('task');

const useStyles = makeStyles({
  root: { minHeight: '100vh', backgroundColor: tokens.colorNeutralBackground2 },
  header: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    paddingInline: tokens.spacingHorizontalM,
    paddingBlock: tokens.spacingVerticalXS,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  brand: { color: tokens.colorBrandForeground1, flexShrink: 0, whiteSpace: 'nowrap' },
  user: {
    color: tokens.colorNeutralForeground3,
    flexGrow: 1,
    minWidth: 0,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
  nowrap: { flexShrink: 0 },
  banner: { borderRadius: 0 },
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

/** The signed-in user, for the header; a failure here is shown by the pane's own calls. */
function useMe(token: string | null): MeDto | null {
  const [me, setMe] = useState<MeDto | null>(null);
  useEffect(() => {
    setMe(null);
    if (!token) return;
    let live = true;
    crmApi.me().then(
      (m) => live && setMe(m),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [token]);
  return me;
}

/**
 * The task pane application: one FluentProvider (brand theme, light/dark), the language, sign-in, and
 * either the Outlook pane or, outside Office, the preview workspace with its demo inbox.
 */
const LANG_KEY = 'crm.pane.lang';
const THEME_KEY = 'crm.pane.theme';

export function App({ officeHost }: { officeHost: MailHost | null }): JSX.Element {
  const s = useStyles();
  const preview = officeHost === null;
  // Outside Outlook the page's own switches decide, and are remembered; inside, Office's language and theme.
  const [lang, setLangState] = useState<Lang>(
    () =>
      (preview ? storedChoice(LANG_KEY, ['ru', 'en'] as const) : null) ??
      langOf(officeHost ? officeHost.displayLanguage : navigator.language),
  );
  const setLang = (l: Lang) => {
    setLangState(l);
    storeChoice(LANG_KEY, l);
  };
  const prefersDark = usePrefersDark();
  const [themeChoice, setThemeChoiceState] = useState<ThemeKind | null>(() =>
    preview ? storedChoice(THEME_KEY, ['light', 'dark'] as const) : null,
  );
  const setThemeChoice = (k: ThemeKind) => {
    setThemeChoiceState(k);
    storeChoice(THEME_KEY, k);
  };
  const theme: ThemeKind = themeChoice ?? officeHost?.theme ?? (prefersDark ? 'dark' : 'light');
  const token = useSyncExternalStore(auth.subscribe, auth.getToken);
  const me = useMe(token);
  const i18n = useMemo<I18n>(() => ({ lang, t: dictionaries[lang] }), [lang]);
  const { t } = i18n;
  // A task link shows that task instead of the pane until closed; the pane inside Outlook never has one.
  const [taskId, setTaskId] = useState<string | null>(() => taskLinkOf(window.location.search));
  const closeTask = () => {
    const url = new URL(window.location.href);
    url.searchParams.delete('task');
    window.history.replaceState(window.history.state, '', url);
    setTaskId(null);
  };

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t.appName;
  }, [lang, t]);
  // A different user must not see the previous user's cached clients or drafts.
  useEffect(() => {
    if (!token) clearSession();
  }, [token]);

  const header = (
    <header className={s.header}>
      <Text weight="semibold" className={s.brand}>
        {t.appName}
      </Text>
      <Caption1 className={s.user}>{me ? me.name : ''}</Caption1>
      {preview && (
        <>
          <Button size="small" appearance="subtle" onClick={() => setLang(lang === 'ru' ? 'en' : 'ru')}>
            {t.switchLanguage}
          </Button>
          <Field>
            <Switch
              label={t.darkTheme}
              checked={theme === 'dark'}
              onChange={(_, d) => setThemeChoice(d.checked ? 'dark' : 'light')}
            />
          </Field>
        </>
      )}
      {token && (
        <Button className={s.nowrap} size="small" appearance="subtle" onClick={() => auth.signOut()}>
          {t.signOut}
        </Button>
      )}
    </header>
  );

  return (
    // Layout classes go on an inner div: FluentProvider copies its className onto portals (tooltips).
    <FluentProvider theme={theme === 'dark' ? darkTheme : lightTheme}>
      <I18nContext.Provider value={i18n}>
        <div className={s.root}>
          {preview && (
            <MessageBar intent="info" className={s.banner}>
              <MessageBarBody>{t.previewBanner}</MessageBarBody>
            </MessageBar>
          )}
          {header}
          <main>
            {!token ? (
              <SignIn />
            ) : taskId !== null ? (
              <Suspense fallback={<Spinner size="small" label={t.loading} />}>
                <TaskView taskId={taskId} onClose={closeTask} />
              </Suspense>
            ) : officeHost ? (
              <Pane host={officeHost} />
            ) : (
              <Suspense fallback={<Spinner size="small" label={t.loading} />}>
                <PreviewWorkspace lang={lang} theme={theme} />
              </Suspense>
            )}
          </main>
        </div>
      </I18nContext.Provider>
    </FluentProvider>
  );
}
