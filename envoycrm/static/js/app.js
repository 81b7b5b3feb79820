// EnvoyCRM's page script: drafts and an outbox that survive a dropped
// connection and a closed browser, focus after htmx swaps, and privacy on
// sign-out. Loaded from our own host; no inline script anywhere (see the CSP).
// htmx 4 keeps no history cache, so no page with personal data is stored by it.
//
// The outbox: a form marked data-outbox that htmx fails to send (no network)
// is kept in localStorage, under the signed-in user, with its idempotency key,
// and sent again by itself when the browser is back online, or on "Retry".
// The same key rides on every attempt, so the server makes one row however
// often it is sent. Everything kept is cleared at sign-out.
(function () {
  "use strict";

  var PREFIX = "envoycrm:";
  var OLD_AFTER_MS = 7 * 24 * 60 * 60 * 1000;   // older entries ask first
  var RETRY_EVERY_MS = 30 * 1000;               // while entries wait
  var storage = null;
  try { storage = window.localStorage; } catch (e) { storage = null; }

  function forgetEverything() {
    if (!storage) { return; }
    Object.keys(storage).forEach(function (key) {
      if (key.indexOf(PREFIX) === 0) { storage.removeItem(key); }
    });
    try { window.sessionStorage.clear(); } catch (e) { /* not available */ }
  }

  // After signing out, forget anything kept on this computer.
  if (document.cookie.split("; ").indexOf("envoycrm_signed_out=1") !== -1) {
    forgetEverything();
    document.cookie = "envoycrm_signed_out=; Max-Age=0; path=/; SameSite=Lax";
  }

  // The signed-in user, from the header (swapped with every page, unlike <body>).
  function user() {
    var holder = document.getElementById("outbox");
    return holder && holder.getAttribute("data-user");
  }
  function text(name) {
    var holder = document.getElementById("outbox");
    return (holder && holder.getAttribute("data-text-" + name)) || "";
  }
  function csrfToken() {
    var field = document.querySelector("input[name=csrf_token]");
    if (field && field.value) { return field.value; }
    try {
      return JSON.parse(document.body.getAttribute("hx-headers:inherited"))["X-CSRFToken"];
    } catch (e) { return ""; }
  }
  function fieldsOf(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && typeof value === "string") { fields.push([name, value]); }
    });
    return fields;
  }
  function make(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content) { node.textContent = content; }
    return node;
  }

  // --- drafts: a form with data-draft="name" is kept while it is typed,
  // restored after a reload, in a new tab or after a failed send, and
  // forgotten once the server accepted it.
  function draftKey(form) { return PREFIX + "draft:" + user() + ":" + form.getAttribute("data-draft"); }

  function saveDraft(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.type === "password" ||
          el.type === "submit" || el.type === "button") { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        if (!data[el.name]) { data[el.name] = []; }
        if (el.checked) { data[el.name].push(el.value); }
      } else {
        data[el.name] = el.value;
      }
    });
    storage.setItem(draftKey(form), JSON.stringify(data));
  }

  function fill(form, data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in data) || el.name === "csrf_token") { return; }
      var value = data[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = Array.isArray(value) && value.indexOf(el.value) !== -1;
      } else {
        el.value = Array.isArray(value) ? value[0] || "" : value;
      }
    });
  }

  function restoreDraft(form) {
    var raw = storage.getItem(draftKey(form));
    // A form the server sent back with errors already holds what was typed.
    if (!raw || form.querySelector("[aria-invalid='true']")) { return; }
    try { fill(form, JSON.parse(raw)); } catch (e) { return; }
    var note = form.querySelector("[data-draft-note]");
    if (note) { note.hidden = false; }
  }

  function initDrafts(root) {
    if (!storage || !user() || !root.querySelectorAll) { return; }
    root.querySelectorAll("form[data-draft]").forEach(function (form) {
      if (form.dataset.draftReady) { return; }
      form.dataset.draftReady = "1";
      restoreDraft(form);
      form.addEventListener("input", function () { saveDraft(form); });
      form.addEventListener("change", function () { saveDraft(form); });
    });
  }

  // --- the outbox ---------------------------------------------------------
  function outboxKey() { return PREFIX + "outbox:" + user(); }
  function entries() {
    if (!storage || !user()) { return []; }
    try { return JSON.parse(storage.getItem(outboxKey()) || "[]"); } catch (e) { return []; }
  }
  function store(list) {
    if (!storage || !user()) { return; }
    if (list.length) { storage.setItem(outboxKey(), JSON.stringify(list)); }
    else { storage.removeItem(outboxKey()); }
    renderBadge();
  }
  function isOld(entry) { return Date.now() - entry.created > OLD_AFTER_MS; }

  function keep(form) {
    var fields = fieldsOf(form);
    var key = fields.filter(function (f) { return f[0] === "idempotency_key"; })[0];
    var id = key && key[1] ? key[1] : String(Date.now()) + Math.random().toString(16).slice(2);
    var summary = fields.filter(function (f) {
      return /name|title|notes|body|level|scope/.test(f[0]) && f[1];
    }).map(function (f) { return f[1]; }).slice(0, 2).join(" · ");
    var list = entries().filter(function (entry) { return entry.id !== id; });
    list.push({
      id: id,
      url: form.getAttribute("hx-post") || form.getAttribute("action") || location.pathname,
      page: location.pathname,
      label: form.getAttribute("data-outbox"),
      summary: summary.slice(0, 80),
      fields: fields,
      created: Date.now(),
      state: "waiting"
    });
    store(list);
    return id;
  }

  function note(form, message, withRetry) {
    var old = form.parentNode && form.parentNode.querySelector("[data-outbox-note]");
    if (old && old.parentNode) { old.parentNode.removeChild(old); }
    var box = make("div", "flash flash-error outbox-note");
    box.setAttribute("role", "alert");
    box.setAttribute("data-outbox-note", "");
    box.appendChild(make("span", "", message));
    if (withRetry) {
      var retry = make("button", "button-small", text("retry"));
      retry.type = "button";
      retry.addEventListener("click", function () { flush(true); });
      box.appendChild(document.createTextNode(" "));
      box.appendChild(retry);
    }
    form.parentNode.insertBefore(box, form);
    return box;
  }

  function busy(form, on) {
    form.setAttribute("aria-busy", on ? "true" : "false");
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
      button.disabled = on;
    });
    var status = form.querySelector("[data-sending]");
    if (on && !status) {
      status = make("p", "hint sending-note", text("sending"));
      status.setAttribute("role", "status");
      status.setAttribute("data-sending", "");
      form.appendChild(status);
    } else if (!on && status) {
      status.parentNode.removeChild(status);
    }
  }

  var sending = false;
  // Send the waiting entries one by one; stop at the first network failure.
  // ``asked`` means a person pressed a button: entries older than a week are
  // then sent after a confirmation, never by themselves.
  function flush(asked) {
    if (sending || !user()) { return Promise.resolve(); }
    var list = entries().filter(function (entry) {
      return entry.state === "waiting" && (!isOld(entry) || (asked && window.confirm(text("old"))));
    });
    if (!list.length) { return Promise.resolve(); }
    sending = true;
    var chain = Promise.resolve(true);
    list.forEach(function (entry) {
      chain = chain.then(function (goOn) { return goOn ? send(entry) : false; });
    });
    return chain.then(function () { sending = false; }, function () { sending = false; });
  }

  function update(id, change) {
    store(entries().map(function (entry) {
      if (entry.id === id) { Object.keys(change).forEach(function (k) { entry[k] = change[k]; }); }
      return entry;
    }));
  }

  function send(entry) {
    var body = new URLSearchParams();
    body.append("csrf_token", csrfToken());
    entry.fields.forEach(function (f) { body.append(f[0], f[1]); });
    return fetch(entry.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      if (new URL(response.url).pathname.indexOf("/auth/login") === 0) {
        update(entry.id, { state: "waiting", problem: text("signin") });
        return false;
      }
      if (response.ok) {
        store(entries().filter(function (e) { return e.id !== entry.id; }));
        sent(entry, response.url);
        return true;
      }
      update(entry.id, { state: "refused", problem: text("refused") });
      return true;
    }, function () { return false; });   // still offline: keep, try later
  }

  // An entry went through: say so where its form is, and forget its draft.
  function sent(entry, url) {
    document.querySelectorAll("form[data-outbox]").forEach(function (form) {
      var key = form.querySelector("[name=idempotency_key]");
      if (!key || key.value !== entry.id) { return; }
      var box = note(form, text("sent"), false);
      box.className = "flash flash-success outbox-note";
      box.setAttribute("role", "status");
      var open = make("a", "", text("open"));
      open.href = url;
      box.appendChild(document.createTextNode(" "));
      box.appendChild(open);
      form.reset();
      if (form.hasAttribute("data-draft") && storage) { storage.removeItem(draftKey(form)); }
    });
  }

  function renderBadge() {
    var holder = document.getElementById("outbox");
    if (!holder) { return; }
    var list = entries();
    holder.hidden = list.length === 0;
    var count = holder.querySelector("[data-outbox-count]");
    if (count) {
      count.textContent = (list.length === 1 ? text("one") : text("many")).replace("{n}", list.length);
    }
    var items = holder.querySelector("[data-outbox-list]");
    if (!items) { return; }
    items.textContent = "";
    list.forEach(function (entry) {
      var item = make("li");
      item.appendChild(make("strong", "", entry.label));
      if (entry.summary) { item.appendChild(document.createTextNode(" — " + entry.summary)); }
      var when = new Date(entry.created).toLocaleString(document.documentElement.lang || undefined,
        { dateStyle: "medium", timeStyle: "short" });
      item.appendChild(make("span", "hint", " " + text("kept").replace("{when}", when)));
      if (entry.problem || entry.state === "refused") {
        item.appendChild(make("span", "error", " " + (entry.problem || text("refused"))));
      }
      var actions = make("span", "outbox-actions");
      if (entry.state === "refused") {
        var go = make("a", "", text("open"));
        go.href = entry.page;
        actions.appendChild(go);
      } else {
        var now = make("button", "button-small", text("retry"));
        now.type = "button";
        now.addEventListener("click", function () { flush(true); });
        actions.appendChild(now);
      }
      var drop = make("button", "button-link", text("discard"));
      drop.type = "button";
      drop.addEventListener("click", function () {
        if (window.confirm(text("discard-confirm"))) {
          store(entries().filter(function (e) { return e.id !== entry.id; }));
        }
      });
      actions.appendChild(drop);
      item.appendChild(actions);
      items.appendChild(item);
    });
  }

  // A refused entry comes back into its form on its own page, for correction.
  function restoreRefused() {
    entries().forEach(function (entry) {
      if (entry.state !== "refused" || entry.page !== location.pathname) { return; }
      document.querySelectorAll("form[data-outbox]").forEach(function (form) {
        if ((form.getAttribute("hx-post") || form.getAttribute("action")) !== entry.url) { return; }
        var data = {};
        entry.fields.forEach(function (f) {
          data[f[0]] = f[0] in data ? [].concat(data[f[0]], f[1]) : f[1];
        });
        form.querySelectorAll("input[type=checkbox], input[type=radio]").forEach(function (el) {
          if (el.name in data && !Array.isArray(data[el.name])) { data[el.name] = [data[el.name]]; }
        });
        fill(form, data);
        note(form, text("refused"), false);
      });
    });
  }

  // Busy while sending; kept and explained when the network fails.
  document.addEventListener("htmx:before:request", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-outbox]")) { return; }
    if (navigator.onLine === false) {
      event.preventDefault();
      keep(form);
      note(form, text("offline"), true);
      return;
    }
    busy(form, true);
  });
  document.addEventListener("htmx:finally:request", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-outbox]")) { busy(form, false); }
  });
  document.addEventListener("htmx:error", function (event) {
    var form = event.target;
    var ctx = event.detail && event.detail.ctx;
    if (!form.matches || !form.matches("form[data-outbox]") || (ctx && ctx.response)) { return; }
    keep(form);
    busy(form, false);
    note(form, text("offline"), true);
  });

  // The server accepted the form itself (a redirect or a 2xx): forget the
  // draft and any kept copy. Requests made by elements inside the form (the
  // duplicate check) do not count.
  document.addEventListener("htmx:after:request", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var form = event.target;
    if (!ctx || !ctx.response || !form.matches || ctx.response.status >= 400) { return; }
    if (storage && form.matches("form[data-draft]")) { storage.removeItem(draftKey(form)); }
    if (form.matches("form[data-outbox]")) {
      var key = form.querySelector("[name=idempotency_key]");
      if (key) { store(entries().filter(function (e) { return e.id !== key.value; })); }
    }
  });

  // A whole page swapped in by a boosted link or form keeps <html> from the
  // first page: carry over its language, or a Chinese page would read as
  // English to screen readers and fonts.
  document.addEventListener("htmx:after:swap", function (event) {
    var ctx = event.detail && event.detail.ctx;
    if (!ctx || typeof ctx.text !== "string") { return; }
    var lang = /^\s*(?:<!doctype[^>]*>\s*)?<html[^>]*\slang="([^"]+)"/i.exec(ctx.text);
    if (lang) { document.documentElement.lang = lang[1]; }
  });

  // Signing out deletes what was not sent: say so first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-sign-out]")) { return; }
    var waiting = entries().length;
    if (waiting && !window.confirm(text("signout").replace("{n}", waiting))) {
      event.preventDefault();
      return;
    }
    forgetEverything();
  }, true);

  window.addEventListener("online", function () { flush(false); });
  window.setInterval(function () { if (entries().length) { flush(false); } }, RETRY_EVERY_MS);

  document.addEventListener("DOMContentLoaded", function () {
    initDrafts(document);
    renderBadge();
    restoreRefused();
    if (navigator.onLine !== false) { flush(false); }
  });

  // --- the pipeline board: one Tab stop per column (a roving tabindex), the
  // arrow keys from card to card, Enter opens the focused card's move menu.
  // Without this script every link on a card is a plain Tab stop.
  var FOCUSABLE = "a[href], button, select, input, textarea, summary";

  function cardsOf(column) {
    return Array.prototype.slice.call(column.querySelectorAll("li[data-card]"));
  }
  function setInner(card, reachable) {
    card.querySelectorAll(FOCUSABLE).forEach(function (el) {
      if (reachable) { el.removeAttribute("tabindex"); } else { el.setAttribute("tabindex", "-1"); }
    });
  }
  function activate(column, card) {
    cardsOf(column).forEach(function (other) {
      other.setAttribute("tabindex", other === card ? "0" : "-1");
      // A card with its menu open keeps its controls reachable.
      setInner(other, other.classList.contains("card-open"));
    });
  }
  function initBoard() {
    document.querySelectorAll("[data-board] ol.cards").forEach(function (column) {
      var cards = cardsOf(column);
      if (!cards.length) { return; }
      var current = cards.filter(function (c) { return c.getAttribute("tabindex") === "0"; })[0];
      activate(column, current || cards[0]);
    });
  }
  function columns() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-board] ol.cards"))
      .filter(function (column) { return cardsOf(column).length; });
  }
  function focusCard(column, card) {
    if (!card) { return; }
    activate(column, card);
    card.focus();
  }

  document.addEventListener("keydown", function (event) {
    var card = event.target;
    if (!card.matches || !card.matches("[data-board] li[data-card]")) {
      // Escape inside an open menu returns to the board.
      if (event.key === "Escape" && card.closest) {
        var open = card.closest("[data-board] li.card-open");
        var cancel = open && open.querySelector("[data-card-cancel]");
        if (cancel) { event.preventDefault(); cancel.click(); }
      }
      return;
    }
    var column = card.parentNode;
    var cards = cardsOf(column);
    var index = cards.indexOf(card);
    var all = columns();
    var at = all.indexOf(column);
    var next = null;
    var nextColumn = column;
    switch (event.key) {
      case "ArrowDown": next = cards[index + 1]; break;
      case "ArrowUp": next = cards[index - 1]; break;
      case "Home": next = cards[0]; break;
      case "End": next = cards[cards.length - 1]; break;
      case "ArrowRight":
      case "ArrowLeft":
        nextColumn = all[at + (event.key === "ArrowRight" ? 1 : -1)];
        if (nextColumn) {
          var there = cardsOf(nextColumn);
          next = there[Math.min(index, there.length - 1)];
        }
        break;
      case "Enter":
        var menu = card.querySelector(".card-menu-link");
        if (menu) { event.preventDefault(); menu.click(); }
        return;
      default: return;
    }
    event.preventDefault();
    if (next) { focusCard(nextColumn, next); }
  });
  // Focus inside a card makes its own links reachable by Tab; leaving it, not.
  document.addEventListener("focusin", function (event) {
    var card = event.target.closest && event.target.closest("[data-board] li[data-card]");
    if (card) {
      activate(card.parentNode, card);
      setInner(card, true);
    }
  });
  document.addEventListener("focusout", function (event) {
    var card = event.target.closest && event.target.closest("[data-board] li[data-card]");
    if (card && !card.contains(event.relatedTarget) && !card.classList.contains("card-open")) {
      setInner(card, false);
    }
  });
  document.addEventListener("DOMContentLoaded", initBoard);
  document.addEventListener("htmx:after:settle", initBoard);

  // Copy and Share on the push page. Share opens the system share sheet where
  // the browser has one (navigator.share, mostly phones) and copies otherwise.
  // The buttons do nothing without this script, so they start hidden.
  function showShareButtons(root) {
    root.querySelectorAll("[data-copy][hidden], [data-share][hidden]").forEach(function (b) {
      b.hidden = false;
    });
  }
  function valueOf(selector) {
    var field = selector && document.querySelector(selector);
    return field ? field.value : "";
  }
  function copied(button, field) {
    var status = document.querySelector("[data-copy-status]");
    if (status) { status.textContent = button.getAttribute("data-copied") || ""; }
    if (field) { field.select(); }
  }
  function copy(button, selector) {
    var field = document.querySelector(selector);
    if (!field) { return; }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () { copied(button, field); },
        function () { field.select(); document.execCommand("copy"); copied(button, field); });
    } else {
      field.select();
      document.execCommand("copy");
      copied(button, field);
    }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy], [data-share]");
    if (!button) { return; }
    if (button.hasAttribute("data-copy")) { copy(button, button.getAttribute("data-copy")); return; }
    var message = button.getAttribute("data-share-text");
    if (navigator.share) {
      navigator.share({ title: button.getAttribute("data-share-title") || document.title,
                        text: valueOf(message) }).catch(function () { /* dismissed */ });
    } else {
      copy(button, message);
    }
  });
  document.addEventListener("DOMContentLoaded", function () { showShareButtons(document); });
  document.addEventListener("htmx:after:settle", function () { showShareButtons(document); });

  // --- export links: busy until the streamed download has started -----------
  // The server answers an export at once and sets the cookie export_started to
  // the token the link carried, so its arrival means the download is under way.
  var EXPORT_COOKIE = "export_started=";
  function exportStarted(token) {
    return document.cookie.split("; ").indexOf(EXPORT_COOKIE + token) !== -1;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-export]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey) { return; }
    if (link.getAttribute("aria-busy") === "true") { event.preventDefault(); return; }
    var token = Math.random().toString(36).slice(2, 14);
    var url = new URL(link.href, window.location.href);
    url.searchParams.set("export_token", token);
    event.preventDefault();
    var group = link.closest("[data-export-links]");
    var status = group && group.querySelector("[data-export-status]");
    var label = link.textContent;
    link.setAttribute("aria-busy", "true");
    link.classList.add("busy");
    link.textContent = link.getAttribute("data-busy-label");
    if (status) { status.textContent = link.getAttribute("data-busy-label"); }
    var waited = 0;
    var timer = window.setInterval(function () {
      waited += 500;
      var started = exportStarted(token);
      if (started || waited >= 120000) {
        window.clearInterval(timer);
        link.removeAttribute("aria-busy");
        link.classList.remove("busy");
        link.textContent = label;
        if (status) { status.textContent = started ? link.getAttribute("data-started-label") : ""; }
      }
    }, 500);
    window.location.assign(url.toString());
  });


  // Move focus where a keyboard or screen-reader user expects it after a swap:
  // to the first invalid field when a form came back with errors, to the
  // entry a form just added (the server marks it data-new-entry; the form
  // that had the focus is gone), otherwise to the main region when a whole
  // page was swapped in by a boosted link.
  document.addEventListener("htmx:after:settle", function (event) {
    var target = event.target;
    initDrafts(document);
    renderBadge();
    var invalid = target.querySelector && target.querySelector("[aria-invalid='true']");
    if (invalid) {
      invalid.focus();
      return;
    }
    var added = document.querySelector("[data-new-entry]");
    if (added) {
      added.removeAttribute("data-new-entry");
      added.focus();
      return;
    }
    if (target === document.body) {
      var main = document.getElementById("main");
      if (main) { main.focus({ preventScroll: true }); }
    }
  });
})();
