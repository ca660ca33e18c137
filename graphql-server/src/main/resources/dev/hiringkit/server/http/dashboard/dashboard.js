/*
 * The dashboard: signs in through POST /token, keeps the token in memory only, fetches the reports
 * through POST /graphql and hands them to report.js to draw.
 */
(function () {
  'use strict';

  const QUERY = `query Reports($year: Int!, $offset: Int!, $withMean: Boolean!) {
  hiresByQuarter(year: $year, offset: $offset, limit: 1000) {
    year totalRows totals { q1 q2 q3 q4 }
    rows { departmentId department jobId job hires { q1 q2 q3 q4 } }
  }
  departmentsAboveMean(year: $year) @include(if: $withMean) {
    year mean departmentCount totalHired departments { id department hired }
  }
}`;
  // The years the reports answer (the library refuses others).
  const MIN_YEAR = 1;
  const MAX_YEAR = 9998;
  // A token the server no longer takes: the user signs in again.
  const SIGN_IN_AGAIN = new Set(['UNAUTHENTICATED', 'INVALID_TOKEN']);

  const signin = document.getElementById('signin');
  const controls = document.getElementById('controls');
  const year = document.getElementById('year');
  const status = document.getElementById('status');
  const reports = document.getElementById('reports');
  let token = null;
  let latest = 0; // answers to an older request than the latest are dropped

  class SessionExpired extends Error {}

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle('error', Boolean(isError));
  }

  function signOut(message, isError) {
    token = null;
    HiringLoads.stop();
    HiringReports.clear(reports);
    controls.hidden = true;
    signin.hidden = false;
    say(message, isError);
    document.getElementById('password').value = '';
    document.getElementById('username').focus();
  }

  async function graphql(variables) {
    let response;
    let body;
    try {
      response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json',
          Authorization: 'Bearer ' + token },
        body: JSON.stringify({ query: QUERY, variables }),
      });
      body = await response.json();
    } catch (e) {
      throw new Error(response ? 'the server answered ' + response.status : 'the server did not answer');
    }
    const errors = body.errors || [];
    if (response.status === 401 || errors.some((e) => SIGN_IN_AGAIN.has(e.extensions && e.extensions.code))) {
      throw new SessionExpired();
    }
    if (errors.length > 0 || !body.data) {
      throw new Error(errors.map((e) => e.message).join(' ') || 'the server answered ' + response.status);
    }
    return body.data;
  }

  async function show(y) {
    const mine = ++latest;
    say('Loading ' + y + '…');
    try {
      const data = await graphql({ year: y, offset: 0, withMean: true });
      const hires = data.hiresByQuarter;
      while (hires.rows.length < hires.totalRows) {
        const page = (await graphql({ year: y, offset: hires.rows.length, withMean: false })).hiresByQuarter;
        if (page.rows.length === 0) {
          break;
        }
        hires.rows.push(...page.rows);
      }
      if (mine !== latest) {
        return;
      }
      HiringReports.render(reports, data, { announce: (text) => say(text) });
      say(hires.totalRows === 0 ? 'No hires in ' + y + '.'
        : 'Showing ' + y + ': ' + data.departmentsAboveMean.totalHired + ' hires.');
    } catch (e) {
      if (mine !== latest) {
        return;
      }
      if (e instanceof SessionExpired) {
        signOut('Session expired: sign in again.', true);
      } else {
        HiringReports.clear(reports);
        say('Could not load the reports for ' + y + ': ' + e.message, true);
      }
    }
  }

  signin.addEventListener('submit', async (event) => {
    event.preventDefault();
    say('Signing in…');
    const form = new URLSearchParams({ grant_type: 'password', username: signin.username.value,
      password: signin.password.value });
    let answer;
    let response;
    try {
      response = await fetch('/token', { method: 'POST', body: form });
      answer = await response.json();
    } catch (e) {
      say('Not signed in: the server did not answer.', true);
      return;
    }
    if (!response.ok) {
      say('Not signed in: ' + (answer.error_description || answer.error), true);
      return;
    }
    token = answer.access_token;
    HiringLoads.start(token);
    signin.password.value = '';
    signin.hidden = true;
    controls.hidden = false;
    year.focus();
    const y = pickedYear();
    if (y !== null) {
      show(y);
    }
  });

  // The form is novalidate: the browser's own bubble would leave the last year's report on screen
  // under a year it does not belong to, and says nothing to a screen reader's status line.
  function pickedYear() {
    const y = year.valueAsNumber;
    const valid = Number.isInteger(y) && y >= MIN_YEAR && y <= MAX_YEAR;
    year.setAttribute('aria-invalid', String(!valid));
    if (!valid) {
      latest++; // an answer still on its way is for the year before
      HiringReports.clear(reports);
      say('No report: the year must be a whole number from ' + MIN_YEAR + ' to ' + MAX_YEAR
        + (year.value === '' ? ', and the field is empty.' : '.'), true);
    }
    return valid ? y : null;
  }

  controls.addEventListener('submit', (event) => {
    event.preventDefault();
    const y = pickedYear();
    if (y !== null) {
      show(y);
    }
  });

  document.getElementById('signout').addEventListener('click', () => signOut('Signed out.'));
}());
