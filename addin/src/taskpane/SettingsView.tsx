import type { MeSettingsDto, UserLanguage } from '@crm/shared';
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
  DialogTrigger,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  makeStyles,
  Radio,
  RadioGroup,
  Spinner,
  Subtitle2,
  tokens,
} from '@fluentui/react-components';
import { type JSX, useCallback, useEffect, useRef, useState } from 'react';
import { crmApi } from '../api/crm-api.ts';
import { describeError, ErrorBar } from '../ui/ErrorBar.tsx';
import { shortDateTime } from '../ui/format.ts';
import { useI18n } from '../ui/i18n.ts';
import { Icon } from '../ui/icons.tsx';

// The user's own settings in the pane: the private calendar feed (create / copy / revoke: the way to see CRM
// tasks in a calendar without Microsoft 365) and the language of their email notifications.

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalS,
    minWidth: 0,
  },
  back: { alignSelf: 'flex-start' },
  section: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
    boxShadow: tokens.shadow2,
    minWidth: 0,
  },
  muted: { color: tokens.colorNeutralForeground3 },
  urlRow: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', minWidth: 0 },
  url: { flexGrow: 1, minWidth: 0 },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'center' },
});

type Load =
  | { kind: 'loading' }
  | { kind: 'error'; error: unknown }
  | { kind: 'ready'; settings: MeSettingsDto };

/** The calendar feed block: state, create (or replace), copy the new URL, revoke with confirmation. */
function CalendarFeedBlock({
  settings,
  onChanged,
}: {
  settings: MeSettingsDto;
  onChanged: () => Promise<void>;
}): JSX.Element {
  const s = useStyles();
  const { t, lang } = useI18n();
  const ts = t.settings;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // The URL exists only in the answer to POST: shown until the view closes, never fetched again.
  const [url, setUrl] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirmOpen, setConfirmOpen] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const feed = settings.calendarFeed;

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await fn();
      await onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const create = () =>
    run(async () => {
      setUrl((await crmApi.createCalendarFeed()).url);
    });
  const revoke = () =>
    run(async () => {
      setConfirmOpen(false);
      await crmApi.revokeCalendarFeed();
      setUrl(null);
      setNotice(ts.revoked);
    });
  const copy = async () => {
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      setNotice(ts.copied);
    } catch {
      // The Clipboard API is often refused inside Outlook's web view: fall back to the selection.
      input.current?.select();
      setNotice(document.execCommand('copy') ? ts.copied : ts.copyFailed);
    }
  };

  return (
    <section className={s.section} aria-labelledby="settings-feed-title">
      <Subtitle2 as="h2" id="settings-feed-title">
        {ts.feedTitle}
      </Subtitle2>
      <Caption1 className={s.muted}>{ts.feedIntro}</Caption1>
      {!url && (
        <Body1 data-testid="feed-state">
          {feed.exists && feed.createdAt ? ts.feedActive(shortDateTime(feed.createdAt, lang)) : ts.feedNone}
        </Body1>
      )}
      {url && (
        <>
          <div className={s.urlRow}>
            <Field className={s.url} label={ts.feedUrl} hint={ts.feedUrlHint}>
              <Input ref={input} readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
            </Field>
          </div>
          <div className={s.actions}>
            <Button appearance="primary" onClick={() => void copy()}>
              {ts.copy}
            </Button>
          </div>
          <MessageBar intent="info" layout="multiline">
            <MessageBarBody>{ts.howToSubscribe}</MessageBarBody>
          </MessageBar>
        </>
      )}
      {notice && (
        <Caption1 role="status" className={s.muted}>
          {notice}
        </Caption1>
      )}
      {error !== null && <ErrorBar error={error} title={ts.feedFailed} />}
      {feed.exists && !url && <Caption1 className={s.muted}>{ts.feedRecreateWarning}</Caption1>}
      <div className={s.actions}>
        <Button
          appearance={url ? 'secondary' : 'primary'}
          disabled={busy}
          icon={busy ? <Spinner size="tiny" /> : <Icon name="calendar" />}
          onClick={() => void create()}
        >
          {feed.exists ? ts.feedRecreate : ts.feedCreate}
        </Button>
        {feed.exists && (
          <Button
            appearance="subtle"
            icon={<Icon name="delete" />}
            disabled={busy}
            onClick={() => setConfirmOpen(true)}
          >
            {ts.revoke}
          </Button>
        )}
      </div>
      {/* Always mounted: unmounting an open modal with the feed's state would leave the pane inert. */}
      <Dialog open={confirmOpen} onOpenChange={(_, d) => setConfirmOpen(d.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>{ts.revokeTitle}</DialogTitle>
            <DialogContent>{ts.revokeBody}</DialogContent>
            <DialogActions>
              <Button appearance="primary" onClick={() => void revoke()}>
                {ts.revokeConfirm}
              </Button>
              <DialogTrigger disableButtonEnhancement>
                <Button appearance="secondary">{ts.cancel}</Button>
              </DialogTrigger>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </section>
  );
}

/** The language of the user's email notifications, saved explicitly with PATCH /me. */
function LanguageBlock({
  settings,
  onSaved,
}: {
  settings: MeSettingsDto;
  onSaved: (next: MeSettingsDto) => void;
}): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  const ts = t.settings;
  // null on the server is the bank's default, Russian: shown as such; saving it makes the choice explicit.
  const [draft, setDraft] = useState<UserLanguage>(settings.language ?? 'ru');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const dirty = draft !== (settings.language ?? 'ru');

  const save = async () => {
    setSaving(true);
    setError(null);
    setSaved(false);
    try {
      onSaved(await crmApi.updateMe({ language: draft }));
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className={s.section} aria-labelledby="settings-language-title">
      <Subtitle2 as="h2" id="settings-language-title">
        {ts.languageTitle}
      </Subtitle2>
      <Field
        label={ts.languageLabel}
        hint={ts.languageHint}
        validationState={error ? 'error' : dirty ? 'warning' : saved ? 'success' : 'none'}
        validationMessage={
          error
            ? `${ts.saveFailed}: ${describeError(error, t).text}`
            : dirty
              ? ts.unsaved
              : saved
                ? ts.saved
                : undefined
        }
      >
        <RadioGroup
          value={draft}
          onChange={(_, d) => {
            setDraft(d.value as UserLanguage);
            setSaved(false);
            setError(null);
          }}
        >
          <Radio value="ru" label={ts.languages.ru} />
          <Radio value="en" label={ts.languages.en} />
        </RadioGroup>
      </Field>
      <div className={s.actions}>
        <Button
          appearance="primary"
          disabled={!dirty || saving}
          icon={saving ? <Spinner size="tiny" /> : undefined}
          onClick={() => void save()}
        >
          {ts.save}
        </Button>
      </div>
    </section>
  );
}

/** The pane's "Settings" view; `onClose` returns to where the user was. */
export function SettingsView({ onClose }: { onClose: () => void }): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  const [load, setLoad] = useState<Load>({ kind: 'loading' });

  const refresh = useCallback(async (signal?: AbortSignal) => {
    try {
      const settings = await crmApi.meSettings(signal);
      setLoad({ kind: 'ready', settings });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') return;
      setLoad({ kind: 'error', error });
    }
  }, []);
  useEffect(() => {
    const ac = new AbortController();
    void refresh(ac.signal);
    return () => ac.abort();
  }, [refresh]);

  return (
    <div className={s.root}>
      <Button
        className={s.back}
        size="small"
        appearance="subtle"
        icon={<Icon name="back" />}
        onClick={onClose}
      >
        {t.settings.back}
      </Button>
      <Subtitle2 as="h1">{t.settings.title}</Subtitle2>
      {load.kind === 'loading' && <Spinner size="small" label={t.settings.loading} />}
      {load.kind === 'error' && (
        <ErrorBar
          error={load.error}
          title={t.settings.loadFailed}
          onRetry={() => {
            setLoad({ kind: 'loading' });
            void refresh();
          }}
        />
      )}
      {load.kind === 'ready' && (
        <>
          <CalendarFeedBlock settings={load.settings} onChanged={() => refresh()} />
          <LanguageBlock
            settings={load.settings}
            onSaved={(settings) => setLoad({ kind: 'ready', settings })}
          />
        </>
      )}
    </div>
  );
}
