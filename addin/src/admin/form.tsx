import {
  Button,
  Dropdown,
  Field,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Option,
} from '@fluentui/react-components';
import {
  createContext,
  Fragment,
  type JSX,
  type MouseEvent,
  type RefObject,
  useCallback,
  useContext,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react';
import { ApiError } from '../api/api-error.ts';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { useAdminText } from './admin-i18n.ts';

/**
 * The server's message for one form field (`field` of a 400/409 is `body.<name>`, or `body.<name>.<index>`),
 * shown by that control's Fluent `Field` as its validation message.
 */
export function fieldError(error: unknown, name: string): string | undefined {
  if (!(error instanceof ApiError) || !error.field) return undefined;
  const f = error.field.replace(/^(body|querystring|params)\./, '');
  return f === name || f.startsWith(`${name}.`) ? error.message : undefined;
}

/**
 * A section's data loaded when it mounts: the data (null until the first answer), the last load's error,
 * whether a load runs, and `reload` for "Retry", "Refresh" and after a save.
 */
export function useAdminData<T>(fetch: () => Promise<T>) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const fetchRef = useRef(fetch);
  fetchRef.current = fetch;
  const reload = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      setData(await fetchRef.current());
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, loading, reload };
}

/** Errors no field shows: the conflict message with "Reload", or the one error bar. */
export function FormError({
  error,
  fields,
  onReload,
}: {
  error: unknown;
  fields: string[];
  onReload: () => void;
}): JSX.Element | null {
  const t = useAdminText();
  if (error === null || error === undefined) return null;
  if (error instanceof ApiError && error.code === 'VERSION_CONFLICT')
    return (
      <MessageBar intent="warning" layout="multiline" role="alert">
        <MessageBarBody>
          <MessageBarTitle>{t.conflictTitle}</MessageBarTitle>
          {t.conflictBody}
        </MessageBarBody>
        <MessageBarActions>
          <Button size="small" onClick={onReload}>
            {t.reload}
          </Button>
        </MessageBarActions>
      </MessageBar>
    );
  if (fields.some((f) => fieldError(error, f))) return null;
  return <ErrorBar error={error} />;
}

/** Forms with unsaved changes, by id: the page warns before leaving them (tab switch, reload, close). */
export type UnsavedRegistry = { set: (id: string, dirty: boolean) => void; any: () => boolean };

export const UnsavedContext = createContext<UnsavedRegistry>({ set: () => {}, any: () => false });

/** Registers this form's unsaved state while it is mounted. */
export function useUnsavedChanges(dirty: boolean): void {
  const registry = useContext(UnsavedContext);
  const id = useId();
  useEffect(() => {
    registry.set(id, dirty);
    return () => registry.set(id, false);
  }, [registry, id, dirty]);
}

/** Splits a list typed one per line or with commas. */
export const splitList = (text: string): string[] =>
  text
    .split(/[\n,;]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** A labelled Fluent Dropdown over a constant list of values, each shown by its label. */
export function ChoiceField<V extends string>({
  label,
  values,
  labels,
  value,
  onChange,
  required,
  validationMessage,
  className,
  dropdownClassName,
}: {
  label: string;
  values: readonly V[];
  labels: Record<V, string>;
  value: V;
  onChange: (value: V) => void;
  required?: boolean;
  validationMessage?: string;
  className?: string;
  dropdownClassName?: string;
}): JSX.Element {
  return (
    <Field className={className} label={label} required={required} validationMessage={validationMessage}>
      <Dropdown
        className={dropdownClassName}
        value={labels[value]}
        selectedOptions={[value]}
        onOptionSelect={(_, d) => {
          if (d.optionValue !== undefined) onChange(d.optionValue as V);
        }}
      >
        {values.map((v) => (
          <Option key={v} value={v}>
            {labels[v]}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}

/**
 * When an editing panel opens (`openKey` turns to another record, or to "new"), brings it into view and moves
 * focus to its heading: at high zoom the panel sits under the list, below the fold, and keyboard users would
 * otherwise have to tab past every row to reach it. Put the returned ref on the panel.
 */
export function useRevealOnOpen<T extends HTMLElement>(openKey: string | null): RefObject<T | null> {
  const ref = useRef<T>(null);
  useEffect(() => {
    const panel = ref.current;
    if (openKey === null || !panel) return;
    const { top } = panel.getBoundingClientRect();
    if (top < 0 || top > window.innerHeight - 96) panel.scrollIntoView({ block: 'start' });
    const heading = panel.querySelector<HTMLElement>('h2, h3, h4');
    const target = heading ?? panel.querySelector<HTMLElement>('input, textarea, button, [tabindex]');
    if (!target) return;
    if (target === heading && !heading.hasAttribute('tabindex')) heading.tabIndex = -1;
    target.focus({ preventScroll: true });
  }, [openKey]);
  return ref;
}

/**
 * Click handler for a table row that opens the record, as its name button does. Clicks on the row's own
 * controls, and drags that select text, are left alone.
 */
export function openOnRowClick(open: () => void): (e: MouseEvent<HTMLElement>) => void {
  return (e) => {
    if ((e.target as HTMLElement).closest('button, a, input, select, textarea, [role="button"]')) return;
    if (window.getSelection()?.toString()) return;
    open();
  };
}

/** Text with line-break chances after `.`, `_`, `/`, `,` and `:` (identifiers, JSON), not changing its text. */
export function Breakable({ text }: { text: string }): JSX.Element {
  const parts = text.split(/(?<=[._/,:])/);
  return (
    <>
      {parts.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed string, never reordered
        <Fragment key={i}>
          {p}
          {i < parts.length - 1 && <wbr />}
        </Fragment>
      ))}
    </>
  );
}
