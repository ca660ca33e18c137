/*
 * HiringKit's GraphiQL page: GraphiQL 2.4.7 from its webjar, a sign-in form whose token goes with
 * every request, subscriptions over Server-Sent Events, and what GraphiQL lacks for keyboards and
 * screen readers: a way out of the editors by keyboard, names for the editors, and tabs exposed as
 * what they are. GraphiQL stays at 2.4.7, the newest graphiql webjar on Maven Central; later
 * GraphiQL releases are on npm only, and 5.x (ES modules and the Monaco editor) needs a bundler or a
 * CDN, and has none of the CodeMirror 5 editors this page works with.
 */
(function () {
  'use strict';

  const EXAMPLES = `# Examples: run one with the play button (sign in first).

query Reports {
  hiresByQuarter(year: 2021, limit: 10) { totalRows totals { q1 q2 q3 q4 } rows { department job hires { q1 q2 q3 q4 } } }
  departmentsAboveMean(year: 2021) { mean departments { id department hired } }
}

query FirstEmployees {
  hiredEmployees(first: 5) { edges { cursor node { id name datetime departmentId jobId } } pageInfo { hasNextPage endCursor } }
}

mutation Ingest {
  ingest(input: {
    departments: [{ id: 1001, department: "Platform" }]
    hiredEmployees: [
      { id: 900001, name: "Ada Lovelace", datetime: "2021-03-31T23:59:59Z", departmentId: 1001, jobId: 1 }
      { id: 900002, name: "", datetime: "2021-04-01T00:00:00Z", departmentId: 1001, jobId: 1 }
    ]
  }) { batchId inserted rejected tables { table inserted rejected { index record reasons { field code message } } } }
}

# Backup and restore need the admin role.
mutation Backup {
  backup { id createdAt tables { table rows bytes sha256 } }
}

query Backups {
  backups { id createdAt tables { table rows } }
}

mutation RestoreLatestJobs {
  restore(tables: [JOBS], backupId: "latest", mode: APPEND) { backupId tables { table inserted skipped } }
}

# uploadCsv loads a CSV file sent with the request, which this page cannot send: use a GraphQL multipart
# request (operations, map, then the file: in that order), for example with curl:
#   curl -H "Authorization: Bearer $TOKEN" \\
#     -F operations='{"query":"mutation($file: Upload!) { uploadCsv(table: JOBS, file: $file) { rowsRead inserted rejected rejectedByCode { code count } rejectsFile } }","variables":{"file":null}}' \\
#     -F map='{"0":["variables.file"]}' -F 0=@jobs.csv \\
#     http://localhost:8080/graphql
# With async: true it answers at once with the RUNNING load, to follow below.

# Live updates come as Server-Sent Events; the response pane shows each one as it arrives.
# Loads as they start, on any server (role: writer):
subscription LoadsStarting {
  loadStarted { id table source status rowsRead }
}

# One load's totals after each committed chunk, until it ends (put a load's id in):
subscription LoadProgress {
  loadProgress(loadId: "00000000-0000-0000-0000-000000000000") { status rowsRead inserted rejected rejectedByCode { code count } }
}
`;

  const container = document.getElementById('graphiql');
  const root = ReactDOM.createRoot(container);

  /**
   * The type of the operation GraphiQL runs: the named one, or the document's only one. Comments and
   * strings are blanked first; operations are the definitions at brace depth 0.
   */
  function operationType(query, name) {
    const text = query.replace(/"""[\s\S]*?"""|"(?:\\.|[^"\\\n])*"|#[^\n]*/g, ' ');
    const operations = [];
    let depth = 0;
    const tokens = /[{}]|[_A-Za-z][_0-9A-Za-z]*/g;
    let expectName = null;
    let lastWasFragment = false;
    for (let m = tokens.exec(text); m; m = tokens.exec(text)) {
      const token = m[0];
      if (token === '{') {
        if (depth === 0 && expectName) {
          operations.push({ type: expectName, name: null });
        } else if (depth === 0 && operations.length === 0 || depth === 0 && !expectName && !lastWasFragment) {
          operations.push({ type: 'query', name: null });
        }
        expectName = null;
        depth++;
      } else if (token === '}') {
        depth--;
      } else if (depth === 0) {
        if (expectName && !['query', 'mutation', 'subscription', 'fragment', 'on'].includes(token)) {
          operations.push({ type: expectName, name: token });
          expectName = null;
          lastWasFragment = false;
        } else if (['query', 'mutation', 'subscription'].includes(token)) {
          expectName = token;
          lastWasFragment = false;
        } else if (token === 'fragment') {
          lastWasFragment = true;
        }
      }
    }
    const named = operations.filter((o) => o.name === name);
    const operation = name ? named[0] : operations.length === 1 ? operations[0] : null;
    return operation ? operation.type : 'query';
  }

  /**
   * A subscription over Server-Sent Events, as the graphql-sse protocol's distinct connections mode
   * has it: one POST with Accept: text/event-stream, a 'next' event per result, 'complete' at the end.
   * GraphiQL shows each result as it comes; stopping it closes the connection, which unsubscribes.
   */
  async function* eventStream(params, headers) {
    const abort = new AbortController();
    try {
      const response = await fetch('/graphql/stream', {
        method: 'POST',
        headers: Object.assign({ 'Content-Type': 'application/json', Accept: 'text/event-stream' }, headers),
        body: JSON.stringify(params),
        signal: abort.signal,
      });
      if (!response.ok || !response.body) {
        yield await response.json();
        return;
      }
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          return;
        }
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) {
              event = line.slice(6).trim();
            } else if (line.startsWith('data:')) {
              data += line.slice(5).trim();
            }
          }
          if (event === 'complete') {
            return;
          }
          if (event === 'next' && data) {
            yield JSON.parse(data);
          }
        }
      }
    } finally {
      abort.abort();
    }
  }

  /** GraphiQL's fetcher for queries and mutations; subscriptions go as an event stream. */
  function createFetcher(headers) {
    const plain = GraphiQL.createFetcher({ url: '/graphql', headers });
    return (params, options) => {
      if (operationType(params.query || '', params.operationName) === 'subscription') {
        return eventStream(params, Object.assign({}, headers, options && options.headers));
      }
      return plain(params, options);
    };
  }

  let fetcher = createFetcher({});
  let editorsKey = 'first';

  // The token is not put in the Headers editor: GraphiQL saves each tab with its headers and, on a
  // reload, opens a new tab when the page's headers differ from the saved ones (a new "Reports" tab
  // per visit). The fetcher adds it instead; a header typed in the Headers editor still wins.
  function render() {
    root.render(React.createElement(GraphiQL, {
      key: editorsKey,
      fetcher,
      defaultQuery: EXAMPLES,
      shouldPersistHeaders: false,
    }));
  }

  // CodeMirror 5 takes its keys through a hidden textarea outside the area it scrolls, which a screen
  // reader cannot read and axe reports as a scrolling region no key can reach. Its contenteditable
  // input puts the editable lines in that area. GraphiQL offers no option for it, and CodeMirror
  // cannot change it in a running editor: once the first editor shows which CodeMirror GraphiQL
  // bundles, the default is set and the editors are drawn again (tabs and text are kept in storage).
  function useContentEditable() {
    const wrapper = container.querySelector('.CodeMirror');
    const CodeMirror = wrapper && wrapper.CodeMirror && wrapper.CodeMirror.constructor;
    if (!CodeMirror || !CodeMirror.defaults) {
      return false;
    }
    if (CodeMirror.defaults.inputStyle !== 'contenteditable') {
      CodeMirror.defaults.inputStyle = 'contenteditable';
      editorsKey = 'contenteditable';
      render();
    }
    return true;
  }

  // Escape, then Tab (or Shift+Tab), leaves an editor: the Tab never reaches CodeMirror, so the
  // browser moves the focus. Tab alone still indents, as in any code editor.
  let escaped = false;
  document.addEventListener('keydown', (event) => {
    const inEditor = event.target instanceof Element && event.target.closest('.CodeMirror') !== null;
    if (!inEditor) {
      escaped = false;
    } else if (event.key === 'Escape') {
      escaped = true;
    } else if (event.key === 'Tab' && escaped && !event.ctrlKey && !event.altKey && !event.metaKey) {
      escaped = false;
      event.stopPropagation();
    } else if (!['Shift', 'Control', 'Alt', 'Meta'].includes(event.key)) {
      escaped = false;
    }
  }, true);

  /** Sets an attribute only when it differs, so the observer below does not wake itself. */
  function set(element, name, value) {
    if (value === null) {
      if (element.hasAttribute(name)) {
        element.removeAttribute(name);
      }
    } else if (element.getAttribute(name) !== value) {
      element.setAttribute(name, value);
    }
  }

  const EDITOR_NAMES = [['.graphiql-query-editor', 'Query editor'], ['.result-window', 'Response']];

  // Each editor's editable lines are a multi-line text box named after the editor, with the keys
  // above as its description.
  function labelEditors() {
    container.querySelectorAll('.CodeMirror').forEach((wrapper) => {
      const input = wrapper.querySelector('.CodeMirror-code[contenteditable], textarea');
      if (!input) {
        return;
      }
      let name = null;
      for (const [selector, label] of EDITOR_NAMES) {
        if (wrapper.closest(selector)) {
          name = label;
        }
      }
      const tool = wrapper.closest('.graphiql-editor-tool > .graphiql-editor');
      if (tool) {
        name = tool === tool.parentElement.firstElementChild ? 'Variables editor' : 'Headers editor';
      }
      if (name === null) {
        return;
      }
      set(input, 'aria-label', name);
      set(input, 'aria-describedby', 'keys');
      if (input.tagName !== 'TEXTAREA') {
        set(input, 'role', 'textbox');
        set(input, 'aria-multiline', 'true');
        set(input, 'aria-readonly', name === 'Response' ? 'true' : null);
      }
    });
  }

  // GraphiQL marks each tab as role=tab around two buttons (open, close) and puts the add button in
  // the tablist too: a tab may hold no control, and a tablist only tabs. The operations' tabs are
  // therefore given as what they work as: a group of buttons, the active one marked current.
  function exposeTabs() {
    container.querySelectorAll('.graphiql-tabs[role=tablist]').forEach((list) => set(list, 'role', 'group'));
    container.querySelectorAll('.graphiql-tab').forEach((tab) => {
      const active = tab.classList.contains('graphiql-tab-active');
      set(tab, 'role', null);
      set(tab, 'aria-selected', null);
      const open = tab.querySelector('.graphiql-tab-button');
      const close = tab.querySelector('.graphiql-tab-close');
      if (open) {
        set(open, 'aria-current', active ? 'true' : null);
        if (close) {
          set(close, 'aria-label', 'Close tab ' + open.textContent);
        }
      }
    });
    const session = container.querySelector('.graphiql-session[role=tabpanel]');
    if (session) {
      set(session, 'role', 'region');
    }
  }

  let contentEditable = false;
  new MutationObserver(() => {
    if (!contentEditable) {
      contentEditable = useContentEditable();
    }
    labelEditors();
    exposeTabs();
  }).observe(container, { childList: true, subtree: true, attributes: true,
    attributeFilter: ['role', 'aria-selected', 'class', 'contenteditable'] });

  const signin = document.getElementById('signin');
  const status = document.getElementById('status');
  signin.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = new URLSearchParams({ grant_type: 'password', username: signin.username.value,
      password: signin.password.value });
    // The password leaves the page's memory as soon as it is sent, signed in or not.
    signin.password.value = '';
    status.textContent = 'Signing in…';
    let response;
    let answer;
    try {
      response = await fetch('/token', { method: 'POST', body });
      answer = await response.json();
    } catch (e) {
      status.textContent = 'Not signed in: the server did not answer.';
      signin.password.focus();
      return;
    }
    if (!response.ok) {
      status.textContent = 'Not signed in: ' + (answer.error_description || answer.error);
      signin.password.focus();
      return;
    }
    status.textContent = 'Signed in as ' + signin.username.value + '; the token is sent as the Authorization header and '
      + 'expires in ' + Math.round(answer.expires_in / 60) + ' minutes.';
    fetcher = createFetcher({ Authorization: 'Bearer ' + answer.access_token });
    render();
  });

  render();
}());
