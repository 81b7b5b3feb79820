// EnvoyCRM's page script: drafts that survive a dropped connection, focus
// after htmx swaps, and privacy on sign-out. Loaded from our own host; no
// inline script anywhere (see the CSP). htmx 4 keeps no history cache, so no
// page with personal data is stored by it.
(function () {
  "use strict";

  var storage = null;
  try { storage = window.sessionStorage; } catch (e) { storage = null; }

  // After signing out, forget anything kept in this tab (unsent drafts).
  if (document.cookie.split("; ").indexOf("envoycrm_signed_out=1") !== -1) {
    if (storage) { storage.clear(); }
    document.cookie = "envoycrm_signed_out=; Max-Age=0; path=/; SameSite=Lax";
  }

  // --- drafts: a form with data-draft="name" is kept in this tab's
  // sessionStorage while it is typed, restored after a reload or a failed
  // send, and forgotten once the server accepted it.
  function draftKey(form) { return "draft:" + form.getAttribute("data-draft"); }

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

  function restoreDraft(form) {
    var raw = storage.getItem(draftKey(form));
    // A form the server sent back with errors already holds what was typed.
    if (!raw || form.querySelector("[aria-invalid='true']")) { return; }
    var data;
    try { data = JSON.parse(raw); } catch (e) { return; }
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in data)) { return; }
      var value = data[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = Array.isArray(value) && value.indexOf(el.value) !== -1;
      } else if (el.name !== "csrf_token") {
        el.value = value;
      }
    });
    var note = form.querySelector("[data-draft-note]");
    if (note) { note.hidden = false; }
  }

  function initDrafts(root) {
    if (!storage || !root.querySelectorAll) { return; }
    root.querySelectorAll("form[data-draft]").forEach(function (form) {
      if (form.dataset.draftReady) { return; }
      form.dataset.draftReady = "1";
      restoreDraft(form);
      form.addEventListener("input", function () { saveDraft(form); });
      form.addEventListener("change", function () { saveDraft(form); });
    });
  }

  // The server accepted the form itself (a redirect or a 2xx): forget the
  // draft. Requests made by elements inside the form (the duplicate check)
  // do not count.
  document.addEventListener("htmx:after:request", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var form = event.target;
    if (!storage || !ctx || !ctx.response || !form.matches ||
        !form.matches("form[data-draft]")) { return; }
    if (ctx.response.status < 400) { storage.removeItem(draftKey(form)); }
  });

  document.addEventListener("DOMContentLoaded", function () { initDrafts(document); });

  // Move focus where a keyboard or screen-reader user expects it after a swap:
  // to the first invalid field when a form came back with errors, otherwise
  // to the main region when a whole page was swapped in by a boosted link.
  document.addEventListener("htmx:after:settle", function (event) {
    var target = event.target;
    initDrafts(document);
    var invalid = target.querySelector && target.querySelector("[aria-invalid='true']");
    if (invalid) {
      invalid.focus();
      return;
    }
    if (target === document.body) {
      var main = document.getElementById("main");
      if (main) { main.focus({ preventScroll: true }); }
    }
  });
})();
