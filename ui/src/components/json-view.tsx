/**
 * JSON formatted for reading, cut past a size so a 10 MB result does not
 * freeze the tab, with the whole of it a click (or a download) away. Always a
 * text node: data is never markup.
 */
import { useMemo, useState } from 'preact/hooks';
import { formatBytes } from '../format.ts';

export const CUT_CHARS = 20_000;

function stringify(value: unknown): string {
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

export function JsonView(props: { value: unknown; name: string; empty?: string }) {
  const text = useMemo(() => stringify(props.value), [props.value]);
  const [whole, setWhole] = useState(false);
  if (props.value === undefined) return <p class="muted">{props.empty ?? '(none)'}</p>;
  const cut = !whole && text.length > CUT_CHARS;
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const anchor = document.createElement('a');
    anchor.href = url;
    anchor.download = `${props.name.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`;
    anchor.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return (
    <div class="json">
      <pre class="json-text">{cut ? `${text.slice(0, CUT_CHARS)}\n…` : text}</pre>
      {text.length > CUT_CHARS && (
        <p class="json-cut">
          {cut ? `Showing ${formatBytes(CUT_CHARS)} of ${formatBytes(text.length)}. ` : ''}
          <button type="button" class="small show-all" onClick={() => setWhole(!whole)}>
            {cut ? 'Show all' : 'Cut again'}
          </button>{' '}
          <button type="button" class="small" onClick={download}>
            Download
          </button>
        </p>
      )}
    </div>
  );
}
