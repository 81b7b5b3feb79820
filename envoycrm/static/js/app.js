// EnvoyCRM's page script: accessibility after htmx swaps and privacy on sign-out.
// Loaded from our own host; no inline script anywhere (see the CSP).
(function () {
  "use strict";

  // After signing out, forget anything kept in this tab (unsent drafts).
  if (document.cookie.split("; ").indexOf("envoycrm_signed_out=1") !== -1) {
    try { window.sessionStorage.clear(); } catch (e) { /* storage disabled */ }
    document.cookie = "envoycrm_signed_out=; Max-Age=0; path=/; SameSite=Lax";
  }

  // Move focus where a keyboard or screen-reader user expects it after a swap:
  // to the first invalid field when a form came back with errors, otherwise
  // to the main region when a whole page was swapped in by a boosted link.
  document.addEventListener("htmx:after:settle", function (event) {
    var target = event.target;
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
