import { useState } from 'preact/hooks';
import { api, errorText, setApiKey } from '../api.ts';

/** The key is checked against the API, then kept in sessionStorage: it leaves with the tab. */
export function SignIn(props: { notice?: string | undefined; onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('GET', '/v1/workflows', undefined, key.trim());
      setApiKey(key.trim());
      props.onSignedIn();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card sign-in">
      <h1>Sign in</h1>
      <p>Baton's API key (from BATON_API_KEYS, or .baton/api-key under baton dev). It stays in this tab only.</p>
      {props.notice && <p class="notice">{props.notice}</p>}
      <form onSubmit={(e) => void submit(e)}>
        <label>
          API key
          <input id="api-key" type="password" autocomplete="off" value={key} onInput={(e) => setKey(e.currentTarget.value)} required />
        </label>
        <button type="submit" disabled={busy || key.trim() === ''}>
          Sign in
        </button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
    </section>
  );
}
