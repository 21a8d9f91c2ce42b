"use strict";
// The correction panel of `pipeline serve`: the opened article's gold record (the latest saved
// correction, else a draft from the extraction), edited in place and saved to the gold store.
// Every value is put into the page as text, never as markup.
(function () {
  const config = JSON.parse(document.getElementById("server-config").textContent);
  const codes = JSON.parse(document.getElementById("review-data").textContent).corrections;
  const labels = JSON.parse(document.getElementById("review-data").textContent).labels || {causes: {}, categories: {}};
  const labelled = (code, kind) => labels[kind][code] ? `${code} (${labels[kind][code]})` : code;
  const body = document.getElementById("article-body");
  const panel = document.createElement("section");
  panel.id = "correction";
  body.insertBefore(panel, document.getElementById("article-text"));
  let index = null, article = null, gold = null, selection = null;

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function button(label, attrs, onClick) {
    const b = el("button", {type: "button", ...attrs}, label);
    b.addEventListener("click", onClick);
    return b;
  }

  async function post(path, payload) {
    const response = await fetch(path, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-Pipeline-Token": config.token}, body: JSON.stringify(payload)});
    const reply = await response.json().catch(() => ({error: `${response.status} ${response.statusText}`}));
    if (!response.ok) throw new Error(reply.error || response.statusText);
    return reply;
  }

  function status(text, bad) {
    const line = document.getElementById("c-status");
    line.textContent = text;
    line.className = bad ? "bad" : "";
  }

  function copy(record) {
    const blank = {id: article.article_id, reference_date: article.reference_date || "", is_incident: true, victim: [],
                   cause: [], affected_total: [], organizations: [], organizations_optional: [], dates: [],
                   dates_optional: [], counts: [], counts_optional: [], categories: {}, categories_optional: [],
                   date_roles: {}};
    return {...blank, ...JSON.parse(JSON.stringify(record || {}))};
  }

  function list(id, items, label, remove) {
    const ul = el("ul", {id, class: "c-list"});
    items.forEach((item, i) => {
      const li = el("li", {}, label(item) + " ");
      li.appendChild(button("remove", {class: "remove", "aria-label": `remove ${label(item)}`}, () => { remove(i); render(); }));
      ul.appendChild(li);
    });
    if (!items.length) ul.appendChild(el("li", {class: "hint"}, "none"));
    return ul;
  }

  function sameNames(a, b) { return a.length === b.length && a.every(n => b.includes(n)); }

  function render() {
    panel.replaceChildren();
    const head = el("h3", {}, "Correct this article ");
    head.appendChild(el("span", {class: "hint", id: "c-origin"},
      article.gold_saved_at ? `(your correction of ${article.gold_saved_at})` : "(draft from the extraction)"));
    panel.appendChild(head);
    if (article.incident && article.incident.correction_stale) {
      panel.appendChild(el("p", {id: "c-stale", class: "bad"},
        "The article's text has changed since this correction was saved: check the values against the text and save again."));
    }

    const fields = el("div", {class: "c-fields"});
    const incident = el("input", {type: "checkbox", id: "c-is-incident"});
    incident.checked = gold.is_incident;
    incident.addEventListener("change", () => { gold.is_incident = incident.checked; });
    const incidentLabel = el("label", {}, " an incident (a leak, exposure or loss of data)");
    incidentLabel.prepend(incident);
    fields.appendChild(incidentLabel);

    const victim = el("select", {id: "c-victim"});
    victim.appendChild(el("option", {value: ""}, "— none —"));
    gold.organizations.forEach((names, i) => victim.appendChild(el("option", {value: String(i)}, names.join(" / "))));
    victim.appendChild(el("option", {value: "typed"}, "typed: …"));
    const typed = el("input", {type: "text", id: "c-victim-typed", placeholder: "victim's name"});
    const chosen = gold.organizations.findIndex(names => gold.victim.length && sameNames(names, gold.victim));
    const inList = chosen >= 0 ? chosen : gold.organizations.findIndex(names => gold.victim.some(v => names.includes(v)));
    victim.value = !gold.victim.length ? "" : (inList >= 0 ? String(inList) : "typed");
    typed.value = victim.value === "typed" ? gold.victim.join(" / ") : "";
    typed.hidden = victim.value !== "typed";
    victim.addEventListener("change", () => {
      typed.hidden = victim.value !== "typed";
      if (victim.value === "") gold.victim = [];
      else if (victim.value !== "typed") gold.victim = [...gold.organizations[Number(victim.value)]];
      else gold.victim = typed.value.split("/").map(s => s.trim()).filter(Boolean);
    });
    typed.addEventListener("input", () => { gold.victim = typed.value.split("/").map(s => s.trim()).filter(Boolean); });
    const victimLabel = el("label", {}, "victim ");
    victimLabel.append(victim, typed);
    fields.appendChild(victimLabel);

    const cause = el("select", {id: "c-cause"});
    cause.appendChild(el("option", {value: ""}, "— none —"));
    for (const code of codes.causes) cause.appendChild(el("option", {value: code}, labelled(code, "causes")));
    cause.value = gold.cause[0] || "";
    cause.addEventListener("change", () => { gold.cause = cause.value ? [cause.value] : []; });
    const causeLabel = el("label", {}, "cause ");
    causeLabel.appendChild(cause);
    fields.appendChild(causeLabel);

    const total = el("input", {type: "number", id: "c-total", min: "0", step: "1"});
    total.value = gold.affected_total.length ? gold.affected_total[0] : "";
    total.addEventListener("input", () => {
      gold.affected_total = total.value === "" ? [] : [Math.round(Number(total.value)), ...gold.affected_total.slice(1)];
    });
    const totalLabel = el("label", {}, "affected total ");
    totalLabel.appendChild(total);
    fields.appendChild(totalLabel);
    panel.appendChild(fields);

    const bar = el("div", {id: "c-selection", class: "c-selection"});
    bar.appendChild(el("span", {id: "c-selected"}, selection ? `selected: 「${selection.text}」 ` : "select text in the article to add it "));
    const addOrg = button("add as organisation", {id: "c-add-org"}, () => {
      gold.organizations.push([selection.text.trim()]);
      render();
    });
    const addDate = button("add as date", {id: "c-add-date"}, () => addParsed("date"));
    const addCount = button("add as count", {id: "c-add-count"}, () => addParsed("count"));
    for (const b of [addOrg, addDate, addCount]) { b.disabled = !selection; bar.appendChild(b); }
    panel.appendChild(bar);

    panel.appendChild(el("h4", {}, "organisations (each: its spellings)"));
    panel.appendChild(list("c-orgs", gold.organizations, names => names.join(" / "), i => {
      const [removed] = gold.organizations.splice(i, 1);
      if (sameNames(removed, gold.victim)) gold.victim = [];
    }));

    panel.appendChild(el("h4", {}, "dates (and what each one is)"));
    panel.appendChild(dateList());
    const dateInput = el("input", {type: "text", id: "c-date-input", placeholder: "YYYY-MM-DD, YYYY-MM, YYYY or FY2024",
                                   pattern: "\\d{4}(-\\d{2}(-\\d{2})?)?|FY\\d{4}"});
    panel.appendChild(dateInput);
    panel.appendChild(button("add date", {id: "c-date-add"}, () => {
      if (!dateInput.checkValidity() || !dateInput.value) { status("a date is YYYY-MM-DD, YYYY-MM, YYYY or FY2024", true); return; }
      addUnique(gold.dates, dateInput.value);
    }));

    panel.appendChild(el("h4", {}, "counts"));
    panel.appendChild(list("c-counts", gold.counts, ([v, u]) => `${Number(v).toLocaleString()} ${u}`, i => gold.counts.splice(i, 1)));
    const countValue = el("input", {type: "number", id: "c-count-value", min: "0", step: "1", placeholder: "number"});
    const countUnit = el("select", {id: "c-count-unit"});
    for (const unit of ["件", "人", "名"]) countUnit.appendChild(el("option", {value: unit}, unit));
    panel.append(countValue, countUnit);
    panel.appendChild(button("add count", {id: "c-count-add"}, () => {
      if (countValue.value === "" || Number(countValue.value) < 0) { status("a count is a whole number", true); return; }
      addUnique(gold.counts, [Math.round(Number(countValue.value)), countUnit.value]);
    }));

    panel.appendChild(el("h4", {}, "data categories"));
    const table = el("table", {id: "c-categories"});
    const header = el("tr");
    for (const h of ["category", "leaked", "not leaked", "absent"]) header.appendChild(el("th", {}, h));
    table.appendChild(header);
    for (const code of codes.categories) {
      const tr = el("tr", {"data-category": code});
      tr.appendChild(el("td", {}, labelled(code, "categories")));
      const state = code in gold.categories ? (gold.categories[code] ? "leaked" : "not") : "absent";
      for (const value of ["leaked", "not", "absent"]) {
        const cell = el("td");
        const radio = el("input", {type: "radio", name: `c-cat-${code}`, value, "aria-label": `${code} ${value}`});
        radio.checked = value === state;
        radio.addEventListener("change", () => {
          if (value === "absent") delete gold.categories[code];
          else gold.categories[code] = value === "leaked";
        });
        cell.appendChild(radio);
        tr.appendChild(cell);
      }
      table.appendChild(tr);
    }
    panel.appendChild(table);

    const actions = el("div", {class: "c-actions"});
    actions.appendChild(button("Save correction", {id: "c-save", class: "primary"}, save));
    actions.appendChild(button("Reset", {id: "c-reset"}, () => { gold = copy(article.gold); render(); }));
    actions.appendChild(el("span", {id: "c-status", role: "status"}));
    panel.appendChild(actions);
  }

  // Each date with its role: when it was announced, when it happened, when it was found out.
  function dateList() {
    const ul = el("ul", {id: "c-dates", class: "c-list"});
    gold.date_roles = gold.date_roles || {};
    gold.dates.forEach((value, i) => {
      const li = el("li", {"data-date": value}, value + " ");
      const role = el("select", {class: "c-date-role", "aria-label": `role of ${value}`});
      for (const [code, label] of [["", "—"], ["announced", "announced"], ["occurred", "occurred"],
                                   ["detected", "detected"], ["other", "other"]]) {
        role.appendChild(el("option", {value: code}, label));
      }
      role.value = gold.date_roles[value] || "";
      role.addEventListener("change", () => {
        if (role.value) gold.date_roles[value] = role.value;
        else delete gold.date_roles[value];
      });
      li.appendChild(role);
      li.appendChild(button("remove", {class: "remove", "aria-label": `remove ${value}`}, () => {
        gold.dates.splice(i, 1);
        delete gold.date_roles[value];
        render();
      }));
      ul.appendChild(li);
    });
    if (!gold.dates.length) ul.appendChild(el("li", {class: "hint"}, "none"));
    return ul;
  }

  function addUnique(items, value) {
    if (!items.some(item => JSON.stringify(item) === JSON.stringify(value))) items.push(value);
    render();
  }

  async function addParsed(kind) {
    try {
      const reply = await post("api/parse", {index, kind, start: selection.start, end: selection.end});
      if (!reply.value.length) { status(`no ${kind} read in 「${reply.text}」`, true); return; }
      if (kind === "date") addUnique(gold.dates, reply.value[0]);
      else addUnique(gold.counts, reply.value);
    } catch (error) {
      status(String(error.message || error), true);
    }
  }

  async function save() {
    const record = JSON.parse(JSON.stringify(gold));
    if (!record.is_incident) { record.victim = []; record.cause = []; record.affected_total = []; }
    for (const value of Object.keys(record.date_roles || {})) {
      if (!record.dates.includes(value)) delete record.date_roles[value];
    }
    try {
      const reply = await post("api/gold", {index, record});
      article.gold = record;
      article.gold_saved_at = reply.saved_at;
      const item = (window.reviewIncidents || []).find(i => i.index === index);
      if (item) {
        Object.assign(item, reply.incident || {}, {corrected: true});
        window.reviewRefresh();
      }
      render();
      const waiting = reply.pending === 1 ? "1 corrected article waits" : `${reply.pending} corrected articles wait`;
      status(`Saved at ${reply.saved_at}. The tables show it now (incidents.csv, cases.csv) and after every ` +
             `\`pipeline run\`. ${waiting} for \`pipeline retrain\`, which teaches the corrections to the next articles.`);
    } catch (error) {
      // The edit stays in the panel: nothing is lost, the analyst saves again.
      const reason = error instanceof TypeError ? "the server did not answer" : (error.message || String(error));
      status(`NOT saved: ${reason}. Your edit is kept here; press Save again.`, true);
    }
  }

  // The offset of a point in the article text: the length of the text before it in the box,
  // whose text is the article's, character for character.
  function offsetOf(box, node, offset) {
    const range = document.createRange();
    range.selectNodeContents(box);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  document.getElementById("article-text").addEventListener("mouseup", () => {
    const box = document.getElementById("article-text");
    const chosen = window.getSelection();
    if (!article || !chosen.rangeCount || chosen.isCollapsed) return;
    const range = chosen.getRangeAt(0);
    if (!box.contains(range.startContainer) || !box.contains(range.endContainer)) return;
    const start = offsetOf(box, range.startContainer, range.startOffset);
    const end = offsetOf(box, range.endContainer, range.endOffset);
    if (end <= start) return;
    selection = {start, end, text: article.text.slice(start, end)};
    render();
  });

  document.addEventListener("review:article", event => {
    index = event.detail.index;
    article = event.detail.article;
    gold = copy(article.gold);
    selection = null;
    render();
  });
})();
