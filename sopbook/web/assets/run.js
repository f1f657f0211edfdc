/* Run mode: a procedure or checklist one step at a time, for a phone held in one hand beside
   the car. Each block's data is the JSON island after its start button (built from the SOP's
   YAML); the island also brings run mode's words in the handbook's language (`words`, with
   {name} placeholders this script fills). Everything shown is set with textContent, so content
   stays text. The run is saved in
   localStorage under the block's address and content hash: a reload, or a phone that was
   locked, resumes it; a changed procedure starts afresh. Times are Date.now() differences, so
   a run keeps counting while the screen is off. */
(function () {
  "use strict";

  var PREFIX = "sopbook.run|";
  var counter = 0;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function button(cls, text, onclick) {
    var b = el("button", "sb-run-btn " + cls, text);
    b.type = "button";
    b.addEventListener("click", onclick);
    return b;
  }

  function clock(ms) {
    var s = Math.floor(Math.max(0, ms) / 1000);
    var m = Math.floor(s / 60);
    s = s % 60;
    return (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  // Run mode's words, in the page's language (render/run.py). A word the island lacks is shown
  // as its name rather than breaking the run.
  var WORDS = {};

  function say(name, params) {
    var text = Object.prototype.hasOwnProperty.call(WORDS, name) ? String(WORDS[name]) : name;
    return text.replace(/\{\{|\}\}|\{(\w+)\}/g, function (match, key) {
      if (match === "{{") return "{";
      if (match === "}}") return "}";
      return params && Object.prototype.hasOwnProperty.call(params, key) ? String(params[key]) : match;
    });
  }

  function minutes(x) {
    return say("minutes", { minutes: x });
  }

  // ---- saved state -----------------------------------------------------------------------------
  function storageKey(data) {
    return PREFIX + data.address + "|" + data.hash;
  }

  function readState(data) {
    try {
      var saved = JSON.parse(window.localStorage.getItem(storageKey(data)) || "null");
      if (saved && Array.isArray(saved.spent) && saved.spent.length === data.steps.length) return saved;
    } catch (e) { /* no storage (private mode) or unreadable: start afresh */ }
    return null;
  }

  function writeState(data, state) {
    try {
      window.localStorage.setItem(storageKey(data), JSON.stringify(state));
    } catch (e) { /* the run still works, it just will not survive a reload */ }
  }

  // Runs of an earlier version of this procedure can never resume: drop them.
  function dropStale(data) {
    try {
      var own = storageKey(data);
      var mine = PREFIX + data.address + "|";
      for (var i = window.localStorage.length - 1; i >= 0; i--) {
        var k = window.localStorage.key(i);
        if (k && k.indexOf(mine) === 0 && k !== own) window.localStorage.removeItem(k);
      }
    } catch (e) { /* nothing to drop */ }
  }

  function freshState(data) {
    var spent = [];
    for (var i = 0; i < data.steps.length; i++) spent.push(0);
    return { step: 0, spent: spent, since: Date.now(), paused: false, ticks: {}, open: true };
  }

  // ---- the clock of a run ----------------------------------------------------------------------
  function elapsed(state, i) {
    var ms = state.spent[i] || 0;
    if (i === state.step && state.since !== null) ms += Date.now() - state.since;
    return ms;
  }

  function total(state) {
    var ms = 0;
    for (var i = 0; i < state.spent.length; i++) ms += elapsed(state, i);
    return ms;
  }

  // Over is what the reader sees: the shown seconds past the planned minutes.
  function over(ms, planned) {
    return planned !== null && planned !== undefined && Math.floor(ms / 1000) > planned * 60;
  }

  function settle(state) {
    if (state.since !== null && state.step < state.spent.length) {
      state.spent[state.step] += Date.now() - state.since;
    }
    state.since = null;
  }

  function itemKey(s, l, i) {
    return s + "." + l + "." + i;
  }

  function stepName(step) {
    return (step.label ? step.label + " " : "") + step.title;
  }

  function unticked(data, state) {
    var out = [];
    data.steps.forEach(function (step, s) {
      step.lists.forEach(function (list, l) {
        list.items.forEach(function (item, i) {
          if (!state.ticks[itemKey(s, l, i)]) out.push(say("unticked_item", { list: list.title || step.title, item: item }));
        });
      });
    });
    return out;
  }

  // The total against the KPI that governs the procedure, or against its planned minutes.
  function verdict(data, ms) {
    var sec = Math.floor(ms / 1000);
    var kpi = data.kpi;
    if (kpi && (kpi.min !== null || kpi.max !== null)) {
      var name = kpi.label + " " + kpi.target;
      if (kpi.max !== null && sec > kpi.max * 60) return { over: true, text: say("over_kpi", { kpi: name }) };
      if (kpi.min !== null && sec < kpi.min * 60) {
        return { over: false, short: true, text: say("under_kpi", { kpi: name }) };
      }
      return { over: false, text: say("meets_kpi", { kpi: name }) };
    }
    if (data.total !== null && data.total !== undefined) {
      if (over(ms, data.total)) return { over: true, text: say("over_plan", { minutes: minutes(data.total) }) };
      return { over: false, text: say("within_plan", { minutes: minutes(data.total) }) };
    }
    return null;
  }

  function totalLine(ms, v) {
    return v ? say("total_time_verdict", { time: clock(ms), verdict: v.text }) : say("total_time", { time: clock(ms) });
  }

  function summaryText(data, state) {
    var lines = [say("record", { title: data.title })];
    data.steps.forEach(function (step, i) {
      var ms = elapsed(state, i);
      var said = { step: stepName(step), time: clock(ms) };
      if (step.minutes === null) {
        lines.push(say("record_step", said));
      } else {
        said.planned = minutes(step.minutes);
        lines.push(say(over(ms, step.minutes) ? "record_step_over" : "record_step_plan", said));
      }
    });
    var sum = total(state);
    lines.push(totalLine(sum, verdict(data, sum)));
    var left = unticked(data, state);
    if (left.length) {
      lines.push(say("unticked_lines", { count: left.length }));
      left.forEach(function (t) { lines.push("- " + t); });
    } else {
      lines.push(say("all_ticked"));
    }
    return lines.join("\n");
  }

  function copyText(text, where, done) {
    function fallback() {
      var area = el("textarea", "sb-run-copybuf");
      area.value = text;
      area.setAttribute("readonly", "");
      area.setAttribute("aria-hidden", "true");
      where.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      where.removeChild(area);
      done(ok);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  }

  // ---- the view --------------------------------------------------------------------------------
  function Run(start, data) {
    this.start = start;
    this.data = data;
    this.state = readState(data);
    this.dialog = null;
    this.timer = null;
  }

  Run.prototype.save = function () {
    writeState(this.data, this.state);
  };

  Run.prototype.open = function () {
    if (!this.state) {
      this.state = freshState(this.data);
    }
    this.state.open = true;
    this.save();
    var id = "sb-run-" + (++counter);
    var d = el("div", "sb-run");
    d.setAttribute("role", "dialog");
    d.setAttribute("aria-modal", "true");
    d.setAttribute("aria-labelledby", id + "-title");
    var self = this;
    var head = el("div", "sb-run-head");
    var title = el("h2", "sb-run-title", this.data.title);
    title.id = id + "-title";
    title.tabIndex = -1;
    head.appendChild(title);
    head.appendChild(button("sb-run-close", say("close"), function () { self.close(); }));
    d.appendChild(head);
    this.body = el("div", "sb-run-body");
    // A long step scrolls inside the dialog: the keyboard must reach it to scroll it too.
    this.body.tabIndex = 0;
    d.appendChild(this.body);
    this.controls = el("div", "sb-run-controls");
    d.appendChild(this.controls);
    d.addEventListener("keydown", function (e) { self.key(e); });
    this.dialog = d;
    this.titleEl = title;
    document.body.appendChild(d);
    document.documentElement.classList.add("sb-run-open");
    this.render();
    title.focus();
    this.timer = window.setInterval(function () { self.tick(); }, 250);
  };

  Run.prototype.close = function () {
    if (!this.dialog) return;
    this.state.open = false;
    this.save();
    window.clearInterval(this.timer);
    this.dialog.parentNode.removeChild(this.dialog);
    this.dialog = null;
    document.documentElement.classList.remove("sb-run-open");
    this.start.focus();
  };

  Run.prototype.key = function (e) {
    if (e.key === "Escape") {
      e.preventDefault();
      this.close();
      return;
    }
    if (e.key !== "Tab") return;
    // Focus stays in the dialog (aria-modal): Tab wraps from the last control to the first.
    var focusable = this.dialog.querySelectorAll("button, input, textarea");
    if (!focusable.length) return;
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    var active = document.activeElement;
    if (e.shiftKey && (active === first || active === this.titleEl)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && active === last) {
      e.preventDefault();
      first.focus();
    }
  };

  Run.prototype.go = function (i) {
    var st = this.state;
    settle(st);
    st.step = i;
    if (i < this.data.steps.length && !st.paused) st.since = Date.now();
    this.save();
    this.render();
    this.titleEl.focus();
  };

  Run.prototype.togglePause = function () {
    var st = this.state;
    if (st.paused) {
      st.paused = false;
      st.since = Date.now();
    } else {
      settle(st);
      st.paused = true;
    }
    this.save();
    this.render();
    var p = this.controls.querySelector(".sb-run-pause");
    if (p) p.focus();
  };

  Run.prototype.restart = function () {
    this.state = freshState(this.data);
    this.save();
    this.render();
    this.titleEl.focus();
  };

  Run.prototype.tick = function () {
    var st = this.state;
    var n = this.data.steps.length;
    if (!this.dialog || st.step >= n) return;
    var step = this.data.steps[st.step];
    var ms = elapsed(st, st.step);
    var late = over(ms, step.minutes);
    this.stepClock.textContent = clock(ms) + (step.minutes !== null ? " / " + minutes(step.minutes) : "");
    this.clockBox.classList.toggle("sb-run-over", late);
    this.overText.hidden = !late;
    var sum = total(st);
    this.totalClock.textContent = this.data.total !== null
      ? say("total_plan", { time: clock(sum), planned: minutes(this.data.total) })
      : say("total", { time: clock(sum) });
    this.totalClock.classList.toggle("sb-run-over", over(sum, this.data.total));
  };

  Run.prototype.render = function () {
    var st = this.state;
    var n = this.data.steps.length;
    this.body.textContent = "";
    this.controls.textContent = "";
    if (st.step >= n) {
      this.renderSummary();
      return;
    }
    var self = this;
    var step = this.data.steps[st.step];
    var status = el("div", "sb-run-status");
    var pos = el("p", "sb-run-pos", say(st.paused ? "position_paused" : "position", { n: st.step + 1, count: n }));
    status.appendChild(pos);
    this.clockBox = el("p", "sb-run-clock");
    this.stepClock = el("span", "sb-run-step-clock");
    this.overText = el("strong", "sb-run-over-text", say("over"));
    this.clockBox.appendChild(el("span", "sb-run-clock-label", say("this_step") + " "));
    this.clockBox.appendChild(this.stepClock);
    this.clockBox.appendChild(document.createTextNode(" "));
    this.clockBox.appendChild(this.overText);
    status.appendChild(this.clockBox);
    this.totalClock = el("p", "sb-run-total");
    status.appendChild(this.totalClock);
    this.body.appendChild(status);

    var h = el("h3", "sb-run-step-title");
    if (step.label) h.appendChild(el("span", "sb-run-step-label", step.label + " "));
    h.appendChild(document.createTextNode(step.title));
    this.body.appendChild(h);
    if (step.marks) this.body.appendChild(el("p", "sb-run-marks", step.marks));
    if (step.deadline) this.body.appendChild(el("p", "sb-run-deadline", say("deadline", { deadline: step.deadline })));
    if (step.actions.length) this.body.appendChild(this.bullets(step.actions, "sb-run-actions"));
    if (step.key) this.body.appendChild(el("p", "sb-run-key", say("key", { key: step.key })));
    step.substeps.forEach(function (sub) {
      var box = el("div", "sb-run-sub");
      box.appendChild(el("h4", "sb-run-sub-title", (sub.label ? sub.label + " " : "") + sub.title));
      if (sub.actions.length) box.appendChild(self.bullets(sub.actions, "sb-run-actions"));
      if (sub.key) box.appendChild(el("p", "sb-run-key", say("key", { key: sub.key })));
      self.body.appendChild(box);
    });
    step.lists.forEach(function (list, l) { self.body.appendChild(self.list(list, l)); });

    this.controls.appendChild(button("sb-run-prev", say("back"), function () { self.go(st.step - 1); }));
    this.controls.lastChild.disabled = st.step === 0;
    this.controls.appendChild(button("sb-run-pause", say(st.paused ? "resume" : "pause"),
      function () { self.togglePause(); }));
    this.controls.appendChild(button("sb-run-next sb-run-primary", say(st.step === n - 1 ? "finish" : "next"),
      function () { self.go(st.step + 1); }));
    this.tick();
  };

  Run.prototype.bullets = function (texts, cls) {
    var ul = el("ul", cls);
    texts.forEach(function (t) { ul.appendChild(el("li", "", t)); });
    return ul;
  };

  Run.prototype.list = function (list, l) {
    var st = this.state;
    var s = st.step;
    var self = this;
    var box = el("div", "sb-run-list");
    if (list.title) box.appendChild(el("h4", "sb-run-list-title", list.title));
    var ul = el("ul", "sb-run-items");
    list.items.forEach(function (text, i) {
      var li = el("li", "sb-run-item");
      var label = el("label", "sb-run-tick");
      var box2 = el("input", "sb-run-check");
      box2.type = "checkbox";
      var k = itemKey(s, l, i);
      box2.checked = !!st.ticks[k];
      box2.addEventListener("change", function () {
        if (box2.checked) st.ticks[k] = true; else delete st.ticks[k];
        self.save();
      });
      label.appendChild(box2);
      label.appendChild(el("span", "sb-run-item-text", text));
      li.appendChild(label);
      ul.appendChild(li);
    });
    box.appendChild(ul);
    var c = list.confirmation;
    if (c) {
      var p = el("p", "sb-run-confirm");
      p.appendChild(el("span", "sb-run-confirm-label", (c.label || say("confirm")) + " "));
      if (c.question) p.appendChild(el("q", "sb-run-question", c.question));
      if (c.question && c.expected) p.appendChild(el("span", "sb-run-arrow", " → "));
      if (c.expected) p.appendChild(el("strong", "sb-run-expected", c.expected));
      if (c.text) p.appendChild(el("strong", "sb-run-expected", c.text));
      box.appendChild(p);
    }
    return box;
  };

  Run.prototype.renderSummary = function () {
    var self = this;
    var st = this.state;
    var data = this.data;
    this.body.appendChild(el("h3", "sb-run-step-title", say("summary")));
    var table = el("table", "sb-run-summary");
    var head = el("tr");
    [say("col_step"), say("col_spent"), say("col_plan")].forEach(function (t) {
      var th = el("th", "", t);
      th.scope = "col";
      head.appendChild(th);
    });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = el("tbody");
    data.steps.forEach(function (step, i) {
      var ms = elapsed(st, i);
      var tr = el("tr", over(ms, step.minutes) ? "sb-run-over" : "");
      var th = el("th", "", stepName(step));
      th.scope = "row";
      tr.appendChild(th);
      tr.appendChild(el("td", "sb-run-spent", over(ms, step.minutes) ? say("spent_over", { time: clock(ms) }) : clock(ms)));
      tr.appendChild(el("td", "", step.minutes !== null ? minutes(step.minutes) : "—"));
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    this.body.appendChild(table);
    var sum = total(st);
    var v = verdict(data, sum);
    var line = el("p", "sb-run-verdict" + (v && v.over ? " sb-run-over" : ""), totalLine(sum, v));
    this.body.appendChild(line);
    var left = unticked(data, st);
    if (left.length) {
      this.body.appendChild(el("h4", "sb-run-list-title", say("unticked_heading", { count: left.length })));
      this.body.appendChild(this.bullets(left, "sb-run-unticked"));
    } else if (data.steps.some(function (s) { return s.lists.length; })) {
      this.body.appendChild(el("p", "sb-run-all", say("all_ticked")));
    }
    var said = el("p", "sb-run-copied");
    said.setAttribute("role", "status");
    this.controls.appendChild(button("sb-run-prev", say("back"), function () { self.go(data.steps.length - 1); }));
    this.controls.appendChild(button("sb-run-restart", say("restart"), function () { self.restart(); }));
    this.controls.appendChild(button("sb-run-copy sb-run-primary", say("copy"), function () {
      copyText(summaryText(data, st), self.dialog, function (ok) {
        said.textContent = say(ok ? "copied" : "copy_failed");
      });
    }));
    this.body.appendChild(said);
  };

  // ---- wiring ----------------------------------------------------------------------------------
  function init() {
    var resume = null;
    var starts = document.querySelectorAll("button.sb-run-start");
    Array.prototype.forEach.call(starts, function (start) {
      var island = start.nextElementSibling;
      if (!island || !island.classList.contains("sb-run-data")) return;
      var data;
      try { data = JSON.parse(island.textContent); } catch (e) { return; }
      if (!data.steps || !data.steps.length) return;
      if (data.words && typeof data.words === "object") WORDS = data.words;
      dropStale(data);
      var run = new Run(start, data);
      start.hidden = false;
      start.addEventListener("click", function () { run.open(); });
      if (!resume && run.state && run.state.open) resume = run;
    });
    if (resume) resume.open();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
