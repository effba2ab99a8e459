/**
 * The run viewer: sign in with an API key, then workflows, a workflow's runs,
 * and a run's block graph, live. Every string from the API or the URL is
 * rendered as text by preact; nothing is ever set as HTML.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { apiKey, clearApiKey, whenUnauthorized } from './api.ts';
import { links } from './format.ts';
import { RunPage } from './pages/run-page.tsx';
import { RunsPage } from './pages/runs-page.tsx';
import { SignIn } from './pages/sign-in.tsx';
import { WorkflowsPage } from './pages/workflows-page.tsx';
import { useRoute } from './router.ts';

function App() {
  const [signedIn, setSignedIn] = useState(() => apiKey() !== null);
  const [notice, setNotice] = useState<string | undefined>();
  const route = useRoute();
  useEffect(() => {
    whenUnauthorized(() => {
      clearApiKey();
      setNotice('The API refused the key: sign in again.');
      setSignedIn(false);
    });
  }, []);
  const signOut = () => {
    clearApiKey();
    setNotice(undefined);
    setSignedIn(false);
  };
  return (
    <>
      <header class="top">
        <a class="brand" href={links.workflows()}>
          Baton
        </a>
        <span class="tagline">run viewer</span>
        {signedIn && (
          <button type="button" class="link sign-out" onClick={signOut}>
            Sign out
          </button>
        )}
      </header>
      <main>
        {!signedIn ? (
          <SignIn
            notice={notice}
            onSignedIn={() => {
              setNotice(undefined);
              setSignedIn(true);
            }}
          />
        ) : route.page === 'workflows' ? (
          <WorkflowsPage />
        ) : route.page === 'workflow' ? (
          <RunsPage key={route.name} name={route.name} />
        ) : route.page === 'run' ? (
          <RunPage key={route.runId} runId={route.runId} />
        ) : (
          <section class="card">
            <h1>Not found</h1>
            <p>
              No page at <code>{route.hash}</code>. <a href={links.workflows()}>Workflows</a>
            </p>
          </section>
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
