import type { ClientCardDto, LogInteractionRequestDto, LogInteractionResponseDto } from '@crm/shared';
import {
  Body1,
  Button,
  Caption1,
  Checkbox,
  Field,
  MessageBar,
  MessageBarBody,
  makeStyles,
  Select,
  Spinner,
  tokens,
} from '@fluentui/react-components';
import { type FormEvent, type JSX, useState } from 'react';
import { crmApi } from '../api/crm-api.ts';
import type { ItemAttachmentInfo } from '../office/mail-host.ts';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { fileSize, shortDateTime } from '../ui/format.ts';
import { useI18n } from '../ui/i18n.ts';
import { Icon } from '../ui/icons.tsx';
import { bumpHistory, type ItemLog, useItemLog } from './item-log.ts';
import { usePaneFormStyles } from './pane-form-styles.ts';

/**
 * The largest file the CRM keeps (server `CRM_ATTACHMENT_MAX_BYTES`, default 25 MiB; Outlook on the web's
 * own limit per item is the same). The server checks again and answers 413 naming the file.
 */
export const ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024;

const useStyles = makeStyles({
  status: {
    display: 'flex',
    gap: tokens.spacingHorizontalXS,
    alignItems: 'center',
    color: tokens.colorPaletteGreenForeground1,
  },
  block: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  muted: { color: tokens.colorNeutralForeground3 },
  start: { alignSelf: 'flex-start' },
  files: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    border: 'none',
    margin: 0,
    padding: 0,
    minWidth: 0,
  },
  legend: { padding: 0, marginBottom: tokens.spacingVerticalXXS },
  fileLabel: { overflowWrap: 'anywhere' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  bannerLine: { display: 'block' },
  // A native select is as wide as its longest option (a long task title): keep it in the 320 px column.
  select: { minWidth: 0, maxWidth: '100%' },
});

/** "Logged by X at T", who else has it: on every item open, from the server. */
export function LoggedBanner(): JSX.Element | null {
  const s = useStyles();
  const { t, lang } = useI18n();
  const log = useItemLog();
  if (!log) return null;
  const { state } = log;
  if (state.kind === 'error')
    return <ErrorBar intent="warning" title={t.logStatusFailed} error={state.error} onRetry={log.refresh} />;
  if (state.kind !== 'ready' || !state.status?.logged || !state.status.loggedBy) return null;
  const { loggedBy, links, hiddenLinkCount } = state.status;
  const to = links.map((l) => l.clientName).join(', ');
  const line = [to && t.loggedTo(to), hiddenLinkCount > 0 && t.hiddenLinks(hiddenLinkCount)]
    .filter(Boolean)
    .join(', ');
  return (
    <MessageBar intent="success" layout="multiline" icon={<Icon name="checkmark" size={16} />}>
      <MessageBarBody>
        <span className={s.bannerLine}>
          {t.loggedBy(loggedBy.user.name, shortDateTime(loggedBy.at, lang))}
        </span>
        {line && <Caption1 className={s.bannerLine}>{line.charAt(0).toUpperCase() + line.slice(1)}</Caption1>}
      </MessageBarBody>
    </MessageBar>
  );
}

type Notice = { text: string } | null;

/** The logged state of the item for one client card, and the way to log it there. */
export function CardLog({ card }: { card: ClientCardDto }): JSX.Element | null {
  const s = useStyles();
  const { t } = useI18n();
  const log = useItemLog();
  const [open, setOpen] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);
  if (log?.state.kind !== 'ready') return null;
  const { status, conversation, details } = log.state;
  const linked = status?.links.some((l) => l.clientId === card.id) ?? false;
  const thread =
    !status?.logged && conversation?.logged === true && conversation.clients.some((c) => c.id === card.id);

  let body: JSX.Element;
  if (linked) {
    body = (
      <Caption1 className={s.status}>
        <Icon name="checkmark" size={14} />
        {t.inThisHistory}
      </Caption1>
    );
  } else if (!details?.logId) {
    body = <Caption1 className={s.muted}>{t.cannotLog}</Caption1>;
  } else if (open) {
    body = (
      <LogForm
        log={log}
        card={card}
        interactionId={status?.logged ? status.interactionId : null}
        onCancel={() => setOpen(false)}
        onDone={(text) => {
          setOpen(false);
          setNotice({ text });
        }}
      />
    );
  } else {
    const label = status?.logged ? t.logAddLink : thread ? t.logThisReplyToo : t.logToClient;
    body = (
      <>
        {thread && <Caption1 className={s.muted}>{t.threadLogged}</Caption1>}
        <Button
          className={s.start}
          size="small"
          appearance={thread ? 'primary' : 'secondary'}
          icon={<Icon name="history" />}
          onClick={() => {
            setNotice(null);
            setOpen(true);
          }}
        >
          {label}
        </Button>
      </>
    );
  }
  return (
    <div className={s.block}>
      {notice && (
        <MessageBar intent="success" layout="multiline">
          <MessageBarBody>{notice.text}</MessageBarBody>
        </MessageBar>
      )}
      {body}
    </div>
  );
}

function FileChoice({
  file,
  checked,
  onChange,
}: {
  file: ItemAttachmentInfo;
  checked: boolean;
  onChange: (checked: boolean) => void;
}): JSX.Element {
  const s = useStyles();
  const { t, lang } = useI18n();
  const tooBig = file.size > ATTACHMENT_MAX_BYTES;
  const hint = file.cloud
    ? t.logCloudFile
    : tooBig
      ? t.logOverLimit(fileSize(ATTACHMENT_MAX_BYTES, lang))
      : undefined;
  return (
    <Field hint={hint} validationState={tooBig ? 'warning' : 'none'}>
      <Checkbox
        checked={checked}
        disabled={tooBig || file.cloud}
        onChange={(_, d) => onChange(d.checked === true)}
        label={
          <span className={s.fileLabel}>
            {file.name} · {fileSize(file.size, lang)}
          </span>
        }
      />
    </Field>
  );
}

type Phase = 'idle' | 'reading' | 'saving';

/**
 * Log the item to a client (POST /interactions) — or, when someone logged it already, add a link to this
 * client (POST /interactions/:id/links) without reading or uploading anything again.
 */
function LogForm({
  log,
  card,
  interactionId,
  onCancel,
  onDone,
}: {
  log: ItemLog;
  card: ClientCardDto;
  interactionId: string | null;
  onCancel: () => void;
  onDone: (notice: string) => void;
}): JSX.Element {
  const s = useStyles();
  const f = usePaneFormStyles();
  const { t, lang } = useI18n();
  const details = log.state.kind === 'ready' ? log.state.details : null;
  // The card's client first; the item's other clients can be chosen instead.
  const clients = [card, ...log.clients.filter((c) => c.id !== card.id)];
  const [clientId, setClientId] = useState(card.id);
  const [dealId, setDealId] = useState('');
  const [taskId, setTaskId] = useState('');
  const [chosen, setChosen] = useState<Set<string>>(() => new Set());
  const [phase, setPhase] = useState<Phase>('idle');
  const [error, setError] = useState<unknown>(null);
  const client = clients.find((c) => c.id === clientId) ?? card;
  const files = (details?.attachments ?? []).filter((a) => !a.isInline);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (phase !== 'idle' || !details) return;
    setError(null);
    const target = { clientId, dealId: dealId || null, taskId: taskId || null };
    try {
      let res: LogInteractionResponseDto;
      if (interactionId) {
        setPhase('saving');
        res = await crmApi.addInteractionLink(interactionId, target);
      } else {
        setPhase('reading');
        const content = await log.host.readItemContent(details.logId, [...chosen]);
        setPhase('saving');
        const body: LogInteractionRequestDto =
          content.kind === 'mime'
            ? { source: { mime: content.mime }, attachmentNames: content.attachmentNames, ...target }
            : { source: { item: content.item }, ...target };
        if (log.item.conversationId) body.conversationId = log.item.conversationId;
        res = await crmApi.logInteraction(body);
      }
      bumpHistory(clientId);
      log.refresh();
      onDone(
        res.alreadyLoggedBy && !interactionId
          ? t.logAlready(res.alreadyLoggedBy.user.name, shortDateTime(res.alreadyLoggedBy.at, lang))
          : interactionId
            ? t.logLinked(client.displayName)
            : t.logDone(client.displayName),
      );
    } catch (err) {
      setError(err);
      setPhase('idle');
    }
  };

  return (
    <form className={f.form} onSubmit={(e) => void submit(e)} aria-label={t.logToClient}>
      <Field label={t.logClient}>
        <Select
          className={s.select}
          value={clientId}
          onChange={(_, d) => {
            setClientId(d.value);
            setDealId('');
            setTaskId('');
          }}
        >
          {clients.map((c) => (
            <option key={c.id} value={c.id}>
              {c.displayName}
            </option>
          ))}
        </Select>
      </Field>
      {client.deals.length > 0 && (
        <Field label={t.logDeal}>
          <Select className={s.select} value={dealId} onChange={(_, d) => setDealId(d.value)}>
            <option value="">{t.logNone}</option>
            {client.deals.map((d) => (
              <option key={d.id} value={d.id}>
                {d.title}
              </option>
            ))}
          </Select>
        </Field>
      )}
      {client.tasks.length > 0 && (
        <Field label={t.logTask}>
          <Select className={s.select} value={taskId} onChange={(_, d) => setTaskId(d.value)}>
            <option value="">{t.logNone}</option>
            {client.tasks.map((x) => (
              <option key={x.id} value={x.id}>
                {x.title}
              </option>
            ))}
          </Select>
        </Field>
      )}
      {!interactionId && files.length > 0 && (
        <fieldset className={s.files}>
          <legend className={s.legend}>
            <Body1>{t.logAttachments}</Body1>
          </legend>
          {files.map((f) => (
            <FileChoice
              key={f.id}
              file={f}
              checked={chosen.has(f.id)}
              onChange={(on) =>
                setChosen((prev) => {
                  const next = new Set(prev);
                  if (on) next.add(f.id);
                  else next.delete(f.id);
                  return next;
                })
              }
            />
          ))}
        </fieldset>
      )}
      {error !== null && <ErrorBar error={error} />}
      <div className={s.actions}>
        <Button type="submit" appearance="primary" size="small" disabled={phase !== 'idle'}>
          {interactionId ? t.logAddLink : t.logSubmit}
        </Button>
        <Button size="small" onClick={onCancel} disabled={phase !== 'idle'}>
          {t.cancel}
        </Button>
        {phase !== 'idle' && (
          <Spinner size="extra-tiny" label={phase === 'reading' ? t.logReading : t.logSaving} />
        )}
      </div>
    </form>
  );
}
