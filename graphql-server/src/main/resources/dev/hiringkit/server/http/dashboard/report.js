/*
 * Draws the hiring reports as tables and charts from report data; fetches nothing, so the dashboard
 * and the self-contained file of `hiring report --format html` share it.
 *
 * Data: { hiresByQuarter?: { year, rows: [{ departmentId, department, jobId, job, hires: { q1..q4 } }],
 * totals }, departmentsAboveMean?: { year, mean, departmentCount, totalHired, departments: [{ id,
 * department, hired }] } }, the shape of the GraphQL answers and of `hiring report --format json`.
 */
(function () {
  'use strict';

  const QUARTERS = ['q1', 'q2', 'q3', 'q4'];
  // Okabe-Ito colours: told apart with every common kind of colour blindness.
  const QUARTER_COLOURS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7'];
  const BAR_COLOUR = '#0072b2';
  const MEAN_COLOUR = '#d55e00';
  const ALL = '';
  const pending = [];

  /** An element with attributes (null ones left out) and children (strings and numbers become text). */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value != null) {
        node.setAttribute(name, String(value));
      }
    }
    node.append(...children.flat().filter((c) => c != null).map((c) => (typeof c === 'object' ? c : String(c))));
    return node;
  }

  // Quoted as commons-csv's RFC 4180 printer quotes, so the file is byte for byte the one
  // `hiring report --format csv` prints.
  function csvField(value, firstInRecord) {
    const text = String(value);
    if (text === '') {
      return firstInRecord ? '""' : '';
    }
    const quote = text.charCodeAt(0) <= 0x23 || /[",\r\n]/.test(text) || text.charCodeAt(text.length - 1) <= 0x20;
    return quote ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function csv(header, rows) {
    return [header, ...rows].map((row) => row.map((v, i) => csvField(v, i === 0)).join(',') + '\r\n').join('');
  }

  /** A link that downloads rows as a CSV file; its text says what the file holds. */
  function downloadLink(text, name, header, rows) {
    return setDownload(el('a', { class: 'button' }), text, name, header, rows);
  }

  function setDownload(link, text, name, header, rows) {
    link.setAttribute('download', name);
    link.setAttribute('href', 'data:text/csv;charset=utf-8,' + encodeURIComponent(csv(header, rows)));
    link.textContent = text;
    return link;
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  }

  // A chart sizes itself from its container, so one is drawn only once its canvas is in the page.
  function chart(canvas, config) {
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: reducedMotion() ? false : {} },
      config.options);
    if (canvas.isConnected) {
      new Chart(canvas, config);
    } else {
      pending.push(() => new Chart(canvas, config));
    }
  }

  function destroyCharts(container) {
    container.querySelectorAll('canvas').forEach((canvas) => {
      const drawn = Chart.getChart(canvas);
      if (drawn) {
        drawn.destroy();
      }
    });
  }

  /**
   * A captioned table in a scrollable region. The cells at the rowHeaders indexes name their row
   * together (a job's name repeats across departments: "Sales, Account Executive" names a row).
   * A footer is [label, ...values]: the label spans the row header columns.
   */
  function table(id, caption, header, rows, rowHeaders, footer) {
    const captionId = id + '-caption';
    const numeric = header.map((h, i) => rows.length > 0 && typeof rows[0][i] === 'number');
    const isHeader = (i) => rowHeaders.includes(i);
    const cells = (row) => row.map((v, i) => el(isHeader(i) ? 'th' : 'td',
      { scope: isHeader(i) ? 'row' : null, class: numeric[i] ? 'number' : null }, v));
    const footerCells = (row) => [el('th', { scope: 'row', colspan: rowHeaders.length > 1 ? rowHeaders.length : null }, row[0]),
      ...row.slice(1).map((v, i) => el('td', { class: numeric[i + rowHeaders.length] ? 'number' : null }, v))];
    return el('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-labelledby': captionId },
      el('table', { id },
        el('caption', { id: captionId }, caption),
        el('thead', {}, el('tr', {}, header.map((h, i) => el('th', { scope: 'col', class: numeric[i] ? 'number' : null }, h)))),
        el('tbody', {}, rows.map((row) => el('tr', {}, cells(row)))),
        footer ? el('tfoot', {}, el('tr', {}, footerCells(footer))) : null));
  }

  function sum(rows) {
    const total = { q1: 0, q2: 0, q3: 0, q4: 0 };
    rows.forEach((r) => QUARTERS.forEach((q) => { total[q] += r.hires[q]; }));
    return total;
  }

  function hiresOf(quarters) {
    return QUARTERS.reduce((n, q) => n + quarters[q], 0);
  }

  /** Rows per department, in report order (by name), keyed by id: names need not be unique. */
  function departments(rows) {
    const byId = new Map();
    rows.forEach((r) => {
      if (!byId.has(r.departmentId)) {
        byId.set(r.departmentId, { id: r.departmentId, name: r.department, rows: [] });
      }
      byId.get(r.departmentId).rows.push(r);
    });
    return [...byId.values()];
  }

  const HIRES_HEADER = ['department', 'job', 'q1', 'q2', 'q3', 'q4'];

  function hiresCsvRows(rows) {
    return rows.map((r) => [r.department, r.job, ...QUARTERS.map((q) => r.hires[q])]);
  }

  function hiresByQuarterSection(report, announce) {
    const year = report.year;
    const section = el('section', { class: 'report', 'aria-labelledby': 'hires-title' },
      el('h2', { id: 'hires-title' }, 'Hires by quarter, ' + year));
    if (report.rows.length === 0) {
      section.append(el('p', { class: 'empty' }, 'No hires in ' + year + '.'));
      return section;
    }
    const groups = departments(report.rows);
    const select = el('select', { id: 'hires-view' },
      el('option', { value: ALL }, 'All departments'),
      groups.map((g) => el('option', { value: g.id }, 'Jobs in ' + g.name)));
    const view = el('div', { class: 'view' });
    const download = el('a', { class: 'button' });
    section.append(
      el('p', { class: 'summary' }, hiresOf(report.totals) + ' hires in ' + groups.length + ' departments and '
        + report.rows.length + ' department and job pairs.'),
      el('div', { class: 'toolbar' }, el('label', {}, 'Show ', select), download),
      view);

    function show(departmentId, announced) {
      const group = groups.find((g) => String(g.id) === departmentId);
      // The download holds what the view shows: every row, as `hiring report --format csv` prints
      // it, or one department's.
      if (group) {
        setDownload(download, 'Download hires by quarter in ' + group.name + ' as CSV',
          'hires-by-quarter-' + year + '-department-' + group.id + '.csv', HIRES_HEADER, hiresCsvRows(group.rows));
      } else {
        setDownload(download, 'Download hires by quarter as CSV', 'hires-by-quarter-' + year + '.csv', HIRES_HEADER,
          hiresCsvRows(report.rows));
      }
      // Departments stack their jobs' hires; one department's jobs are many, so they lie down as rows.
      const bars = group ? group.rows.map((r) => ({ label: r.job, hires: r.hires }))
        : groups.map((g) => ({ label: g.name, hires: sum(g.rows) }));
      const rows = group ? group.rows : report.rows;
      const horizontal = Boolean(group);
      const top = bars.reduce((best, b) => (hiresOf(b.hires) > hiresOf(best.hires) ? b : best), bars[0]);
      const what = group ? 'jobs in ' + group.name : 'departments';
      const canvas = el('canvas', { id: 'hires-chart', role: 'img',
        'aria-label': 'Stacked bar chart of hires per quarter in ' + year + ' for ' + bars.length + ' ' + what
          + '; the most: ' + top.label + ' with ' + hiresOf(top.hires) + '. The table below holds the numbers.' },
      'The table below holds the same numbers.');
      const height = horizontal ? Math.max(320, 22 * bars.length + 90) : 360;
      destroyCharts(view);
      view.replaceChildren(
        el('div', { class: 'chart', style: 'height: ' + height + 'px' }, canvas),
        table('hires-table', 'Hires per quarter in ' + year + ', ' + (group ? 'jobs in ' + group.name : 'every department and job'),
          ['Department', 'Job', 'Q1', 'Q2', 'Q3', 'Q4'],
          hiresCsvRows(rows), [0, 1],
          ['Total', ...QUARTERS.map((q) => (group ? sum(rows) : report.totals)[q])]));
      chart(canvas, {
        type: 'bar',
        data: {
          labels: bars.map((b) => b.label),
          datasets: QUARTERS.map((q, i) => ({ label: q.toUpperCase(), data: bars.map((b) => b.hires[q]), backgroundColor: QUARTER_COLOURS[i] })),
        },
        options: {
          indexAxis: horizontal ? 'y' : 'x',
          scales: {
            // A long list of jobs keeps its scale and legend on top, in sight when the chart opens.
            x: horizontal ? { stacked: true, position: 'top', ticks: { precision: 0 } }
              : { stacked: true, ticks: { autoSkip: false, maxRotation: 60 } },
            y: { stacked: true, beginAtZero: true, ticks: horizontal ? { autoSkip: false } : { precision: 0 } },
          },
          plugins: { legend: { position: horizontal ? 'top' : 'bottom' } },
        },
      });
      if (announced) {
        const total = hiresOf(group ? sum(rows) : report.totals);
        announce('Showing ' + (group ? 'the ' + rows.length + ' jobs in ' + group.name : 'all ' + groups.length + ' departments')
          + ' for ' + year + ': ' + total + ' hires.');
      }
    }

    select.addEventListener('change', () => show(select.value, true));
    show(ALL, false);
    return section;
  }

  // A vertical dashed line at the mean, across the chart, labelled above it: no plugin jar needed.
  const meanLine = {
    id: 'meanLine',
    afterDatasetsDraw(c, args, options) {
      const x = c.scales.x.getPixelForValue(options.value);
      const { top, bottom } = c.chartArea;
      const ctx = c.ctx;
      ctx.save();
      ctx.strokeStyle = MEAN_COLOUR;
      ctx.fillStyle = MEAN_COLOUR;
      ctx.lineWidth = 2;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, bottom);
      ctx.stroke();
      ctx.font = 'bold 12px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.fillText(options.label, x, top - 8);
      ctx.restore();
    },
  };

  function aboveMeanSection(report) {
    const year = report.year;
    const mean = report.mean.toFixed(2);
    const section = el('section', { class: 'report', 'aria-labelledby': 'above-title' },
      el('h2', { id: 'above-title' }, 'Departments above the mean, ' + year));
    if (report.totalHired === 0) {
      section.append(el('p', { class: 'empty' }, 'No hires in ' + year + '.'));
      return section;
    }
    section.append(el('p', { class: 'summary' }, 'Mean: ' + mean + ' hires per department, over '
      + report.departmentCount + ' departments (' + report.totalHired + ' hires).'));
    const rows = report.departments.map((d) => [d.id, d.department, d.hired]);
    section.append(el('div', { class: 'toolbar' },
      downloadLink('Download departments above the mean as CSV', 'departments-above-mean-' + year + '.csv',
        ['id', 'department', 'hired'], rows)));
    if (report.departments.length === 0) {
      section.append(el('p', { class: 'empty' }, 'No department hired more than the mean in ' + year + '.'));
      return section;
    }
    const canvas = el('canvas', { id: 'above-chart', role: 'img',
      'aria-label': 'Horizontal bar chart of the ' + report.departments.length + ' departments that hired more than the mean of '
        + mean + ' in ' + year + '; the most: ' + report.departments[0].department + ' with ' + report.departments[0].hired
        + '. The table below holds the numbers.' },
    'The table below holds the same numbers.');
    section.append(
      el('div', { class: 'chart', style: 'height: ' + Math.max(240, 40 * report.departments.length + 90) + 'px' }, canvas),
      table('above-table', 'Departments that hired more than the mean (' + mean + ') in ' + year,
        ['Id', 'Department', 'Hired'], rows, [1]));
    chart(canvas, {
      type: 'bar',
      data: {
        labels: report.departments.map((d) => d.department),
        datasets: [{ label: 'Hires in ' + year, data: report.departments.map((d) => d.hired), backgroundColor: BAR_COLOUR }],
      },
      options: {
        indexAxis: 'y',
        layout: { padding: { top: 24 } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: 'bottom' }, meanLine: { value: report.mean, label: 'mean ' + mean } },
      },
      plugins: [meanLine],
    });
    return section;
  }

  /**
   * Replaces what container shows with the reports in data. options.announce(text) tells what a
   * change of view shows (the dashboard puts it in its status line); without it, each report says
   * it in a live region of its own.
   */
  function render(container, data, options) {
    destroyCharts(container);
    const sections = [];
    if (data.hiresByQuarter) {
      let announce = options && options.announce;
      let own = null;
      if (!announce) {
        own = el('p', { class: 'visually-hidden', role: 'status' });
        announce = (text) => { own.textContent = text; };
      }
      const section = hiresByQuarterSection(data.hiresByQuarter, announce);
      if (own) {
        section.append(own);
      }
      sections.push(section);
    }
    if (data.departmentsAboveMean) {
      sections.push(aboveMeanSection(data.departmentsAboveMean));
    }
    container.replaceChildren(...sections);
    pending.splice(0).forEach((draw) => draw());
  }

  /** Empties container, releasing its charts. */
  function clear(container) {
    destroyCharts(container);
    container.replaceChildren();
  }

  window.HiringReports = { render, clear };

  // A saved report carries its data in the page: draw it at once.
  const embedded = document.getElementById('report-data');
  if (embedded) {
    render(document.getElementById('reports'), JSON.parse(embedded.textContent));
  }
}());
