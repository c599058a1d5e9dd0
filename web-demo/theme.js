// Applies the saved theme before the page paints (a classic script, so it
// runs at once; no inline script under the page's CSP). "system" follows
// prefers-color-scheme through the stylesheet.
(function () {
  var theme = "system";
  try {
    theme = localStorage.getItem("mshta-chain-theme") || "system";
  } catch (e) {
    /* storage blocked: follow the system */
  }
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
})();
